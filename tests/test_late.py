"""Late interaction: a small index keeps its passages' token vectors, and the question's
tokens each find their best match in a candidate passage."""

from __future__ import annotations

import numpy as np
import pytest

from briefbot import Briefbot, params
from briefbot.answers import rank
from briefbot.cache import default_cache_dir
from briefbot.fusion import _late_standardized, model
from briefbot.index import TokenVectors
from briefbot.similarity import semantic

from .helpers import texts_passed, write

DOC = """---
title: Walrus Notes
---
## Travel

The walrus migrates north in spring, following the edge of the sea ice.

## Haul-out sites

Herds gather on beaches to rest between long dives for clams.
"""


@pytest.fixture
def folder(tmp_path):
    write(tmp_path, "walrus.md", DOC)
    return tmp_path


def test_token_vectors_are_the_encoders_last_layer_whatever_the_batch(bot):
    encoder = bot.encoder
    assert encoder is not None
    text = "Who chairs the CSTO?"
    vector, tokens = encoder.encode_with_tokens(text)
    assert np.allclose(vector, encoder.encode([text])[0], atol=1e-6)
    assert len(tokens) == len(encoder._tokenizer.encode(text).ids) - 2  # no [CLS], [SEP]
    assert np.allclose(np.linalg.norm(tokens, axis=1), 1.0, atol=1e-5)
    batch = encoder.encode_tokens([text, "a much longer text, padded to by the shorter " * 4])
    assert np.allclose(batch[0], tokens, atol=1e-5)  # the padding changes nothing


def test_eight_bits_keep_every_cosine_within_a_hundredth(bot):
    rows = bot.encoder.encode_tokens(["The walrus migrates north in spring."])[0]
    stored = TokenVectors.encode(bot.encoder, ["The walrus migrates north in spring."], {})
    assert stored.values.dtype == np.int8
    assert np.abs(stored.of(0) @ rows.T - rows @ rows.T).max() < 0.01


def test_a_small_index_scores_late_interaction_and_saves_it(folder):
    bot = Briefbot.from_folder(folder, save=True)
    index = bot.index
    assert index.token_vectors is not None and len(index.token_vectors.first) == len(index) + 1
    sem = semantic(index, bot.encoder, "where does the walrus migrate in spring", None)
    assert sem is not None and model(sem) == "late"
    travel, rest = (p.id for p in index.passages)
    assert sem.late(travel) > sem.late(rest)
    # each of the question's tokens finds its best match: a passage's own words, all of it
    own = semantic(index, bot.encoder, index.late_text(travel), None)
    assert own.late(travel) > 0.99 > own.late(rest)
    # the passage is read with its heading: a question of the heading's words finds it
    heading = semantic(index, bot.encoder, "haul-out sites", None)
    assert heading.late(rest) > 0.6 > heading.late(travel)  # without its heading: 0.2
    loaded = Briefbot.from_folder(folder)
    assert isinstance(loaded.index.token_vectors.values, np.memmap)  # mapped, not read
    again = semantic(loaded.index, loaded.encoder, "where does the walrus migrate in spring", None)
    assert again.late(travel) == pytest.approx(sem.late(travel), abs=1e-6)


def test_a_larger_index_holds_none_and_uses_the_weights_fitted_without(folder, monkeypatch):
    monkeypatch.setattr(params, "LATE_AT_BUILD_PASSAGES", 1)
    bot = Briefbot.from_folder(folder, save=False)
    assert bot.index.embeddings is not None and bot.index.token_vectors is None
    sem = semantic(bot.index, bot.encoder, "where does the walrus migrate", None)
    assert model(sem) == "semantic" and sem.late(0) is None
    assert bot.ask("where does the walrus migrate").hits[0].passage.section == "Travel"
    assert model(None) == "lexical"


def test_damaged_token_vectors_are_rebuilt_with_a_warning(folder):
    bot = Briefbot.from_folder(folder, save=True)
    saved = default_cache_dir(bot.corpus) / "index"
    first = np.load(saved / "token_first.npy")
    np.save(saved / "token_first.npy", np.array([0, first[-1] + 5, first[-1]], dtype=np.int64))
    warnings: list[str] = []
    rebuilt = Briefbot.from_folder(folder, warn=warnings.append, save=True)
    assert len(warnings) == 1 and "rebuilding" in warnings[0]
    assert rebuilt.index.token_vectors is not None


def test_a_reload_encodes_only_the_new_passages_tokens(folder):
    bot = Briefbot.from_folder(folder, save=False)
    with texts_passed(bot.encoder, "encode_tokens") as read:
        write(folder, "seal.md", "---\ntitle: Seals\n---\nSeals sleep on the ice floes.\n")
        bot.reload()
    assert read == ["Seals sleep on the ice floes."]
    assert len(bot.index.token_vectors.first) == len(bot.index) + 1


def test_the_fused_feature_is_late_interaction_standardized_among_the_candidates(folder):
    bot = Briefbot.from_folder(folder, save=False)
    index = bot.index
    text = "where does the walrus migrate in spring"
    ranked = rank(index, text, bot.encoder)
    sem = semantic(index, bot.encoder, text, None)
    column = params.FEATURES.index("late_z")
    ids = [c.passage_id for c in ranked.scored]
    raw = np.array([sem.late(i) for i in ids])
    assert len(ids) == 2 and raw.std() > 0
    fused = np.array([c.features[column] for c in ranked.scored])
    assert np.allclose(fused, (raw - raw.mean()) / raw.std(), atol=1e-6)
    assert ranked.scored[0].passage_id == index.passages[0].id  # the travel passage


def test_one_candidate_or_equal_late_interaction_gives_zero():
    column = params.FEATURES.index("late_z")
    row = tuple(float(i) for i in range(len(params.FEATURES)))
    alone = _late_standardized([(row, (0.5,))])
    assert alone[0][0][column] == 0.0 and alone[0][0][:column] == row[:column]
    same = _late_standardized([(row, ()), (row, ())])
    assert [r[0][column] for r in same] == [0.0, 0.0]
    assert [r[0][column + 1 :] for r in same] == [row[column + 1 :]] * 2
