"""The encoder reproduces sentence-transformers' all-MiniLM-L6-v2 and fails safe."""

from __future__ import annotations

import json

import numpy as np
import pytest

from briefbot import Briefbot, encoder

from .helpers import ROOT

REFERENCE = json.loads((ROOT / "tests" / "data" / "minilm_reference.json").read_text("utf-8"))


def test_embeddings_match_sentence_transformers_recorded_once():
    vectors = encoder.load_encoder().encode(REFERENCE["texts"])
    assert vectors.shape == (len(REFERENCE["texts"]), encoder.DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.abs(vectors[:, :8] - np.array(REFERENCE["first8"])).max() < 1e-4
    assert np.abs(vectors @ vectors.T - np.array(REFERENCE["cosines"])).max() < 1e-4


@pytest.mark.parametrize("tokens", [1, 24, encoder.ENCODE_BATCH_TOKENS, 10_000])
def test_a_batch_encodes_each_text_as_alone(tokens):
    # batches of like length, however many tokens each may hold: each row is its text's
    enc = encoder.load_encoder()
    texts = [
        "a much longer sentence about the Collective Security Treaty Organization",
        "short",
        "two words",
        "a sentence of middling length here",
        "short",
    ]
    together = enc.encode(texts, tokens=tokens)
    alone = np.vstack([enc.encode([t]) for t in texts])
    assert np.abs(together - alone).max() < 1e-5
    # and each text's token vectors (the padding of a batch reaches none of them)
    for batched, text in zip(enc.encode_tokens(texts, tokens=tokens), texts, strict=True):
        own = enc.encode_tokens([text])[0]
        assert batched.shape == own.shape and np.abs(batched - own).max() < 1e-5


def test_weights_with_another_digest_are_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(encoder, "WEIGHTS_SHA256", "0" * 64)
    monkeypatch.setattr(encoder, "_LOADED", {})
    with pytest.raises(encoder.EncoderUnavailable, match="sha256"):
        encoder.load_encoder(tmp_path)


def test_without_the_model_the_engine_answers_lexically_and_says_so_once(monkeypatch, tmp_path):
    def missing(cache_dir=None):
        raise encoder.EncoderUnavailable("the model package is not installed")

    monkeypatch.setattr("briefbot.engine.load_encoder", missing)
    warnings: list[str] = []
    bot = Briefbot.from_folder(ROOT / "corpus", cache_dir=tmp_path, warn=warnings.append)
    assert bot.encoder is None and bot.index.embeddings is None
    assert len(warnings) == 1 and "semantic matching is off" in warnings[0]
    answer = bot.ask("Why wasn't this peacekeeping?")
    assert answer.answered and "peacekeeping" in answer.hits[0].excerpt.matched
    bot.ask("who runs the csto")
    assert len(warnings) == 1  # said once, not per question


def test_the_unpacked_weights_are_hashed_once_and_rechecked_when_changed(monkeypatch, tmp_path):
    import os

    monkeypatch.setattr(encoder, "_LOADED", {})
    encoder.load_encoder(tmp_path)  # unpacks, checks the sha256, stamps the copy
    copy = next(tmp_path.glob("*.safetensors"))

    def no_hashing(*args, **kwargs):
        raise AssertionError("the verified copy was hashed again")

    monkeypatch.setattr(encoder, "_LOADED", {})
    with monkeypatch.context() as m:
        m.setattr(encoder.hashlib, "sha256", no_hashing)
        encoder.load_encoder(tmp_path)
    data = bytearray(copy.read_bytes())
    data[-1] ^= 0xFF  # tamper with it
    copy.write_bytes(bytes(data))
    st = copy.stat()
    os.utime(copy, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    monkeypatch.setattr(encoder, "_LOADED", {})
    with pytest.raises(encoder.EncoderUnavailable, match="sha256"):
        encoder.load_encoder(tmp_path)
