"""Make the evaluation documents from Debian's documentation packages.

    apt-get download doc-debian git-doc developers-reference debian-handbook
    python benchmarks/corpora/make_corpora.py *.deb

Each document becomes one Markdown file under benchmarks/corpora/<name>/ with front matter
(title, authors, publisher, url, licence) and `##` headings; code and literal blocks are
left out (the documents are evaluated as prose). The output is committed, so this script
only needs to run again to change the selection. Python's own documentation is never used
here: it is kept for independent evaluation.
"""

from __future__ import annotations

import gzip
import html
import re
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).parent


def _front(**fields: object) -> str:
    lines = ["---"]
    for key, value in fields.items():
        if isinstance(value, list):
            lines.append(f"{key}: [" + ", ".join(f'"{v}"' for v in value) + "]")
        else:
            lines.append(f'{key}: "{value}"')
    return "\n".join(lines) + "\n---\n"


def _paragraphs(lines: list[str]) -> list[str]:
    out, cur = [], []
    for line in lines + [""]:
        if line.strip():
            cur.append(line.strip())
        elif cur:
            out.append(" ".join(cur))
            cur = []
    return out


def manifesto(root: Path) -> str:
    raw = gzip.decompress((root / "usr/share/doc/debian/debian-manifesto.gz").read_bytes())
    lines = raw.decode("utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("What is Debian Linux?"))
    body: list[str] = []
    block: list[str] = []
    for i in range(start, len(lines)):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if re.fullmatch(r"=+", line.strip()):
            continue
        if re.fullmatch(r"=+", nxt.strip()) and line.strip():
            body += _paragraphs(block)
            block = []
            body.append("## " + line.strip())
            continue
        block.append(line)
    body += _paragraphs(block)
    head = _front(
        title="The Debian Linux Manifesto",
        authors=["Ian A. Murdock"],
        publisher="Debian",
        published="1994-01-06",
        url="https://www.debian.org/doc/manuals/project-history/manifesto.en.html",
        licence="Open Publication License v1.0 (doc-debian package)",
    )
    return head + "\n\n".join(body) + "\n"


_ROLE = re.compile(r":(?:ref|doc|manpage|file|command|samp|term):`([^`<]*?)\s*(?:<[^>]*>)?`")


def rst(path: Path) -> tuple[str, list[str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    body: list[str] = []
    block: list[str] = []
    title = ""
    i = 0
    literal_indent: int | None = None
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if literal_indent is not None:
            if line.strip() and len(line) - len(line.lstrip()) <= literal_indent:
                literal_indent = None
            else:
                i += 1
                continue
        if line.startswith(".."):
            body += _paragraphs(block)
            block = []
            literal_indent = 0
            i += 1
            continue
        if nxt and re.fullmatch(r"([=*\-~^])\1{3,}", nxt.strip()) and line.strip():
            body += _paragraphs(block)
            block = []
            text = _inline(line.strip())
            if not title:
                title = text
            else:
                body.append("## " + text)
            i += 2
            continue
        if line.rstrip().endswith("::"):
            block.append(line.rstrip()[:-1] if line.strip() != "::" else "")
            body += _paragraphs([_inline(b) for b in block])
            block = []
            literal_indent = len(line) - len(line.lstrip())
            i += 1
            continue
        stripped = re.sub(r"^\s*(?:[-*]|\d+\.|#\.)\s+", "", line)
        if stripped != line:  # a list item starts a paragraph of its own
            body += _paragraphs([_inline(b) for b in block])
            block = []
        block.append(_inline(stripped))
        i += 1
    body += _paragraphs(block)
    return title, body


def _inline(text: str) -> str:
    text = _ROLE.sub(r"\1", text)
    text = re.sub(r"`([^`<]+?)\s*<[^>]+>`_+", r"\1", text)
    text = text.replace("``", "")
    return text


def developer_duties(root: Path) -> str:
    path = root / "usr/share/developers-reference/_sources/developer-duties.rst.txt"
    title, body = rst(path)
    head = _front(
        title="Debian Developer's Duties",
        authors=["Developer's Reference Team"],
        publisher="Debian (Debian Developer's Reference)",
        url="https://www.debian.org/doc/manuals/developers-reference/developer-duties.html",
        licence="MIT-style licence of the developers-reference package",
    )
    return head + "\n\n".join(body) + "\n"


def gitfaq(root: Path) -> str:
    lines = (root / "usr/share/doc/git-doc/gitfaq.txt").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line == "DESCRIPTION")
    body: list[str] = []
    block: list[str] = []
    in_code = False
    i = start + 2
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if line.rstrip() == "----":
            in_code = not in_code
            i += 1
            continue
        if in_code:
            i += 1
            continue
        if line.startswith("GIT") and re.fullmatch(r"-+", nxt):
            break
        if re.fullmatch(r"-+", nxt) and len(nxt) == len(line) and line.strip():
            body += _paragraphs(block)
            block = []
            body.append("## " + line.strip())
            i += 2
            continue
        if line.startswith("[[") or line.strip() == "+":
            body += _paragraphs(block)
            block = []
            i += 1
            continue
        if line.endswith("::"):
            body += _paragraphs(block)
            block = []
            body.append(line[:-2].strip())
            i += 1
            continue
        block.append(re.sub(r"linkgit:([\w-]+)\[(\d)\]", r"\1(\2)", line))
        i += 1
    body += _paragraphs(block)
    head = _front(
        title="gitfaq: Frequently asked questions about using Git",
        authors=["The Git project"],
        publisher="Git (git-doc 2.39)",
        url="https://git-scm.com/docs/gitfaq",
        licence="GPL-2.0 (git-doc package)",
    )
    return head + "\n\n".join(body) + "\n"


class _Text(HTMLParser):
    """Headings and paragraphs (DocBook's div.para) of an HTML chapter, nothing else."""

    SKIP = ("toc", "docnav")

    def __init__(self) -> None:
        super().__init__()
        self.out: list[str] = []
        self.stack: list[tuple[str, str]] = []  # (tag, what it opens: skip / para / head / "")
        self.cur: list[str] = []

    def _inside(self, what: str) -> bool:
        return any(w == what for _, w in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "img", "hr", "meta", "link", "input"):
            return
        cls = dict(attrs).get("class") or ""
        what = ""
        if tag in ("pre", "script", "style") or any(c in cls.split() for c in self.SKIP):
            what = "skip"
        elif tag in ("h1", "h2", "h3", "h4") and not self._inside("para"):
            what = "head"
        elif (tag == "div" and "para" in cls.split()) and not self._inside("para"):
            what = "para"
        if what in ("para", "head") and not self._inside("skip"):
            self.cur = []
        self.stack.append((tag, what))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            open_tag, what = self.stack.pop()
            if what in ("para", "head") and not self._inside("skip"):
                text = re.sub(r"\s+", " ", "".join(self.cur)).strip()
                if text:
                    self.out.append(("## " if what == "head" else "") + text)
                self.cur = []
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._inside("skip") and (self._inside("para") or self._inside("head")):
            self.cur.append(data)


def handbook(root: Path) -> str:
    folder = root / "usr/share/doc/debian-handbook/html/en-US"
    pages = [
        "the-debian-project.html",
        "sect.foundation-documents.html",
        "sect.debian-internals.html",
        "sect.role-of-distributions.html",
        "sect.release-lifecycle.html",
    ]
    body: list[str] = []
    for page in pages:
        parser = _Text()
        parser.feed(html.unescape(folder.joinpath(page).read_text(encoding="utf-8")))
        body += [p for p in parser.out if not re.match(r"## (Chapter|Table of Contents)", p)]
    body = [re.sub(r"^## [\d.]+\.? ", "## ", p) for p in body]
    body = [p for p in body if not p.startswith("## ") or len(p) < 120]
    seen: set[str] = set()
    unique = [p for p in body if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]
    head = _front(
        title="The Debian Project (The Debian Administrator's Handbook, chapter 1)",
        authors=["Raphaël Hertzog", "Roland Mas"],
        publisher="Freexian SARL (debian-handbook 11)",
        url="https://debian-handbook.info/browse/stable/debian-project.html",
        licence="CC BY-SA 3.0 or GPL-2.0+ (debian-handbook package)",
    )
    return head + "\n\n".join(unique) + "\n"


MAKERS = {
    "doc-debian": ("debian-manifesto", manifesto),
    "developers-reference": ("developer-duties", developer_duties),
    "git-doc": ("gitfaq", gitfaq),
    "debian-handbook": ("debian-project", handbook),
}


def main(debs: list[str]) -> None:
    for deb in debs:
        package = Path(deb).name.split("_")[0]
        name, make = MAKERS[package]
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["dpkg-deb", "-x", deb, tmp], check=True)
            text = make(Path(tmp))
        out = HERE / name / f"{name}.md"
        out.parent.mkdir(exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"{out}: {len(text.split())} words")


if __name__ == "__main__":
    main(sys.argv[1:])
