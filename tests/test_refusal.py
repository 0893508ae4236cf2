"""The refusal stage: one decision, and reasons that name what the documents lack."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from briefbot import params, refusal
from briefbot.fusion import Scored

from .helpers import ROOT


def _scored(share: float, **features: float) -> list[Scored]:
    f = tuple(features.get(n, 0.0) for n in params.FEATURES)
    return [Scored(0, f, share, ())]


@pytest.mark.parametrize("model", params.MODELS)
def test_more_evidence_never_lowers_the_probability_of_an_answer(model):
    weak = refusal.answerable(_scored(0.3, cosine=0.2, coverage=0.2), model)
    strong = refusal.answerable(_scored(0.9, cosine=0.8, coverage=1.0), model)
    assert strong > weak
    missing = refusal.answerable(_scored(0.9, cosine=0.8, coverage=1.0, typed_miss=1), model)
    assert missing < strong


def test_signs_of_the_fitted_refusal_weights_are_kept():
    assert set(params.WEIGHTS) == set(params.REFUSAL_WEIGHTS) == set(params.MODELS)
    for model, weights in params.REFUSAL_WEIGHTS.items():
        assert len(params.WEIGHTS[model]) == len(params.FEATURES)
        assert len(weights) == len(params.REFUSAL_FEATURES) == len(params.REFUSAL_SIGNS)
        assert all(w * s >= 0 for w, s in zip(weights, params.REFUSAL_SIGNS, strict=True))


def test_reason_names_the_missing_words_and_counts_the_rest():
    assert refusal.reason(["Biden"], "the article") == "The article does not mention Biden."
    many = refusal.reason(["a1", "b2", "c3", "d4", "e5", "f6"], "the article")
    assert "2 more words" in many and len(many) < 120
    assert refusal.reason([], "the documents") == "The documents do not answer this question." or (
        refusal.reason([], "the documents").startswith("The documents")
    )


def test_an_everyday_word_the_documents_lack_is_not_named_as_the_reason(bot):
    everyday = bot.ask("Is he running for office?")
    assert not everyday.answered and "running" in everyday.unknown
    assert everyday.reason == "The article does not answer this question."
    rare = bot.ask("What is the price of bread in Almaty?")
    assert not rare.answered and rare.reason == "The article does not mention “bread”."


def test_no_candidates_means_no_answer():
    assert all(refusal.refuses([], model) for model in params.MODELS)


_SCRIPT = (
    "import json; from briefbot import Briefbot; from briefbot.render import answer_to_json;"
    "b = Briefbot.from_folder('corpus', save=False);"
    "print(json.dumps([answer_to_json(b.ask(q)) for q in "
    "['why wasnt this peacekeeping', 'who runs the csto', 'what did tokayev ask for']]))"
)


def test_the_same_question_gets_the_same_answer_in_every_process():
    outputs = set()
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-500:]
        outputs.add(json.dumps(json.loads(done.stdout.splitlines()[-1]), sort_keys=True))
    assert len(outputs) == 1


def test_everyday_words_the_document_lacks_are_no_evidence_against_an_answer(bot):
    from briefbot.answers import rank

    unknown = params.FEATURES.index("unknown")

    def share(question: str) -> float:
        ranked = rank(bot.index, question, None)
        return ranked.scored[0].features[unknown]

    # "put" and "back" are everyday English: asked in other words, not about something else
    assert share("did tokayev put the troops back?") == 0.0
    assert share("did tokayev defenestrate the troops?") > 0.5  # a rare word it never uses
