"""Building an index in worker processes gives the same index as building it in-process."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from briefbot import build
from briefbot.corpus import load_corpus
from briefbot.index import PassageIndex
from briefbot.text import Lexicon, Tokenizer

from .helpers import write

TOPICS = [
    ("The Collective Security Treaty Organization (CSTO)", "The CSTO did not send troops."),
    ("Application Binary Interface", "An ABI is not a source interface; the ABI changed."),
    ("No Applications Policy", "The No Applications rule (NA) means no new applications."),
    ("Kassym and Kassim", "Kassym wrote it. Kassim is another spelling of Kassym."),
]


def _corpus(folder, n_docs: int = 9):
    for d in range(n_docs):
        name, line = TOPICS[d % len(TOPICS)]
        body = "\n\n".join(
            f"{line} Paragraph {p} of document {d} isn't short, and it's never the last."
            for p in range(5)
        )
        if d % 2:
            text = (
                f"---\ntitle: Doc {d}\n---\n\n# {name}\n\n{body}\n\n## More on {name}\n\n{body}\n"
            )
            write(folder, f"d{d:02d}.md", text)
        else:
            write(folder, f"d{d:02d}.txt", f"{name}\n\n{body}\n")
    return load_corpus(folder)


def _same(a: PassageIndex, b: PassageIndex) -> None:
    assert list(a.passages) == list(b.passages)
    assert [p.text for p in a.passages] == [p.text for p in b.passages]
    np.testing.assert_array_equal(a.sentence_spans, b.sentence_spans)
    np.testing.assert_array_equal(a.first_sentence, b.first_sentence)
    assert list(a.word_counts.items()) == list(b.word_counts.items())  # same counts, same order
    assert a.names == b.names
    assert a.tokenizer.lexicon.acronyms == b.tokenizer.lexicon.acronyms
    assert a.tokenizer.lexicon.aliases == b.tokenizer.lexicon.aliases
    for x, y in ((a.bm25, b.bm25), (a.sentence_bm25, b.sentence_bm25)):
        assert list(x._vocab.items()) == list(y._vocab.items())  # terms in first-seen order
        for arr in ("_idf", "_indptr", "_docs", "_weights"):
            np.testing.assert_array_equal(getattr(x, arr), getattr(y, arr))
        assert x.average_idf == y.average_idf


def test_workers_build_the_same_index(tmp_path, monkeypatch):
    corpus = _corpus(tmp_path)
    alone = PassageIndex.build(corpus, workers=1)
    monkeypatch.setattr(build, "PARALLEL_CHARS", 0)  # this small corpus goes to workers too
    assert build.workers_for(corpus, 2) == 2
    pools = []

    class Pool(ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            pools.append(args)

    monkeypatch.setattr(build, "ProcessPoolExecutor", Pool)
    shared = PassageIndex.build(corpus, workers=2)
    assert pools == [(2,)]  # built by two worker processes
    _same(alone, shared)
    assert alone.tokenizer.lexicon.acronyms  # the corpus taught the lexicon something


def test_small_chunks_count_each_heading_once(tmp_path, monkeypatch):
    corpus = _corpus(tmp_path)
    whole = PassageIndex.build(corpus, workers=1)
    monkeypatch.setattr(build, "TOKENIZE_CHUNK", 3)  # a chunk ends only between documents
    _same(whole, PassageIndex.build(corpus, workers=1))


def test_small_corpus_is_built_in_process(tmp_path):
    corpus = _corpus(tmp_path, 2)
    assert build.workers_for(corpus, 2) == 0
    assert build.workers_for(corpus, 1) == 0


@pytest.mark.parametrize("n", [1, 3, 9])
def test_parts_are_runs_of_whole_documents(tmp_path, n):
    corpus = _corpus(tmp_path)
    parts = build._parts(corpus.documents, n)
    assert parts[0][0] == 0 and parts[-1][1] == len(corpus.documents)
    assert all(a < b for a, b in parts)
    assert all(x[1] == y[0] for x, y in zip(parts, parts[1:], strict=False))
    assert len(parts) <= n


def test_an_expansion_holding_a_negation_is_still_found():
    text = "The No Applications rule (NA) was written down. No Applications were filed."
    tokenizer = Tokenizer(Lexicon.learn([text]))
    assert "NA" in tokenizer.lexicon.acronyms
    assert tokenizer.term("NA") in tokenizer.terms("No Applications were filed.")


def test_a_document_changed_during_the_build_is_built_as_read(tmp_path, monkeypatch):
    corpus = _corpus(tmp_path)
    alone = PassageIndex.build(corpus, workers=1)
    monkeypatch.setattr(build, "PARALLEL_CHARS", 0)
    write(tmp_path, "d03.md", "# Changed\n\nSomething else entirely.\n")  # after reading
    _same(alone, PassageIndex.build(corpus, workers=2))  # the corpus as it was read


def test_a_corpus_too_large_to_hold_builds_the_same_index(tmp_path, monkeypatch):
    import briefbot.corpus

    held = _corpus(tmp_path)
    alone = PassageIndex.build(held, workers=1)
    monkeypatch.setattr(briefbot.corpus, "HOLD_TEXTS_CHARS", 0)  # "large": no text kept
    unheld = load_corpus(tmp_path)
    assert all(d.loaded is None for d in unheld.documents)
    assert [d.length for d in unheld.documents] == [len(d.text) for d in held.documents]
    _same(alone, PassageIndex.build(unheld, workers=1))
    monkeypatch.setattr(build, "PARALLEL_CHARS", 0)
    _same(alone, PassageIndex.build(unheld, workers=2))  # each worker reads the files


def test_a_file_changed_while_a_large_corpus_is_indexed_is_read_again(tmp_path, monkeypatch):
    import briefbot.corpus
    from briefbot import Briefbot

    _corpus(tmp_path)
    monkeypatch.setattr(briefbot.corpus, "HOLD_TEXTS_CHARS", 0)
    real = build.survey
    changed = []

    def survey_after_a_change(first, last, read=None):
        if not changed:  # the file changes after it was loaded, before it is split
            changed.append(write(tmp_path, "d03.md", "# Changed\n\nSomething else entirely.\n"))
        return real(first, last, read)

    monkeypatch.setattr(build, "survey", survey_after_a_change)
    bot = Briefbot.from_folder(tmp_path, save=False)
    assert changed
    assert bot.ask("something else entirely").hits[0].passage.text == "Something else entirely."


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_is_told_from_the_first_documents_read_to_the_end(tmp_path, monkeypatch, workers):
    corpus = _corpus(tmp_path, 12)
    monkeypatch.setattr(build, "PARALLEL_CHARS", 0)
    told: list[tuple[int, int]] = []
    build.build_arrays(corpus, lambda done, total: told.append((done, total)), workers)
    chars = sum(d.length for d in corpus.documents)
    total = (build.READ_SHARE + build.TOKENIZE_SHARE) * chars
    assert {t for _, t in told} == {total}
    done = [d for d, _ in told]
    assert done == sorted(done) and done[-1] == total
    reading = [d for d in done if d <= build.READ_SHARE * chars]
    assert len(reading) >= 2 and reading[0] < build.READ_SHARE * chars  # heard while reading
    assert len(done) - len(reading) >= 1


def _opened(folder, cache, monkeypatch, *, extends: bool) -> PassageIndex:
    """The index open_index gives for ``folder``, made by extending the saved one or not."""
    import briefbot.index
    from briefbot.cache import open_index

    calls = []
    real = briefbot.index.build_arrays

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(briefbot.index, "build_arrays", counted)
    index = open_index(load_corpus(folder), cache, save=True)
    monkeypatch.undo()
    assert bool(calls) is not extends
    return index


def test_documents_added_after_the_others_extend_the_saved_index(tmp_path, monkeypatch):
    folder, cache = tmp_path / "corpus", tmp_path / "cache"
    _corpus(folder)
    _opened(folder, cache, monkeypatch, extends=False)
    name, line = TOPICS[0]  # words the lexicon knows: it learns nothing new from them
    write(folder, "z1.md", f"# More on {name}\n\n{line} A new paragraph about it.\n")
    write(folder, "z2.txt", "Notes\n\nKassim wrote again. It is not the last word.\n")
    extended = _opened(folder, cache, monkeypatch, extends=True)
    full = PassageIndex.build(load_corpus(folder))
    _same(extended, full)
    assert extended.topics == full.topics or full.topics is None
    write(folder, "z3.md", "# Last\n\nThe CSTO did not send troops again.\n")
    again = _opened(folder, cache, monkeypatch, extends=True)  # the extended one extends too
    _same(again, PassageIndex.build(load_corpus(folder)))
    # an acronym whose terms no earlier passage holds cannot change them: it extends too
    write(folder, "z4.md", "# Grain\n\nThe Grain Export Board (GEB) met. The GEB is new.\n")
    grain = _opened(folder, cache, monkeypatch, extends=True)
    assert "GEB" in grain.tokenizer.lexicon.acronyms
    _same(grain, PassageIndex.build(load_corpus(folder)))


def test_documents_that_cannot_extend_the_saved_index_rebuild_it(tmp_path, monkeypatch):
    folder, cache = tmp_path / "corpus", tmp_path / "cache"
    _corpus(folder)
    _opened(folder, cache, monkeypatch, extends=False)
    write(folder, "a0.md", "# First\n\nA document whose name sorts first.\n")  # not after
    _same(
        _opened(folder, cache, monkeypatch, extends=False), PassageIndex.build(load_corpus(folder))
    )
    # an acronym first written in a new document, of a name the others spell out: their
    # passages get its term, so every document is tokenized again
    write(folder, "z9.md", "# Policy\n\nThe BI was revised.\n")  # "Binary Interface"
    rebuilt = _opened(folder, cache, monkeypatch, extends=False)
    assert "BI" in rebuilt.tokenizer.lexicon.acronyms
    _same(rebuilt, PassageIndex.build(load_corpus(folder)))
    (folder / "d00.txt").unlink()  # a document gone
    _same(
        _opened(folder, cache, monkeypatch, extends=False), PassageIndex.build(load_corpus(folder))
    )


def _read_token_by_token(built: build.Built, documents) -> tuple[list, list, Counter, Counter]:
    """What a build must hold, from :meth:`Tokenizer.tokens_in` token by token: each
    passage's terms and its heading's, each sentence's terms, the words met (a heading's
    once) and the prose's words written capitalised."""
    tokenizer = Tokenizer(built.lexicon)
    p = built.passages
    rows, sentence_rows, words, capitalised = [], [], Counter(), Counter()
    headings = set()
    for i in range(len(p["doc"])):
        doc = documents[p["doc"][i]]
        section = int(p["section"][i])
        heading = build.heading_text(doc, None if section < 0 else built.sections[section])
        head = tokenizer.tokens(heading)
        if (p["doc"][i], section) not in headings:
            headings.add((p["doc"][i], section))
            words.update(t.word for t in head)
        text = doc.text[p["start"][i] : p["end"][i]]
        spans = built.spans[built.first_sentence[i] : built.first_sentence[i + 1]].tolist()
        tokens = tokenizer.tokens_in(text, spans)
        rows.append([t.term for t in tokens] + [t.term for t in head])
        sentence_rows.extend([t.term for t in tokens if s <= t.start < e] for s, e in spans)
        words.update(t.word for t in tokens)
        if not p["code"][i]:
            capitalised.update(t.word for t in tokens if text[t.start].isupper())
    return rows, sentence_rows, words, capitalised


def _rows(terms: list[str], ids, lengths) -> list[list[str]]:
    cuts = np.concatenate([[0], np.cumsum(lengths)])
    return [[terms[t] for t in ids[a:b]] for a, b in zip(cuts[:-1], cuts[1:], strict=True)]


TRICKY = """# The Collective Security Treaty Organization

The Collective Security Treaty Organization (CSTO) met. The CSTO's troops didn't land,
and no Collective Security Treaty Organization unit was sent; the csto is lowercase here.

It isn't the Application Binary Interface, not the ABI: see :func:`abi` and ABIs.

* An item with no full stop
* Another: the Application Binary Interface, never the ABI

    3,000 units and 6, 000 more; Kassym, not Kassim, wrote it. NASA didn't.

```sh
Run Tool --name Kassym  # not prose: its capitals are not counted
```
"""


@pytest.mark.parametrize("chunk", [1, 20_000])
def test_the_index_holds_what_the_tokenizer_reads_sentence_by_sentence(
    tmp_path, monkeypatch, chunk
):
    write(tmp_path, "a.md", TRICKY)
    _corpus(tmp_path / "more")
    for f in sorted((tmp_path / "more").iterdir()):
        f.rename(tmp_path / f.name)
    corpus = load_corpus(tmp_path)
    monkeypatch.setattr(build, "TOKENIZE_CHUNK", chunk)
    built = build.build_arrays(corpus, workers=1)
    assert built.lexicon.acronyms  # acronyms, phrases and negations are all met
    rows, sentence_rows, words, capitalised = _read_token_by_token(built, corpus.documents)
    assert _rows(built.terms, built.ids, built.lengths) == rows
    assert _rows(built.sentence_terms, built.sentence_ids, built.sentence_lengths) == sentence_rows
    assert built.words == words
    assert built.capitalised == capitalised
    assert any(t.startswith("¬") for row in rows for t in row)  # a negation was read
    assert built.passages["code"].any()
    csto = Tokenizer(built.lexicon).term("CSTO")
    assert sum(row.count(csto) for row in rows) >= 4  # written, and after its phrase
