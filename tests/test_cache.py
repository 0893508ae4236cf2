from __future__ import annotations

import numpy as np
import pytest

from briefbot import Briefbot
from briefbot.cache import corpus_key, default_cache_dir
from briefbot.cli import main
from briefbot.corpus import load_corpus
from briefbot.index import PassageIndex

from .helpers import texts_passed, write

DOC = """---
title: Walrus Notes
---
The walrus migrates north in spring.

Ice melts early along the coast.

Herds gather on beaches to rest.
"""


@pytest.fixture
def folder(tmp_path):
    write(tmp_path, "walrus.md", DOC)
    return tmp_path


def test_saved_index_is_loaded_instead_of_rebuilt(folder, monkeypatch):
    first = Briefbot.from_folder(folder, save=True)
    assert (default_cache_dir(first.corpus) / "index" / "meta.json").exists()

    def no_build(*args, **kwargs):
        raise AssertionError("rebuilt although a current index was saved")

    monkeypatch.setattr(PassageIndex, "build", no_build)
    again = Briefbot.from_folder(folder)
    question = "where does the walrus migrate"
    assert again.ask(question).hits[0].passage.text == first.ask(question).hits[0].passage.text
    assert again.index.bm25.n_docs == 3
    assert tuple(again.index.passages) == tuple(first.index.passages)  # saved, not re-split
    assert [p.text for p in again.index.passages] == [p.text for p in first.index.passages]


def test_changed_corpus_is_rebuilt_automatically(folder):
    bot = Briefbot.from_folder(folder, save=True)
    old_key = corpus_key(bot.corpus)
    write(folder, "walrus.md", DOC + "\nNarwhals have long tusks.\n")
    fresh = Briefbot.from_folder(folder, save=True)
    assert corpus_key(fresh.corpus) != old_key
    assert fresh.ask("narwhal tusks").hits[0].passage.text == "Narwhals have long tusks."


@pytest.mark.parametrize(
    "damage", ["meta", "npz", "mismatch", "passages", "truncated passages", "truncated sentences"]
)
def test_corrupt_cache_is_rebuilt_with_a_warning(folder, damage):
    bot = Briefbot.from_folder(folder, save=True)
    saved = default_cache_dir(bot.corpus) / "index"
    if damage == "meta":
        (saved / "meta.json").write_text("{not json", encoding="utf-8")
    elif damage == "npz":
        data = (saved / "bm25.npz").read_bytes()
        (saved / "bm25.npz").write_bytes(data[: len(data) // 2])
    elif damage.startswith("truncated"):
        path = saved / f"{damage.split()[1]}.npz"
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif damage == "passages":
        import numpy as np

        np.savez(
            saved / "passages.npz",
            doc=np.array([0, 0, 5]),
            start=np.array([0, 1, 2]),
            end=np.array([1, 2, 99999]),
            paragraph=np.array([1, 2, 3]),
            section=np.array([-1, -1, -1]),
        )
    else:
        meta = (saved / "meta.json").read_text(encoding="utf-8")
        (saved / "meta.json").write_text(
            meta.replace('"passages": 3', '"passages": 7'), encoding="utf-8"
        )
    warnings: list[str] = []
    rebuilt = Briefbot.from_folder(folder, warn=warnings.append, save=True)
    assert len(warnings) == 1 and "rebuilding" in warnings[0] and str(saved) in warnings[0]
    assert rebuilt.ask("walrus").answered
    assert Briefbot.from_folder(folder, warn=warnings.append).ask("walrus").answered
    assert len(warnings) == 1  # the rebuilt cache is good again


def test_reload_swaps_the_index_and_in_flight_questions_keep_the_old_one(folder):
    bot = Briefbot.from_folder(folder)
    old_index = bot.index
    write(
        folder, "more.md", "---\ntitle: More\n---\nNarwhals have long tusks.\n\nThey dive deep.\n"
    )
    bot.reload()
    assert bot.index is not old_index
    assert [d.id for d in bot.documents] == ["more", "walrus"]
    assert bot.ask("narwhal tusks").hits[0].passage.doc_id == "more"
    assert not any("Narwhal" in p.text for p in old_index.passages)  # the old one is untouched


def test_reload_of_a_broken_folder_keeps_the_old_index(folder):
    from briefbot import CorpusError

    bot = Briefbot.from_folder(folder)
    (folder / "walrus.md").write_bytes(b"\xff\xfe")
    with pytest.raises(CorpusError):
        bot.reload()
    assert bot.ask("walrus").answered


def test_cli_index_command(folder, capsys):
    assert main(["--corpus", str(folder), "index"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 passages from 1 document indexed in")
    assert (folder / ".briefbot-index" / "index" / "bm25.npz").exists()
    assert load_corpus(folder).problems == ()  # the cache folder is not mistaken for documents


def test_loaded_passages_behave_like_a_tuple(folder):
    Briefbot.from_folder(folder, save=True)
    passages = Briefbot.from_folder(folder).index.passages
    assert len(passages) == 3
    assert passages[-1].text == "Herds gather on beaches to rest." == passages[2].text
    assert [p.paragraph for p in passages[0:2]] == [1, 2]
    assert passages[1] == passages[1] and hash(passages[1]) == hash(passages[1])
    with pytest.raises(IndexError):
        passages[3]


def test_a_reload_encodes_only_the_new_text(folder):
    bot = Briefbot.from_folder(folder, save=False)
    assert bot.encoder is not None
    before = bot.index.embeddings.copy()
    with texts_passed(bot.encoder, "encode") as encoded:
        write(folder, "seal.md", "---\ntitle: Seals\n---\nSeals sleep on the ice floes.\n")
        bot.reload()
    assert encoded == ["Seals sleep on the ice floes."] * 2  # its sentence, then its passage
    old = [p.id for p in bot.index.passages if p.doc_id == "walrus"]
    lo, hi = bot.index.sentence_range(old[0])[0], bot.index.sentence_range(old[-1])[1]
    assert np.array_equal(bot.index.embeddings[lo:hi], before)


def test_a_saved_index_is_loaded_without_loading_the_model(folder, monkeypatch):
    Briefbot.from_folder(folder, save=True)

    def not_needed(*args, **kwargs):
        raise AssertionError("the model was loaded to open a saved index")

    monkeypatch.setattr("briefbot.engine.load_encoder", not_needed)
    again = Briefbot.from_folder(folder)
    assert again.index.embeddings is not None  # the saved vectors, no model needed
    assert again.summarize("walrus").found


def test_topics_are_saved_with_the_index(tmp_path, monkeypatch):
    import shutil

    from briefbot import summaries

    from .helpers import ARTICLE

    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(ARTICLE, folder / ARTICLE.name)
    first = Briefbot.from_folder(folder, save=True, semantic=False)  # topics need no vectors
    found = first.topics()
    assert found

    def never(*args, **kwargs):
        raise AssertionError("topics were found again instead of loaded")

    monkeypatch.setattr(summaries, "_find_topics", never)
    again = Briefbot.from_folder(folder, semantic=False)
    assert again.topics() == found


def test_a_new_process_after_a_change_encodes_only_the_new_text(folder, monkeypatch):
    Briefbot.from_folder(folder, save=True)  # saved with its vectors
    write(folder, "seal.md", "---\ntitle: Seals\n---\nSeals sleep on the ice floes.\n")
    from briefbot import engine

    real = engine.load_encoder
    encoded: list[str] = []

    def counting_encoder(*args, **kwargs):
        model = real(*args, **kwargs)
        inner = model.encode

        def encode(texts, *a, **k):
            encoded.extend(texts)
            return inner(texts, *a, **k)

        model.encode = encode
        return model

    monkeypatch.setattr("briefbot.engine.load_encoder", counting_encoder)
    again = Briefbot.from_folder(folder, save=True)  # the saved index is stale: rebuilt
    assert encoded == ["Seals sleep on the ice floes."] * 2  # its sentence, then its passage
    fresh = Briefbot.from_folder(folder, save=False, cache_dir=folder / "elsewhere")
    assert np.allclose(again.index.embeddings, fresh.index.embeddings, atol=1e-6)


def test_a_saved_lexical_index_gets_vectors_without_a_rebuild(folder, monkeypatch):
    from briefbot.encoder import Encoder

    Briefbot.from_folder(folder, save=True, semantic=False)

    def no_build(*args, **kwargs):
        raise AssertionError("rebuilt although only the vectors were missing")

    monkeypatch.setattr(PassageIndex, "build", no_build)
    bot = Briefbot.from_folder(folder)
    assert bot.index.embeddings is not None and len(bot.index.embeddings) > 0

    def no_encoding(*args, **kwargs):
        raise AssertionError("encoded again although the vectors were saved")

    monkeypatch.setattr(Encoder, "encode", no_encoding)
    again = Briefbot.from_folder(folder)
    assert again.index.embeddings is not None
    assert (again.index.embeddings == bot.index.embeddings).all()
    lexical = Briefbot.from_folder(folder, semantic=False)  # the same saved index
    assert lexical.ask("where does the walrus migrate").answered


# -- documents not read at start (the manifest saved beside the index) ---------------------

OTHER = """---
title: Narwhal Notes
authors: [A. Writer]
---
Narwhals have long tusks.

They dive deep under the ice in winter.
"""


@pytest.fixture
def settled(folder, monkeypatch):
    """A folder whose files were written long enough ago to be trusted by their stat (the
    racy window shrunk to nothing instead of waiting two seconds)."""
    import briefbot.corpus

    monkeypatch.setattr(briefbot.corpus, "RACY_STAT_NS", 0)
    write(folder, "narwhal.md", OTHER)
    return folder


def _reads(monkeypatch):
    from pathlib import Path

    seen: list[str] = []
    real = Path.read_bytes

    def counted(self):
        seen.append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", counted)
    return seen


def test_a_saved_index_starts_without_reading_its_documents(settled, monkeypatch):
    first = Briefbot.from_folder(settled, save=True)
    assert (settled / ".briefbot-index" / "documents.json").exists()
    seen = _reads(monkeypatch)
    again = Briefbot.from_folder(settled)
    assert seen == []  # nothing read to start
    assert all(d.loaded is None for d in again.documents)
    assert [(d.id, d.title, d.authors, d.length) for d in again.documents] == [
        (d.id, d.title, d.authors, len(d.text)) for d in first.documents
    ]
    question = "how deep do narwhals dive"
    got, want = again.ask(question), first.ask(question)
    assert [h.excerpt.text for h in got.hits] == [h.excerpt.text for h in want.hits]
    assert seen == []  # the candidates' passages were read from their bytes alone
    assert [p.text for p in again.index.passages] == [p.text for p in first.index.passages]
    assert again.documents[0].text == first.documents[0].text
    assert seen == ["narwhal.md"]  # the whole text, read when asked for (checked by digest)


def test_passages_of_unread_documents_are_exact_in_any_script(settled):
    text = (
        "---\ntitle: “Quoted” Notes\n---\nThe café’s naïve walrus — 🦭 — rests.\n\n"
        "Ωmega and 雪 are next: “snow” falls.\n\nLast, plain ASCII.\n"
    )
    write(settled, "unicode.md", text)
    first = Briefbot.from_folder(settled, save=True)
    again = Briefbot.from_folder(settled)
    assert all(d.loaded is None for d in again.documents)
    got = [p.text for p in again.index.passages]
    assert got == [p.text for p in first.index.passages]
    assert "Ωmega and 雪 are next: “snow” falls." in got
    for p in again.index.passages:
        assert p.text == p.document.text[p.start : p.end]


def test_a_document_changed_after_start_is_reloaded_not_misquoted(settled, monkeypatch):
    import os

    Briefbot.from_folder(settled, save=True)
    bot = Briefbot.from_folder(settled)
    path = settled / "narwhal.md"
    stat = path.stat()
    # the same length and times: only the content says it changed
    changed = OTHER.replace("dive deep under", "swims far below")
    assert len(changed) == len(OTHER)
    path.write_text(changed, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    found = bot.ask("do narwhals swim below the ice in winter")
    assert found.hits[0].excerpt.text == "They swims far below the ice in winter."
    assert found.hits[0].passage.document.loaded is not None  # read again, by the reload


def test_a_file_changed_on_disk_is_read_at_start(settled):
    from briefbot.cache import known_documents

    Briefbot.from_folder(settled, save=True)
    write(settled, "narwhal.md", OTHER + "\nTheir tusks are ivory teeth.\n")
    corpus = load_corpus(settled, known_documents(settled))
    read = {d.id: d.loaded is not None for d in corpus.documents}
    assert read == {"narwhal": True, "walrus": False}  # the other one trusted by its stat
    bot = Briefbot(corpus, save=True)  # a new key: rebuilt
    assert bot.ask("are the tusks ivory").hits[0].excerpt.text == "Their tusks are ivory teeth."


@pytest.mark.parametrize(
    "manifest",
    [
        "not json",
        "[]",
        '{"version": 1, "documents": [{"path": "walrus.md", "stat": "x"}]}',
        '{"version": 1, "documents": [{"path": "walrus.md", "stat": [1, 2, 3, 4], '
        '"chars": "many"}]}',
        '{"version": 99, "documents": []}',
    ],
)
def test_a_damaged_manifest_means_the_documents_are_read(settled, manifest):
    Briefbot.from_folder(settled, save=True)
    (settled / ".briefbot-index" / "documents.json").write_text(manifest, encoding="utf-8")
    bot = Briefbot.from_folder(settled)
    assert all(d.loaded is not None for d in bot.documents)
    assert bot.ask("where does the walrus migrate").answered


def test_a_file_just_written_is_not_trusted_by_its_stat(folder):
    # written less than two seconds before it was read: its stat could not tell a later
    # change of the same size in the same clock tick, so it is read again next time
    Briefbot.from_folder(folder, save=True)
    bot = Briefbot.from_folder(folder)
    assert all(d.loaded is not None for d in bot.documents)


def test_unread_texts_are_kept_within_a_budget(settled, monkeypatch):
    from briefbot.cache import known_documents
    from briefbot.corpus import _TextStore

    Briefbot.from_folder(settled, save=True)
    narwhal, walrus = load_corpus(settled, known_documents(settled)).documents
    assert (walrus.id, narwhal.id) == ("walrus", "narwhal")
    seen = _reads(monkeypatch)
    roomy = _TextStore(budget=10_000)
    for doc in (walrus, narwhal, walrus, narwhal):
        assert roomy.read(doc) == doc.path.read_text(encoding="utf-8")
    assert seen == ["walrus.md", "narwhal.md"]  # each read once
    seen.clear()
    tight = _TextStore(budget=1)  # smaller than any document: the last one is kept
    for doc in (walrus, walrus, narwhal, walrus):
        tight.read(doc)
    assert seen == ["walrus.md", "narwhal.md", "walrus.md"]


def test_too_little_disk_space_is_one_warning_and_nothing_half_written(folder, monkeypatch):
    import shutil

    import briefbot.index

    usage = shutil.disk_usage(folder)
    monkeypatch.setattr(briefbot.index.shutil, "disk_usage", lambda _: usage._replace(free=1000))
    warnings: list[str] = []
    bot = Briefbot.from_folder(folder, save=True, warn=warnings.append)
    assert bot.ask("where does the walrus migrate").answered
    assert len(warnings) == 1 and "not enough disk space" in warnings[0]
    assert "rebuilt next time" in warnings[0]
    cache = default_cache_dir(bot.corpus)
    assert not cache.exists() or not any(p.name != "documents.json" for p in cache.iterdir())


def test_a_build_the_memory_cannot_hold_is_refused_before_it_starts(folder, monkeypatch, capsys):
    from briefbot import ResourceError, build

    monkeypatch.setattr(build, "_available_memory", lambda: 10 * 2**20)
    with pytest.raises(ResourceError, match=r"takes about .* GB of memory"):
        Briefbot.from_folder(folder, save=False)
    code = main(["--corpus", str(folder), "ask", "walrus"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "GB is available" in err
    monkeypatch.setattr(build, "_available_memory", lambda: None)  # unknown: built
    assert Briefbot.from_folder(folder, save=False).ask("walrus").answered


def test_available_memory_is_read_where_the_system_tells_it():
    from briefbot import build

    found = build._available_memory()
    assert found is None or found > 0


@pytest.mark.parametrize("version", [1, 2])
def test_a_containers_memory_limit_is_what_a_build_may_take(tmp_path, version):
    from briefbot.build import _cgroup_room

    limit, usage, stat = build_files = {
        2: ("memory.max", "memory.current", "memory.stat"),
        1: (
            "memory/memory.limit_in_bytes",
            "memory/memory.usage_in_bytes",
            "memory/memory.stat",
        ),
    }[version]
    inactive = "inactive_file" if version == 2 else "total_inactive_file"
    for name in build_files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / limit).write_text(f"{2 * 2**30}\n")
    (tmp_path / usage).write_text(f"{2**30}\n")
    (tmp_path / stat).write_text(f"anon 123\n{inactive} {2**29}\n")
    # 2 GiB allowed, 1 GiB used of which 0.5 GiB is page cache it can drop
    assert _cgroup_room(tmp_path) == 2 * 2**30 - 2**29
    (tmp_path / limit).write_text("max\n" if version == 2 else f"{2**63 - 4096}\n")
    assert _cgroup_room(tmp_path) is None  # no limit
    assert _cgroup_room(tmp_path / "absent") is None
