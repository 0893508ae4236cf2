"""An index too large to embed at build: a question encodes its candidates' sentences,
within a token budget, best by BM25 first, each candidate's best before any one's second."""

from __future__ import annotations

import pytest

from briefbot import Briefbot, params
from briefbot.candidates import lexical
from briefbot.question import analyze
from briefbot.similarity import semantic

from .helpers import texts_passed, write

GLACIERS = """---
title: Glaciers
---
## Ice

Glaciers flow downhill under their own weight. Crevasses open where the ice stretches.
Meltwater runs beneath the glacier in summer. Moraines mark where the ice once stood.

## Climate

Most glaciers are shrinking as summers warm. A shrinking glacier still flows downhill.
Its meltwater feeds rivers through the dry season.

## Rivers

Rivers carry sediment to the sea. Deltas form where rivers slow down.

## Wildlife

Mountain goats graze on high meadows. Eagles nest on the cliffs above.

## Weather

Snow falls heavily in winter. Fog settles in the valleys at dawn.

## People

Hikers cross the pass in early autumn. Guides lead them over the ridge.
"""


@pytest.fixture
def bot(tmp_path, monkeypatch):
    write(tmp_path, "glaciers.md", GLACIERS)
    monkeypatch.setattr(params, "EMBED_AT_BUILD_SENTENCES", 0)  # the large-index path
    bot = Briefbot.from_folder(tmp_path, save=False)
    assert bot.index.embeddings is None and bot.encoder is not None
    return bot


def prepared(bot, text: str, budget: int | None):
    index = bot.index
    question = analyze(index, text)
    lex = lexical(index, question, params.LEXICAL_CANDIDATES, None)
    sem = semantic(index, bot.encoder, question.semantic_text, lex.allowed)
    ids = list(lex.passages)
    with texts_passed(bot.encoder, "encode") as read:
        sem.prepare(bot.encoder, ids, lex.sentence_scores, budget)
    # the question goes through the model with the sentences, first (or alone)
    assert read[0] == question.semantic_text and sem.pending is None
    return index, lex, sem, ids, read[1:]


def test_without_a_budget_every_candidate_sentence_is_encoded(bot):
    index, _, _, ids, read = prepared(bot, "does a glacier flow downhill", None)
    every = [i for p in ids for i in range(*index.sentence_range(p))]
    assert sorted(read) == sorted(index.sentence_texts(every))


def test_a_budget_takes_each_candidates_best_sentence_first(bot):
    index, lex, sem, ids, read = prepared(bot, "does a glacier flow downhill", 1)
    assert len(ids) == 2
    # a budget too small for anything still encodes one sentence: the best candidate's best
    lo, hi = index.sentence_range(ids[0])
    scores = lex.sentence_scores(lo, hi)
    best = lo + max(range(hi - lo), key=lambda i: (scores[i], -i))
    assert read == index.sentence_texts([best])
    index.vector_cache.clear()
    counts = bot.encoder.token_counts(index.sentence_texts([best]))
    index, lex, sem, ids, read = prepared(bot, "does a glacier flow downhill", counts[0] + 30)
    firsts = []
    for p in ids:
        lo, hi = index.sentence_range(p)
        s = lex.sentence_scores(lo, hi)
        firsts.append(lo + max(range(hi - lo), key=lambda i: (s[i], -i)))
    assert read[:2] == index.sentence_texts(firsts)  # one per candidate before any second
    spent = sum(bot.encoder.token_counts(read))
    assert spent <= counts[0] + 30


def test_a_sentence_left_out_is_no_closer_than_the_least_close_encoded(bot):
    index, _, sem, ids, read = prepared(bot, "does a glacier flow downhill", 1)
    lo, hi = index.sentence_range(ids[0])
    cosines = sem.cosines(lo, hi)
    encoded = [i for i in range(lo, hi) if i in index.vector_cache]
    assert len(encoded) == 1
    assert all(
        cosines[i - lo] == pytest.approx(sem.floor) for i in range(lo, hi) if i not in encoded
    )
    assert cosines[encoded[0] - lo] >= sem.floor


def test_sentences_encoded_for_an_earlier_question_cost_nothing(bot):
    prepared(bot, "does a glacier flow downhill", None)
    *_, read = prepared(bot, "does a glacier flow downhill", None)
    assert read == []


def test_the_answer_needs_no_whole_passage_encoding(bot):
    with texts_passed(bot.encoder, "encode") as read:
        answer = bot.ask("why are glaciers shrinking?")
    assert answer.answered and answer.hits[0].passage.section == "Climate"
    passages = {p.text for p in bot.index.passages}
    assert not passages & set(read)  # its sentences' mean stands in for the passage's vector


def test_the_question_is_encoded_in_one_pass_with_its_candidates_sentences(bot):
    calls: list[int] = []
    real = bot.encoder.encode

    def counting(texts, *args, **kwargs):
        calls.append(len(texts))
        return real(texts, *args, **kwargs)

    bot.encoder.encode = counting
    try:
        index, _, sem, ids, read = prepared(bot, "does a glacier flow downhill", None)
    finally:
        vars(bot.encoder).pop("encode", None)  # (prepared() took its own wrapper off)
    assert calls == [1 + len(read)] and read  # one call: the question and the sentences
    alone = bot.encoder.encode(["does a glacier flow downhill"])[0]
    assert float(sem.vector @ alone) == pytest.approx(1.0, abs=1e-5)
    lo, hi = index.sentence_range(ids[0])
    texts = index.sentence_texts(list(range(lo, hi)))
    assert sem.cosines(lo, hi) == pytest.approx(bot.encoder.encode(texts) @ alone, abs=1e-5)
