"""Saved indexes: built once, loaded on later starts, rebuilt when the corpus changes.

An index is saved with a key: a hash of every document's path and content, the tokenizer's
version, the index format and the thesaurus data it was expanded with. A saved index whose
key differs (stale) is rebuilt; one that cannot be read (corrupt) is rebuilt with a warning.
Nothing read from the cache is trusted without the key matching.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .bm25 import BM25Index
from .build import check_memory
from .corpus import Corpus, manifest
from .encoder import Encoder
from .errors import CorpusError
from .index import Known, PassageIndex, embeds_at_build, saved_vectors
from .params import EMBED_AT_BUILD_SENTENCES
from .summaries import topics
from .text import TOKENIZER_VERSION

# 8: topics saved with the index; 9: code passages marked; 10: topics by specificity;
# 11: identifiers from headings shown as written ("setImmediate"), titles before names
# ("Deputy Director …") dropped; 12: each vector saved with the digest of what it embeds;
# 13: vectors saved with their encoder's weights digest, passages as int64 arrays;
# 14: passages' byte offsets into their files; 15: passage lengths in the BM25 files;
# 16: passages' token vectors (late interaction); 17: no sentence ends at a full stop
# that a letter follows directly ("README.Debian"); 18: plain text read by reStructuredText's
# line rules (underlined headings, literal blocks), .rst documents; 19: a plain-text line
# and the indented block it introduces are one passage; 20: reStructuredText object
# descriptions' signatures in their bodies' sections, version notes kept as text; 21: a
# long Markdown list is a passage per item; 22: reStructuredText footnotes and citations
# kept as text, grammars (productionlist) as code; 23: a paragraph's literal-block marker
# ("::") cut as reStructuredText shows it, the bibliographic fields (":Author:") metadata,
# the subtitle no section, an indented plain-text line no heading; 24: plain text's
# numbered headings ("2.1. How do I ...?") and no table of contents; 25: Sphinx's
# author directives, roles in headings read as their text, consecutive directives apart;
# 26: a Markdown table of contents (a list of links to the page's places) is no passage;
# 27: a Markdown heading's attributes ("{#regexp}") no part of its text; 28: a literal
# block's marker on a line of its own no text; 29: short plain-text lines that are not a
# page's navigation (configuration lines, commands, an option over its description) kept;
# 30: a plain-text definition's later paragraphs ("  Default: poll") join its term; 31: a
# rule over a title line, no underline, is a heading; an adorned heading's spaces squashed;
# 32: a line's closing " >" over an indented example (Vim's help format) marks it as code;
# 33: a plain-text FAQ's "Q:" paragraph over an "A:" one is a heading; 34: a numbered
# heading indented as far as the paragraphs, or with a no-break space, and no term
INDEX_FORMAT = "34"
CACHE_FOLDER = ".briefbot-index"
MANIFEST = "documents.json"  # beside the index: what each document's file was when read
SAVE_AFTER_SECONDS = 1.0  # builds faster than this are not worth a file


def builder_key() -> str:
    """What an index depends on besides its documents: the formats and versions."""
    return (
        f"format {INDEX_FORMAT}; tokenizer {TOKENIZER_VERSION}\n"
        f"bm25 {BM25Index.__module__}; vectors up to {EMBED_AT_BUILD_SENTENCES}\n"
    )


def corpus_key(corpus: Corpus) -> str:
    """A hash of everything the index's words and passages depend on. Its vectors are
    saved with the encoder they came from (:data:`briefbot.encoder.WEIGHTS_SHA256`), and
    used only when that is the encoder loaded."""
    h = hashlib.sha256()
    h.update(builder_key().encode())
    for doc in corpus.documents:
        h.update(f"{doc.id}\0{doc.content_hash}\n".encode())
    return h.hexdigest()


def default_cache_dir(corpus: Corpus) -> Path:
    return corpus.root / CACHE_FOLDER


def known_documents(root: Path, cache_dir: Path | None = None) -> dict[str, Any] | None:
    """The manifest saved with the index of the corpus at ``root``
    (:func:`briefbot.corpus.manifest`), for :func:`briefbot.corpus.load_corpus`; None when
    there is none or it cannot be read (every document is then read)."""
    path = (cache_dir if cache_dir is not None else root / CACHE_FOLDER) / MANIFEST
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def _save_manifest(corpus: Corpus, folder: Path) -> None:
    """Write the manifest of ``corpus`` beside its index ``folder`` (atomically; a
    failure only means the documents are read at the next start)."""
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".documents-", dir=folder.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(manifest(corpus), out, ensure_ascii=False)
        os.replace(tmp, folder.parent / MANIFEST)
    except OSError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def open_index(
    corpus: Corpus,
    cache_dir: Path | None = None,
    *,
    save: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
    warn: Callable[[str], None] | None = None,
    encoder: Callable[[], Encoder | None] | None = None,
    reuse: PassageIndex | None = None,
) -> PassageIndex:
    """Load the saved index of ``corpus`` when it is current, else build it.

    ``encoder`` gives the encoder (or None where it cannot be loaded); it is called only
    when a build needs it, so loading a saved index never loads the model. ``save``: True
    always writes the built index, False never, None when the build took more than a
    second. ``warn`` receives one line for each problem with the cache.
    """
    folder = (cache_dir if cache_dir is not None else default_cache_dir(corpus)) / "index"
    key = corpus_key(corpus)
    found = _load(corpus, folder, key, warn)
    if found is not None:
        if save is not False and any(d.loaded is not None for d in corpus.documents):
            _save_manifest(corpus, folder)  # some were read: record them for next time
        # saved without vectors (the model was missing, or semantic matching was off) but
        # small enough to hold them: add them, and save it again
        wanted = encoder is not None and found.embeddings is None
        if wanted and embeds_at_build(len(found.sentence_spans)):
            model = encoder()  # type: ignore[misc]
            if model is not None:
                found.embed(model, reuse if reuse is not None else saved_vectors(folder))
                if save is not False:
                    _save(found, folder, key, warn)
        return found
    check_memory(corpus)  # refused now, with the figures, rather than killed part-way
    model = encoder() if encoder is not None else None
    known: PassageIndex | Known | None = reuse
    if known is None and model is not None:
        known = saved_vectors(folder)  # a stale index's vectors: only new text is encoded
    started = time.perf_counter()
    index = None
    before = _extendable(corpus, folder)
    if before is not None:  # documents added after the saved ones: only they are tokenized
        index = PassageIndex.extended(corpus, before, encoder=model)
    if index is None:
        index = PassageIndex.build(corpus, progress=progress, encoder=model, reuse=known)
    topics(index)  # found now, and saved with the index: no request waits for them
    took = time.perf_counter() - started
    index.key, index.builder = key, builder_key()
    if save or (save is None and took > SAVE_AFTER_SECONDS):
        _save(index, folder, key, warn)
    return index


def _extendable(corpus: Corpus, folder: Path) -> PassageIndex | None:
    """The saved index when ``corpus`` is its documents, unchanged and in order, followed by
    new ones (as when documents are added whose names sort after the others'), and it was
    built by these versions; else None."""
    found = PassageIndex.built_by(folder)  # the metadata first: the arrays only if they serve
    if found is None:
        return None
    builder, before = found
    now = [[d.id, d.content_hash] for d in corpus.documents]
    if builder != builder_key() or not before or len(before) >= len(now):
        return None
    if now[: len(before)] != before:
        return None
    try:
        return PassageIndex.load(corpus, folder, None)
    except (LookupError, ValueError, OSError, CorpusError):  # then it is built whole
        return None


def _save(index: PassageIndex, folder: Path, key: str, warn: Callable[[str], None] | None) -> None:
    try:
        index.save(folder, key)
        _save_manifest(index.corpus, folder)
    except OSError as exc:
        if warn:
            warn(
                f"{folder}: cannot save the index ({exc.strerror or exc}); it is rebuilt next time"
            )


def _load(
    corpus: Corpus, folder: Path, key: str, warn: Callable[[str], None] | None
) -> PassageIndex | None:
    try:
        return PassageIndex.load(corpus, folder, key)
    except LookupError:
        return None  # none saved yet, or saved for other content: build
    except (ValueError, OSError) as exc:
        if warn:
            warn(f"{folder}: saved index is corrupt ({exc}); rebuilding it")
        return None
