"""The refusal stage: the one place that decides a question goes unanswered.

One calibrated decision on the best fused score: a logistic model, fitted on training
questions (``benchmarks/fit.py``; weights in :mod:`briefbot.params`), turns the best
passage's share of the fused score and the question-level evidence (how close in meaning
its best sentence and the passage are, how much of the question's weight it holds, the
share of that weight carried by words the corpus never uses, a missing answer type) into
the probability that the documents answer; each weight's sign is fixed (more evidence
never lowers the probability), so the model cannot learn that a perfect match is
suspicious; below the fitted threshold the
answer is no. Words the corpus never uses are evidence, never a veto on their own; when
they are why the answer is no, the reason names them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from . import params
from .fusion import Scored, sigmoid
from .wording import listed, sentence

MAX_NAMED = 4  # unknown words named in a reason
MAX_WORD_CHARS = 30  # a longer "word" is cut in the reason
NO_WORDS = "The question has no words to look for; ask about something specific."
HELP = (
    "Hi! Ask me a question about {what} and I'll answer with quotes from it; "
    "/summary gives an overview, /topics lists what it covers."
)


@dataclass(frozen=True)
class Clues:
    """What the refusal model reads besides the ranked candidates."""

    unknown_names: int = 0  # the question's words that are names the corpus never uses
    byline: bool = False  # an authorship question whose best passage names the authors
    whole: float = 0.0  # cosine of the question with the best passage embedded whole


def evidence(scored: Sequence[Scored], clues: Clues) -> tuple[float, ...]:
    """The refusal model's inputs, in params.REFUSAL_FEATURES order."""
    best = scored[0]
    f = dict(zip(params.FEATURES, best.features, strict=True))
    return (
        best.score,
        f["cosine"],
        clues.whole,
        f["coverage"],
        f["unknown"],
        f["typed_miss"],
        float(min(clues.unknown_names, 1)),
        float(clues.byline),
    )


def answerable(scored: Sequence[Scored], model: str, clues: Clues = Clues()) -> float:
    """The probability that the best candidate answers (0 without candidates), by the
    refusal model fitted with the passage model ``model`` (params.MODELS)."""
    if not scored:
        return 0.0
    w, b = params.REFUSAL_WEIGHTS[model], params.REFUSAL_BIAS[model]
    return sigmoid(sum(a * x for a, x in zip(w, evidence(scored, clues), strict=True)) + b)


def refuses(scored: Sequence[Scored], model: str, clues: Clues = Clues()) -> bool:
    """Whether the documents do not answer: the one decision."""
    return answerable(scored, model, clues) < params.REFUSE_BELOW[model]


def reason(unknown: Sequence[str], noun: str) -> str:
    """Why a question is not answered, naming the words the documents lack, if any."""
    if unknown:
        shown = [_shown(w) for w in unknown[:MAX_NAMED]]
        if len(unknown) > MAX_NAMED:
            more = len(unknown) - MAX_NAMED
            shown.append(f"{more} more word{'s' if more > 1 else ''}")
        return sentence(noun, "does", f"not mention {listed(shown)}.")
    return sentence(noun, "does", "not answer this question.")


def unsigned(noun: str) -> str:
    """Why "who wrote this?" goes unanswered when no metadata or passage names authors."""
    return sentence(noun, "does", "not say who wrote it.")


def unsourced(noun: str) -> str:
    """Why "where is this from?" goes unanswered when the metadata names no link or
    publisher."""
    return sentence(noun, "does", "not say where it comes from.")


def help_line(noun: str) -> str:
    return HELP.format(what=noun)


def _shown(word: str) -> str:
    short = word if len(word) <= MAX_WORD_CHARS else word[: MAX_WORD_CHARS - 1] + "…"
    if short[:1].isupper():
        return short
    return f"“{short}”"
