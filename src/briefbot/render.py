"""Turning answers into text: for a terminal, and as the stable JSON contract.

(The Discord message renderer lives in :mod:`briefbot.discord_render`; it builds plain
data, so the CLI harness can print exactly what the bot would send.)
"""

from __future__ import annotations

import re
import textwrap
from typing import Any
from urllib.parse import quote

from . import wording
from .answers import Answer, Hit
from .passages import Passage
from .quote import quote_marks_clash
from .summaries import Summary, Topic

BOLD, RESET, DIM = "\033[1m", "\033[0m", "\033[2m"


def source_dict(passage: Passage) -> dict[str, Any]:
    doc = passage.document
    return {
        "document": doc.id,
        "title": doc.title,
        "section": passage.section,
        "paragraph": passage.paragraph,
        "start": passage.start,
        "end": passage.end,
        "url": doc.url,
        "authors": list(doc.authors),
    }


def answer_to_json(answer: Answer) -> dict[str, Any]:
    """The ``briefbot ask --json`` contract (kept stable: other tools read it; "byline" is
    set, and "results" empty, when the document's metadata answers who wrote it or where it
    comes from: "asked" says which)."""
    doc = answer.authored
    return {
        "question": answer.question,
        "answered": answer.answered,
        "reason": answer.reason,
        "byline": None
        if doc is None
        else {
            "text": wording.attribution(doc, answer.sourced)[0],
            "asked": "source" if answer.sourced else "authors",
            "document": doc.id,
            "title": doc.title,
            "authors": list(doc.authors),
            "translator": doc.translator,
            "url": doc.url,
        },
        "results": [
            {
                "rank": hit.rank,
                "score": float(hit.score),  # four significant digits (answers.Hit)
                "text": hit.passage.text,
                "quote": hit.excerpt.text,
                "matched": list(hit.excerpt.matched),
                "source": source_dict(hit.passage),
            }
            for hit in answer.hits
        ],
    }


def attribution(passage: Passage) -> str:
    """'Title › Section › ¶ 12 · Authors (translated by …)' on one line."""
    doc = passage.document
    parts = [doc.title]
    if passage.section:
        parts.append(passage.section)
    parts.append(f"¶ {passage.paragraphs}")
    line = " › ".join(parts)
    if doc.byline:
        line += f" · {doc.byline}"
    return line


_FENCE = re.compile(r"(?:`{3,}|~{3,})[\w+-]*")


def quote_link(passage: Passage, quote: str) -> str | None:
    """The document's link, with a text fragment that scrolls a browser to the quote."""
    url = passage.document.url
    if not url:
        return None
    # a code fence's marks ("```shell") are Markdown, not words a browser finds on the page
    words = [w for w in quote.split() if not _FENCE.fullmatch(w)]
    if not words:
        return url

    def enc(ws: list[str]) -> str:
        return quote_fragment(" ".join(ws))

    fragment = enc(words) if len(words) <= 8 else f"{enc(words[:4])},{enc(words[-4:])}"
    return f"{url}#:~:text={fragment}"


def quote_fragment(text: str) -> str:
    # '-', ',' and '&' have a meaning in text fragments and must be percent-encoded
    return quote(text.replace("\xa0", " "), safe="").replace("-", "%2D")


def highlight(hit: Hit, on: str, off: str) -> str:
    """The excerpt with its matched words wrapped in ``on``/``off``."""
    text, out, last = hit.excerpt.text, [], 0
    for a, b in hit.excerpt.highlights:
        out.append(text[last:a])
        out.append(on + text[a:b] + off)
        last = b
    out.append(text[last:])
    return "".join(out)


def answer_to_text(answer: Answer, *, color: bool = False, width: int = 88) -> str:
    """A readable answer for a terminal: quotes, matched words, attribution and link."""
    lines: list[str] = []
    for note in answer.notes:
        lines.append(f"({note})")
    if answer.corrections:
        fixes = ", ".join(f"{a} → {b}" for a, b in answer.corrections)
        lines.append(f"(Searched with corrected spelling: {fixes})")
    if not answer.answered:
        lines.append(answer.reason or "The article does not answer this question.")
        return "\n".join(lines)
    if answer.authored is not None:
        lines.extend(wording.attribution(answer.authored, answer.sourced))
    for hit in answer.hits:
        body = highlight(hit, BOLD, RESET) if color else hit.excerpt.text
        if not quote_marks_clash(hit.excerpt.text):
            body = f"“{body}”"
        lines.append("")
        lines.append(
            textwrap.fill(f"{hit.rank}. {body}", width=width, subsequent_indent="   ")
            if not color
            else f"{hit.rank}. {body}"
        )
        if hit.excerpt.matched:
            lines.append(f"   matched: {', '.join(hit.excerpt.matched)}")
        meta = f"   — {attribution(hit.passage)}"
        lines.append(f"{DIM}{meta}{RESET}" if color else meta)
        link = quote_link(hit.passage, hit.excerpt.text)
        if link:
            lines.append(f"   {link}")
    return "\n".join(lines).lstrip("\n")


def summary_to_json(summary: Summary) -> dict[str, Any]:
    """The ``briefbot summary --json`` contract: each sentence with its own offsets."""
    return {
        "topic": summary.topic,
        "found": summary.found,
        "reason": summary.reason,
        "sentences": [
            {"text": s.text, "source": {**source_dict(s.passage), "start": s.start, "end": s.end}}
            for s in summary.sentences
        ],
    }


def summary_to_text(summary: Summary, *, width: int = 88) -> str:
    """A summary for a terminal: numbered quotes in the documents' order, each attributed."""
    subject = summary.subject
    if not summary.found:
        return summary.reason or wording.sentence(subject, "does", f"not discuss {summary.topic}.")
    if summary.topic is None:
        lines = [f"{subject[:1].upper()}{subject[1:]} in brief:"]
    else:
        says = "say" if subject == "the documents" else "says"
        lines = [f"What {subject} {says} about {summary.title}:"]
    for n, sentence in enumerate(summary.sentences, 1):
        lines.append("")
        lines.append(textwrap.fill(f"{n}. “{sentence.text}”", width=width, subsequent_indent="   "))
        lines.append(f"   — {attribution(sentence.passage)}")
        link = quote_link(sentence.passage, sentence.text)
        if link:
            lines.append(f"   {link}")
    return "\n".join(lines)


def topics_to_text(topics: tuple[Topic, ...], *, width: int = 88) -> str:
    """Section headings one per line, then names and concepts with their paragraph counts."""
    lines: list[str] = []
    sections = [t for t in topics if t.kind == "section"]
    terms = [t for t in topics if t.kind != "section"]
    if sections:
        lines.append("Sections:")
        lines.extend(f"  {t.name} ({t.passages} ¶)" for t in sections)
    if terms:
        if lines:
            lines.append("")
        lines.append("Names and terms (paragraphs that mention them):")
        listed = ", ".join(f"{t.name} ({t.passages})" for t in terms)
        lines.append(textwrap.fill(listed, width, initial_indent="  ", subsequent_indent="  "))
    return "\n".join(lines) if lines else "No topics found."
