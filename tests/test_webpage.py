"""`briefbot add`: web articles into corpus documents, offline on saved pages."""

from __future__ import annotations

import re
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from briefbot import Briefbot
from briefbot.cli import main
from briefbot.corpus import load_corpus, load_document
from briefbot.errors import InputError
from briefbot.passages import split_passages
from briefbot.webpage import fetch, read_page, save

from .helpers import ROOT

WEB = ROOT / "tests" / "data" / "web"
ARTICLE_PAGE = WEB / "occupation-not-yet-intervention-already.html"
CHROME = ("Contact Us", "Share on", "Recent Posts", "Subscribe", "Previous:", "rights reserved")


def test_an_article_page_becomes_a_document_without_its_chrome(tmp_path, capsys, lexical_only):
    folder = tmp_path / "corpus"
    pages = [str(ARTICLE_PAGE), str(WEB / "revert-branch-rebase.html")]
    assert main(["--corpus", str(folder), "add", *pages]) == 0
    out = capsys.readouterr().out
    assert "Added" in out and "(Mykhailo Samus, Serhiy Sydorenko)" in out and "Indexed" in out
    corpus = load_corpus(folder)
    assert corpus.problems == ()
    doc = next(d for d in corpus.documents if d.id == "occupation-not-yet-intervention-already")
    assert doc.title == "Occupation (Not yet), Intervention (Already)"
    assert doc.authors == ("Mykhailo Samus", "Serhiy Sydorenko")
    assert doc.published == "2022-01-11" and doc.language == "en-US"
    assert doc.publisher == "New Geopolitics Research Network"
    assert (
        doc.url
        == "https://www.newgeopolitics.org/2022/01/11/occupation-not-yet-intervention-already/"
    )
    body = doc.text[doc.body_start :]
    assert not [c for c in CHROME if c in body]
    assert "There is no external enemy, no inter-social conflict, etc." in body
    howto = next(d for d in corpus.documents if d.id != doc.id)
    assert howto.title == "How to revert an existing commit"
    engine = Briefbot.from_folder(folder, save=False)
    answer = engine.ask("Who entered Kazakhstan on January 6?")
    assert answer.hits[0].passage.doc_id == doc.id
    assert "the first CSTO military units" in answer.hits[0].excerpt.text
    code = [p for p in engine.index.passages if p.doc_id == howto.id and p.kind == "code"]
    assert code, "the howto's commands are code passages"


def test_a_page_added_twice_is_kept_once_and_bad_sources_are_one_line(
    tmp_path, capsys, lexical_only
):
    folder = tmp_path / "corpus"
    argv = ["--corpus", str(folder), "add"]
    assert main([*argv, str(WEB / "keep-canonical-history-correct.html")]) == 0
    missing = tmp_path / "missing.html"
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body><nav>Home</nav></body></html>", encoding="utf-8")
    code = main([*argv, str(WEB / "keep-canonical-history-correct.html"), str(missing), str(empty)])
    captured = capsys.readouterr()
    assert code == 2
    errors = [e for e in captured.err.splitlines() if e.startswith("briefbot: error: ")]
    assert len(errors) == 2 and all(e.startswith("briefbot: error: ") for e in errors)
    assert str(missing) in errors[0] and str(empty) in errors[1]
    assert "Already in the corpus" in captured.out  # the same page once
    assert len(list(folder.glob("*.md"))) == 1


def test_only_http_urls_are_fetched_with_a_size_limit_and_a_timeout():
    with pytest.raises(InputError, match="only http and https"):
        fetch("file:///etc/passwd")
    with pytest.raises(InputError, match="only http and https"):
        fetch("ftp://example.org/x.html")

    class Big(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200 if self.path != "/missing" else 404)
            self.end_headers()
            if self.path == "/slow":
                threading.Event().wait(2)
            self.wfile.write(b"x" * 5000)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Big)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert len(fetch(base + "/ok", limit=10_000)) == 5000
        with pytest.raises(InputError, match="larger than 1,000 bytes"):
            fetch(base + "/big", limit=1000)
        with pytest.raises(InputError, match="answered 404"):
            fetch(base + "/missing")
        with pytest.raises(InputError, match="cannot be fetched"):
            fetch(base + "/slow", timeout=0.3)
    finally:
        server.shutdown()
        server.server_close()


def test_add_from_a_url(tmp_path, capsys, lexical_only):
    page = ARTICLE_PAGE.read_bytes()

    class Site(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/2022/01/11/article/"
        assert main(["--corpus", str(tmp_path / "c"), "add", url]) == 0
    finally:
        server.shutdown()
        server.server_close()
    doc = load_corpus(tmp_path / "c").documents[0]
    assert doc.url.startswith("https://www.newgeopolitics.org/")  # the canonical link wins
    shutil.rmtree(tmp_path / "c")


def test_an_old_style_page_keeps_its_bare_prose_and_its_code_as_code(tmp_path, lexical_only):
    page = read_page((WEB / "old-style-manual.html").read_bytes())
    md = page.markdown
    # prose straight in <body>, before the first paragraph and after each code block
    assert md.startswith("People often ask how the `tp_open()`")
    assert "First come the header files." in md and "Sixteen kilobytes is the" in md
    assert "façade" in md  # read in the page's own encoding (ISO-8859-1)
    # <pre><b> is code, fenced, not bold prose
    assert '```\n#include <stdio.h>\n#include "tarpit.h"\n```' in md and "**" not in md
    path, _ = save(page, tmp_path)
    bot = Briefbot.from_folder(tmp_path, save=False, semantic=False)
    kinds = {p.text.splitlines()[1]: p.kind for p in bot.index.passages if p.kind == "code"}
    assert kinds == {
        "/* tpcopy.c: copy an archive with tarpit": "code",
        "#include <stdio.h>": "code",
        "#define CHUNK 16384": "code",
    }


def test_a_page_without_a_main_container_keeps_its_headings_and_lists(tmp_path, lexical_only):
    # trafilatura finds no main container here and would keep bare paragraphs only
    page = read_page((WEB / "sqlite-whentouse.html").read_bytes())
    md = page.markdown
    assert re.findall(r"^#+ (.+)$", md, re.M)[:3] == [
        "Appropriate Uses For SQLite",
        "Situations Where SQLite Works Well",
        "Situations Where A Client/Server RDBMS May Work Better",
    ]
    assert "- **Embedded devices and the internet of things**" in md  # a list item
    assert "4. **Otherwise → choose SQLite!**" in md
    assert not [c for c in ("Small. Fast. Reliable.", "Purchase", "Download") if c in md]
    save(page, tmp_path)
    bot = Briefbot.from_folder(tmp_path, save=False, semantic=False)
    sections = {p.section for p in bot.index.passages}
    assert "Situations Where SQLite Works Well" in sections


def test_a_headings_permalink_glyph_is_not_part_of_the_heading():
    prose = " ".join(["The cache keeps each response it may serve again."] * 6)
    html = (
        "<html><body><div class='nav'><a href='/'>Home</a></div><h1>Guide</h1>"
        f"<h2 id='a'>Introduction <a class='permalink' href='#a'>¶</a></h2><p>{prose}</p>"
        f"<h2 id='b'>Details <a href='#b'>#</a></h2><p>{prose}</p></body></html>"
    )
    md = read_page(html).markdown
    assert re.findall(r"^#+ (.+)$", md, re.M) == ["Guide", "Introduction", "Details"]


def test_a_title_taken_from_a_heading_leaves_its_permalink_glyph_out():
    prose = " ".join(["Each archive keeps the files as they were when it was made."] * 6)
    html = (
        "<html><head><title>Quick Start &#8212; Archiver 1.2 documentation</title></head>"
        "<body><div role='main'><h1>Quick Start<a class='headerlink' href='#qs'>¶</a></h1>"
        f"<p>{prose}</p><h2>Backups<a class='headerlink' href='#b'>¶</a></h2><p>{prose}</p>"
        "</div></body></html>"
    )
    assert read_page(html).title == "Quick Start"


def test_inline_code_across_lines_stays_inline_and_the_prose_after_it_stays_prose(
    tmp_path, lexical_only
):
    prose = " ".join(["Each rule names the command that builds its outputs."] * 5)
    html = (
        "<html><body><h1>Manual</h1><h2>Generators</h2>"
        "<p>The helper module lets you make calls like <code class='literal'>rule(name='cc',\n"
        "command='gcc')</code> and it writes the syntax for you.</p>"
        f"<h2>Pools</h2><p>{prose}</p><pre>pool link\n  depth = 4</pre>"
        f"<p>There is a pool named console with a depth of one. {prose}</p></body></html>"
    )
    page = read_page(html)
    assert "calls like `rule(name='cc', command='gcc')` and it writes" in page.markdown
    save(page, tmp_path)
    bot = Briefbot.from_folder(tmp_path, save=False, semantic=False)
    kinds = {p.text.split(".")[0]: (p.kind, p.section) for p in bot.index.passages}
    assert kinds["There is a pool named console with a depth of one"] == ("text", "Pools")
    assert [p.text for p in bot.index.passages if p.kind == "code"] == [
        "```\npool link\n  depth = 4\n```"
    ]


def test_an_underscore_inside_a_name_is_written_without_its_escape():
    prose = " ".join(["Lookup tables map one address to another address."] * 6)
    html = (
        "<html><body><h1>Rewriting</h1><h2>Headers</h2>"
        "<p>The local_header_rewrite_clients parameter controls which clients are local; "
        "the DATABASE_README document introduces tables, and _private stays as it is. "
        f"Run <code>postmap hash_table</code> after a change.</p><p>{prose}</p>"
        "<pre>canonical_maps = hash:/etc/postfix/canonical</pre></body></html>"
    )
    markdown = read_page(html).markdown
    assert "The local_header_rewrite_clients parameter" in markdown
    assert "the DATABASE_README document" in markdown
    assert "`postmap hash_table`" in markdown
    assert "canonical_maps = hash:/etc/postfix/canonical" in markdown
    assert "and \\_private stays" in markdown  # not inside a word: left as it was written


def test_a_comment_in_a_code_block_is_not_taken_for_a_kept_heading():
    # DocBook's chapter pages: trafilatura keeps the prose and the code but not the headings
    # inside their "titlepage" divs; the "# ..." comments of the code are no headings, so
    # the whole body is read again, headings and all
    prose = " ".join(["Each viewer entry names the program that shows one kind of content."] * 4)

    def sect(n: int, title: str, body: str) -> str:
        return (
            '<div class="sect1"><div class="titlepage"><div><div><h2 class="title">'
            f'<a id="s{n}"></a>{n}. {title}</h2></div></div></div>{body}</div>'
        )

    html = (
        "<html><head><title>Chapter 5. Viewers</title></head><body>"
        '<div class="navheader"><a href="a.html">Prev</a></div><div class="chapter">'
        '<div class="titlepage"><div><div><h1 class="title">Chapter 5. Viewers</h1>'
        f"</div></div></div><p>{prose}</p>"
        + sect(
            1,
            "Viewer files",
            f'<p>{prose}</p><pre class="screen"><span class="comment"># images</span>\n'
            'image/*; xv %s\n<span class="comment"># pages</span>\ntext/html; lynx %s\n</pre>',
        )
        + sect(2, "Viewer order", f"<p>{prose} The first matching entry wins.</p>")
        + '</div><div class="navfooter"><a href="b.html">Next</a></div></body></html>'
    )
    markdown = read_page(html).markdown
    assert "## 1. Viewer files" in markdown and "## 2. Viewer order" in markdown
    assert "```\n# images\nimage/*; xv %s\n# pages\ntext/html; lynx %s\n```" in markdown


def test_a_code_block_inside_a_list_item_opens_on_its_own_line(tmp_path):
    # trafilatura writes "<li>run: <pre>…</pre></li>" as "- run: ```": a fence that does
    # not begin its line opens nothing, and every later fence then pairs with the wrong one
    prose = " ".join(["The archive keeps every version of every file it was given."] * 4)
    html = (
        "<html><head><title>Quick tour</title></head><body><article><h1>Quick tour</h1>"
        f"<p>{prose}</p><h2>Steps</h2><ol>"
        '<li><p>Make a repository first:</p><div class="highlight"><pre>$ arc init /srv/repo\n'
        '</pre></div></li><li><p>Then add your files to it:</p><div class="highlight">'
        "<pre>$ arc add /srv/repo ~/src\n</pre></div></li>"
        f"</ol><p>{prose} Nothing is ever sent anywhere else.</p></article></body></html>"
    )
    page = read_page(html)
    assert "Make a repository first:\n```\n$ arc init /srv/repo\n```" in page.markdown
    path, _ = save(page, tmp_path)
    passages = split_passages(load_document(path))
    code = [p.text for p in passages if p.kind == "code"]
    assert code == ["```\n$ arc init /srv/repo\n```", "```\n$ arc add /srv/repo ~/src\n```"]
    assert any(
        "Nothing is ever sent anywhere else." in p.text for p in passages if p.kind == "text"
    )


def _main(inner: str, sentence: str) -> str:
    """A page whose main container holds ``inner``; "{prose}" in it is ``sentence`` four
    times over (enough words for an article)."""
    body = inner.format(prose=" ".join([sentence] * 4))
    return f"<html><body><div role='main'>{body}</div></body></html>"


def test_a_heading_whose_text_is_a_link_keeps_its_text():
    # Sphinx's table-of-contents back-references wrap each heading's text in a link
    html = _main(
        "<h1><a class='toc-backref' href='#id1'>Toolchains</a><a class='headerlink' "
        "href='#t'>¶</a></h1><p>{prose}</p><h2><a class='toc-backref' href='#id2'>Languages"
        "</a><a class='headerlink' href='#l'>¶</a></h2><p>{prose}</p>",
        "A toolchain file tells the build which compilers to use.",
    )
    assert re.findall(r"^#+ (.+)$", read_page(html).markdown, re.M) == ["Toolchains", "Languages"]


def test_a_definition_lists_term_and_definition_are_one_item():
    html = _main(
        "<h1>Options</h1><p>{prose}</p><dl>"
        "<dt><span class='term'><code>--depth=&lt;number&gt;</code> (default: 30) </span></dt>"
        "<dd><p>Maximum depth of the allocation trees\n      recorded for snapshots.</p></dd>"
        "<dt><strong>contains</strong></dt><dd>Checks if the value is in the property.</dd>"
        "<dt>example</dt><dd><pre>run --depth=5</pre></dd></dl>",
        "Each option changes how the profiler records a program's heap.",
    )
    md = read_page(html).markdown
    assert (
        "- `--depth=<number>` (default: 30): Maximum depth of the allocation trees recorded "
        "for snapshots." in md
    )
    assert "- **contains**: Checks if the value is in the property." in md
    assert "- example\n" in md and "run --depth=5" in md  # a code definition: left as it was


def test_a_manual_pages_definitions_open_with_markup_and_its_terms_touching_emphasis():
    # man2html: "<dt>term<dd>" with no closing tags, a definition that opens with bold,
    # and a term made of italic and bold written with nothing between them
    html = _main(
        "<h1>Expansion</h1><p>{prose}</p><dl compact>"
        "<dt>${{<i>parameter</i><b>:-</b><i>word</i>}}<dd>\n<b>Use Default Values</b>.  If "
        "<i>parameter</i> is unset or null, <i>word</i> is substituted.\n"
        "<dt>${{#<i>parameter</i>}}<dd>\nThe length of <i>parameter</i> is <b>un</b>changed.</dl>",
        "Each form changes how the shell expands a parameter.",
    )
    md = read_page(html).markdown
    assert (
        "- ${parameter:-word}: **Use Default Values**. If *parameter* is unset or null, "
        "*word* is substituted." in md
    )
    assert "- ${#*parameter*}: The length of *parameter* is **un**changed." in md


def test_a_documented_functions_permalink_glyph_is_not_part_of_its_term():
    html = _main(
        "<h1>Functions</h1><p>{prose}</p><dl class='py function'>"
        "<dt id='arrange'><span class='sig-name'>arrange</span>(<em>items</em>)"
        "<a class='headerlink' href='#arrange'>¶</a></dt>"
        "<dd><p>Lay out the items in a grid.</p></dd>"
        "<dt>see <a href='#other'>other</a></dt><dd><p>The other one.</p></dd></dl>",
        "The toolkit draws widgets in a window and lays them out.",
    )
    md = read_page(html).markdown
    assert "- arrange(*items*): Lay out the items in a grid." in md
    assert "¶" not in md
    assert "- see other: The other one." in md  # a term's other links keep their text


def test_a_copyright_year_or_an_examples_timestamp_is_not_the_publication_date():
    prose = " ".join(["Each widget is drawn in its own window on the screen."] * 6)
    page = read_page(
        f"<html><head><title>Widgets</title></head><body><div role='main'><h1>Widgets</h1>"
        f"<p>{prose}</p></div><div class='footer'>&#169; Copyright 2019, The Authors.</div>"
        "</body></html>"
    )
    assert page.published is None
    dated = read_page(
        "<html><head><title>Widgets</title>"
        "<meta property='article:published_time' content='2021-03-04T10:00:00Z'></head>"
        f"<body><article><h1>Widgets</h1><p>{prose}</p></article></body></html>"
    )
    assert dated.published == "2021-03-04"
    logged = read_page(  # a timestamp in an example's output is no date of the page
        "<html><head><title>Widgets</title></head><body><div role='main'><h1>Widgets</h1>"
        f"<p>{prose}</p><pre>drawn at 2015-05-08 21:40:19.88 +0200</pre></div></body></html>"
    )
    assert logged.published is None


def test_code_inside_inline_code_loses_no_words_after_it():
    # Apache's manual writes a directive's name as code inside code
    html = _main(
        "<h1>Auth</h1><p>{prose}</p><p>Rather than selecting <code><code class='directive'>"
        "<a href='p.html'>AuthBasicProvider</a></code> file</code>, instead you can choose "
        "<code>dbm</code> as your storage format.</p><p>{prose}</p>",
        "The server checks each request against the configured providers.",
    )
    assert (
        "Rather than selecting `AuthBasicProvider file`, instead you can choose `dbm` as your "
        "storage format." in read_page(html).markdown
    )
