from __future__ import annotations

import pytest

from briefbot import Briefbot, CorpusError
from briefbot.corpus import load_corpus
from briefbot.passages import split_passages

from .helpers import ARTICLE, CORPUS, write


def test_bundled_article_metadata():
    corpus = load_corpus(CORPUS)
    (doc,) = corpus.documents
    assert corpus.problems == ()
    assert doc.id == "occupation-not-yet-intervention-already"
    assert doc.title == "Occupation (Not yet), Intervention (Already)"
    assert doc.subtitle == "Consequences of Russian troops entering Kazakhstan"
    assert doc.authors == ("Mykhailo Samus", "Serhiy Sydorenko")
    assert doc.translator == "Euromaidan Press"
    assert doc.published == "2022-01-11"
    assert doc.url and doc.url.startswith("https://www.newgeopolitics.org/2022/01/11/")
    assert doc.original_url == "https://www.eurointegration.com.ua/"
    assert "NGRN" in (doc.publisher or "")


def test_passages_are_verbatim_slices_of_the_source():
    doc = load_corpus(CORPUS).documents[0]
    passages = split_passages(doc)
    source = ARTICLE.read_text(encoding="utf-8")
    assert len(passages) > 40
    for number, p in enumerate(passages, 1):
        assert p.text == doc.text[p.start : p.end] == source[p.start : p.end]
        assert p.text == p.text.strip() and p.text
        assert p.paragraph == number


def test_headings_give_sections_and_are_not_passages():
    passages = split_passages(load_corpus(CORPUS).documents[0])
    texts = [p.text for p in passages]
    assert "The role of the CSTO" not in texts
    assert not any(t.startswith("## ") for t in texts)
    lead = passages[0]
    assert lead.section is None and lead.text.startswith("On January 6")
    peace = next(p for p in passages if p.text.startswith("Of course, no matter what"))
    assert peace.section == "Intervention by invitation"
    role = next(
        p for p in passages if p.text.startswith("The Collective Security Treaty Organization")
    )
    assert role.section == "The role of the CSTO"


def test_site_chrome_is_not_indexed_and_author_bio_is_its_own_section():
    passages = split_passages(load_corpus(CORPUS).documents[0])
    joined = "\n".join(p.text for p in passages)
    for chrome in ("Contact Us", "January 2022", "Translate »"):
        assert chrome not in joined
    bio = [p for p in passages if p.section == "Mykhailo Samus"]
    assert any(p.text.startswith("After 20 years in media") for p in bio)
    assert passages[-1].section == "Mykhailo Samus"


def test_plain_text_document_takes_its_title_from_the_first_line(tmp_path):
    write(
        tmp_path,
        "notes.txt",
        "A Short Report\n\nFirst paragraph here.\n\nA Heading\n\nSecond one.\n",
    )
    (doc,) = load_corpus(tmp_path).documents
    assert doc.title == "A Short Report"
    passages = split_passages(doc)
    assert [p.text for p in passages] == ["First paragraph here.", "Second one."]
    assert passages[0].section is None and passages[1].section == "A Heading"


def test_plain_copy_of_the_article_works_without_metadata(tmp_path):
    from .helpers import ROOT

    # the article as it was first received: plain text, a paragraph a line, headings as
    # short lines, and the publishing site's chrome at the end ("Translate »")
    plain = ROOT / "tests" / "data" / "occupation-not-yet-intervention-already.txt"
    write(tmp_path, "article.txt", plain.read_text(encoding="utf-8"))
    doc = load_corpus(tmp_path).documents[0]
    assert doc.title == "Occupation (Not yet), Intervention (Already)"
    texts = [p.text for p in split_passages(doc)]
    assert not any("Translate »" in t for t in texts)
    assert any(t.startswith("Of course, no matter what") for t in texts)


def test_several_documents_are_each_attributed_to_themselves(tmp_path):
    body_a = "The walrus migrates north.\n\nIce melts early.\n\nHerds gather on beaches.\n"
    body_b = "The falcon hunts pigeons.\n\nNests sit on cliffs.\n\nChicks fledge quickly.\n"
    write(tmp_path, "a.md", f"---\ntitle: Alpha Report\nauthors: [Ann]\n---\n{body_a}")
    write(tmp_path, "sub/b.md", f"---\ntitle: Beta Report\nauthor: Bob\n---\n{body_b}")
    bot = Briefbot.from_folder(tmp_path)
    assert [d.id for d in bot.documents] == ["a", "sub/b"]
    hit = bot.ask("what does the falcon hunt").hits[0]
    assert hit.passage.document.title == "Beta Report"
    assert hit.passage.document.authors == ("Bob",)
    assert hit.passage.text == "The falcon hunts pigeons."
    limited = bot.ask("falcon hunting walrus", document="a")
    assert all(h.passage.doc_id == "a" for h in limited.hits)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: None, "no documents"),
        (lambda d: write(d, "bad.txt", b"caf\xe9 au lait\n"), "not UTF-8"),
        (lambda d: write(d, "empty.md", "---\ntitle: Empty\n---\n\n  \n"), "no paragraphs"),
        (
            lambda d: write(d, "meta.md", "---\ntitle: [unclosed\n---\nText.\n"),
            "malformed front matter",
        ),
        (lambda d: write(d, "bin.txt", b"\x00\x01\x02binary"), "binary"),
    ],
)
def test_unusable_corpus_raises_one_line_naming_the_file(tmp_path, setup, message):
    setup(tmp_path)
    with pytest.raises(CorpusError) as info:
        load_corpus(tmp_path)
    text = str(info.value)
    assert message in text and "\n" not in text
    if message != "no documents":
        assert str(tmp_path) in text


def test_missing_folder(tmp_path):
    with pytest.raises(CorpusError, match="corpus folder not found"):
        load_corpus(tmp_path / "nope")


def test_bad_files_are_reported_and_good_ones_indexed(tmp_path):
    write(tmp_path, "good.txt", "Good Title\n\nThe walrus migrates in spring.\n")
    write(tmp_path, "bad.txt", b"\xff\xfe\xfa")
    write(tmp_path, "copy.txt", "Good Title\n\nThe walrus migrates in spring.\n")
    corpus = load_corpus(tmp_path)
    assert [d.id for d in corpus.documents] == ["copy"]
    assert len(corpus.problems) == 2
    assert any("bad.txt" in p and "UTF-8" in p for p in corpus.problems)
    assert any("good.txt" in p and "duplicate" in p for p in corpus.problems)


def test_each_bad_file_among_good_ones_is_reported_once(tmp_path, monkeypatch):
    import briefbot.corpus as corpus_module

    monkeypatch.setattr(corpus_module, "MAX_FILE_BYTES", 1000)
    write(tmp_path, "good/one.md", "---\ntitle: One\n---\nThe walrus migrates north.\n")
    write(tmp_path, "good/two.txt", "Two\n\nThe falcon hunts pigeons.\n")
    write(tmp_path, "bad/binary.txt", b"\x00\x01\x02\x03")
    write(tmp_path, "bad/latin1.txt", "café".encode("latin-1"))
    write(tmp_path, "bad/empty.md", "---\ntitle: Empty\n---\n")
    write(tmp_path, "bad/huge.txt", "word " * 400)
    unreadable = write(tmp_path, "bad/locked.txt", "secret")
    unreadable.chmod(0)
    try:
        corpus = load_corpus(tmp_path)
    finally:
        unreadable.chmod(0o644)
    import os

    readable_anyway = ["bad/locked"] if os.geteuid() == 0 else []  # root reads any file
    assert [d.id for d in corpus.documents] == [*readable_anyway, "good/one", "good/two"]
    reasons = {p.split(": ", 1)[0].rsplit("/", 1)[-1]: p.split(": ", 1)[1] for p in corpus.problems}
    assert reasons["binary.txt"].startswith("binary file")
    assert reasons["latin1.txt"].startswith("not UTF-8")
    assert reasons["empty.md"].startswith("empty document")
    assert reasons["huge.txt"].startswith("file too large")
    if not readable_anyway:
        assert reasons["locked.txt"].startswith("cannot be read")
    assert len(corpus.problems) == len(set(corpus.problems))


def test_invalid_front_matter_fields_are_reported_and_left_out(tmp_path):
    write(
        tmp_path,
        "a.md",
        "---\ntitle: Alpha\nurl: 12\npublished: notadate\nauthors: {a: 1}\n"
        "original_url: ftp://example.org/x\nsubtitle: Fine\n---\nThe walrus swims.\n",
    )
    write(tmp_path, "b.md", "---\nurl: https://example.org/b\npublished: 2024-05-01\n---\nB.\n")
    corpus = load_corpus(tmp_path)
    a, b = corpus.documents
    assert (a.title, a.subtitle, a.url, a.published, a.authors) == ("Alpha", "Fine", None, None, ())
    assert a.original_url is None
    fields = sorted(p.split("'")[1] for p in corpus.problems)
    assert fields == ["authors", "original_url", "published", "url"]
    assert all(p.startswith(str(tmp_path / "a.md")) and "\n" not in p for p in corpus.problems)
    assert (b.url, b.published) == ("https://example.org/b", "2024-05-01")


def test_broken_links_and_folders_named_like_documents_are_reported(tmp_path):
    import os

    write(tmp_path, "good.md", "The walrus swims.\n")
    os.symlink(tmp_path / "gone.md", tmp_path / "link.md")
    (tmp_path / "folder.md").mkdir()
    corpus = load_corpus(tmp_path)
    assert [d.id for d in corpus.documents] == ["good"]
    assert len(corpus.problems) == 2
    assert any("link.md: broken link" in p for p in corpus.problems)
    assert any("folder.md: a folder named like a document" in p for p in corpus.problems)


def test_web_pages_in_the_corpus_folder_are_reported_once_with_how_to_import_them(tmp_path):
    write(tmp_path, "good.md", "The walrus swims.\n")
    for name in ("a.html", "b.htm", ".hidden/c.html"):
        write(tmp_path, name, "<html><body><p>The seal dives.</p></body></html>\n")
    corpus = load_corpus(tmp_path)
    assert [d.id for d in corpus.documents] == ["good"]
    assert corpus.problems == (
        f"{tmp_path / 'a.html'} and 1 more web page: web pages are not read from the corpus "
        "folder; import them with `briefbot add FILE.html ...`, skipped",
    )


def test_a_first_line_that_is_a_sentence_stays_a_paragraph(tmp_path):
    write(tmp_path, "b.md", "The walrus swims fast.\n")
    write(tmp_path, "c.txt", "Walrus Notes\n\nThe walrus dives deep.\n")
    bot = Briefbot.from_folder(tmp_path, semantic=False)
    texts = [p.text for p in bot.index.passages]
    assert texts == ["The walrus swims fast.", "The walrus dives deep."]
    assert [d.title for d in bot.documents] == ["The walrus swims fast.", "Walrus Notes"]
    assert "walrus" not in bot.ask("walrus").unknown  # the corpus mentions it now
