"""Discord messages as plain data: one place turns answers, summaries and the rest into them.

No ``discord`` import here. A :class:`DiscordMessage` holds exactly what the bot sends
(content, embeds in Discord's JSON shape, buttons, the ephemeral flag), so the local
harness (``briefbot repl``) prints the very message the channel gets, and the tests check
the limits without a client. Every documented limit is enforced here (content 2000; embed
title 256, description 4096, 25 fields of 256/1024, footer 2048, 6000 in all; button label
80, custom_id 100, 5 rows of 5; 25 autocomplete choices of 100).

Quotes are verbatim: a quote is a block quote of the excerpt's own text (the block is
the quotation mark: no marks of ours that would double the source's own), with Discord
markdown and mentions escaped (undo the escapes and it is a substring of the passage),
except a Markdown document's own inline markup: its code spans, web links and emphasis are
passed on as written (:mod:`briefbot.markup`), so the channel shows `code` as code and
links as links, and the characters are still the source's.
When a quote must be shortened it is cut on a word boundary and marked with "…". Bold
(``**``) marks the question's own words (and their forms) where the quote has them.

Buttons carry their state in their custom_id, so they keep working after a restart:

``bb:more:<fingerprint>:<offset>:<question>``
    The next excerpts of ``question``, skipping ``offset`` hits. When the question does not
    fit in the 100 characters, ``#<hash>`` stands in for it and the bot reads the question
    back from the title of the message the button is on (:func:`question_for_more`).
``bb:more:<fingerprint>:<offset>@<document>:<question>``
    The same for an answer limited to one document. ``<document>`` is the document's
    position in the corpus, not its id: the fingerprint already pins the list of
    documents, so the position names the same one, and unlike an id (a file path) it
    always fits in the 100 characters, leaving the room to the question.
``bb:ctx:<fingerprint>:<passage id>``
    The paragraphs around a passage.
``bb:vote:<token>:up`` / ``bb:vote:<token>:down``
    👍 / 👎 on the answer whose outcome was stored as ``<token>`` (:mod:`briefbot.feedback`);
    a vote does not depend on the corpus, so it never expires with it.

``<fingerprint>`` identifies the corpus and how it was split into passages
(:func:`corpus_fingerprint`): when the corpus changes, passage ids and offsets may mean
something else, so a button whose fingerprint no longer matches answers "This button has
expired: ask again." instead of quoting the wrong paragraph.
"""

from __future__ import annotations

import hashlib
import re
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import defaults, wording
from .errors import InputError
from .markup import Construct, constructs, within
from .question import clean_text
from .render import attribution, quote_link
from .wording import sentence

if TYPE_CHECKING:
    from .answers import Answer
    from .corpus import Document
    from .engine import Briefbot
    from .feedback import Gap
    from .passages import Passage
    from .summaries import Summary, SummarySentence, Topic

# Discord's documented limits.
CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_COUNT_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
EMBEDS_TOTAL_LIMIT = 6000
EMBED_COUNT_LIMIT = 10
BUTTON_LABEL_LIMIT = 80
CUSTOM_ID_LIMIT = 100
BUTTONS_PER_ROW = 5
ROW_LIMIT = 5
CHOICE_LIMIT = 25
CHOICE_NAME_LIMIT = 100

COLOR = 0x3B82F6
ELLIPSIS = "…"
MAX_CONTEXT_BUTTONS = 4  # with "More", one row of five
MIN_BLOCK = 700  # room each quote with its attribution gets before later ones are dropped
MIN_QUOTE = 280  # a quote cut shorter than this is left for "More" instead
EXPIRED = "This button has expired: ask again."


@dataclass(frozen=True)
class Button:
    """A message button: ``style`` is "primary", "secondary" or "link" (with ``url``)."""

    label: str
    custom_id: str | None
    style: str = "secondary"
    url: str | None = None


@dataclass(frozen=True)
class DiscordMessage:
    """What the bot sends: Discord's message fields as plain data."""

    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    ephemeral: bool = False


# --- escaping -------------------------------------------------------------------------

# discord.utils.escape_markdown(text) semantics (as_needed=False, ignore_links=True),
# except that a URL may not contain a backslash, so that unescape() is its exact inverse.
_MARKDOWN_COMMON = r"^>(?:>>)?\s|\[.+\]\(.+\)|^#{1,3}|^\s*-"
_URL = r"(?P<url><[^: >\\]+:\/[^ >\\]+>|(?:https?|steam):\/\/[^\s<\\]+[^<.,:;\"\'\]\s\\])"
_MARKDOWN = re.compile(rf"(?:{_URL}|(?P<markdown>[_\\~|\*`\[]|{_MARKDOWN_COMMON}))", re.MULTILINE)
_MENTION_WORD = r"(?:everyone|here|[!&]?[0-9]{17,20})"
# a zero-width space after "@" breaks a mention; one already there gets another, so that
# unescape() can remove exactly the one escape() added
_MENTION = re.compile(rf"@(\u200b*{_MENTION_WORD})")
_UNESCAPE = re.compile(rf"\\(.)|@\u200b(?=\u200b*{_MENTION_WORD})", re.S)


def escape_markdown(text: str) -> str:
    """Backslash-escape Discord markdown (``discord.utils.escape_markdown`` semantics)."""

    def repl(match: re.Match[str]) -> str:
        return match.group("url") or "\\" + match.group("markdown")

    return _MARKDOWN.sub(repl, text)


def escape_mentions(text: str) -> str:
    """Break @everyone, @here, <@user> and <@&role> with a zero-width space."""
    return _MENTION.sub("@\u200b\\1", text)


def escape(text: str) -> str:
    """Text that Discord shows as written: no formatting, no mention."""
    return escape_mentions(escape_markdown(text))


def unescape(text: str) -> str:
    """Undo :func:`escape`: the text as it was written."""
    return _UNESCAPE.sub(lambda m: m.group(1) if m.group(1) is not None else "@", text)


def truncate(text: str, limit: int) -> str:
    """``text`` cut on a word boundary to at most ``limit`` characters, ending in "…"."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[:limit]
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    # never leave a dangling escape backslash
    while cut.endswith("\\") and (len(cut) - len(cut.rstrip("\\"))) % 2:
        cut = cut[:-1]
    return cut.rstrip() + ELLIPSIS


def _link(text: str, url: str | None) -> str:
    """A masked link ``[text](url)``; ``text`` is already escaped."""
    if not url:
        return text
    text = text.replace("]", "\\]")  # escape() already turned "[" into "\\["
    url = url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    return f"[{text}]({url})"


# --- quotes ---------------------------------------------------------------------------


def _escape_span(text: str, a: int, b: int) -> str:
    """``escape(text[a:b])``, with line-start rules only where a line really starts."""
    if a == 0 or text[a - 1] == "\n":
        return escape(text[a:b])
    return escape("\0" + text[a:b])[1:]  # "\0" keeps "^" from matching at ``a``


def _bold(
    text: str,
    highlights: Sequence[tuple[int, int]],
    lo: int,
    hi: int,
    markup: Sequence[Construct] = (),
) -> str:
    """``text[lo:hi]`` escaped, with the highlighted spans inside it in bold, and the
    source's own inline Markdown (``markup``) passed through where all of it is inside."""
    shown = [c for c in markup if lo <= c.start and c.end <= hi]
    verbatim = sorted(piece for c in shown for piece in c.pieces)
    # no bold of ours inside code or emphasis, nor in a link's brackets and address
    closed = [span for c in shown for span in c.guarded]
    marks = [
        (a, b)
        for a, b in highlights
        if lo <= a and b <= hi and not any(a < y and x < b for x, y in closed)
    ]
    cuts = sorted({lo, hi, *(x for span in verbatim + marks for x in span)})
    starts = {a for a, _ in marks}
    ends = {b for _, b in marks}
    raw = dict(verbatim)
    parts: list[str] = []
    i = 0
    while i < len(cuts) - 1:
        a = cuts[i]
        if a in ends:
            parts.append("**")
        if a in starts:
            parts.append("**")
        if a in raw:  # markup, as written
            parts.append(text[a : raw[a]])
            i = cuts.index(raw[a])
            continue
        parts.append(_escape_span(text, a, cuts[i + 1]))
        i += 1
    if hi in ends:
        parts.append("**")
    return "".join(parts)


def _as_blockquote(body: str) -> str:
    return "\n".join("> " + line for line in body.split("\n"))


def _quote_at(
    text: str,
    highlights: Sequence[tuple[int, int]],
    lo: int,
    hi: int,
    markup: Sequence[Construct] = (),
) -> str:
    body = _bold(text, highlights, lo, hi, markup)  # the block quote is the quotation mark
    if hi < len(text):
        body += ELLIPSIS
    if lo > 0:
        body = ELLIPSIS + body
    return _as_blockquote(body)


def markup_of(passage: Passage, start: int, end: int) -> tuple[Construct, ...]:
    """The inline Markdown of ``passage.text[start:end]`` that Discord can render (code
    spans, web links, emphasis), in offsets from ``start``; none for plain text or code."""
    if passage.kind != "text" or not passage.document.markdown:
        return ()
    return within(constructs(passage.text), start, end)


def _word_ends(text: str) -> list[int]:
    return [m.end() for m in re.finditer(r"\S+", text)]


def _word_starts(text: str) -> list[int]:
    return [m.start() for m in re.finditer(r"\S+", text)]


def render_quote(
    text: str,
    highlights: Sequence[tuple[int, int]] = (),
    limit: int = DESCRIPTION_LIMIT,
    *,
    keep: str = "start",
    markup: Sequence[Construct] = (),
) -> str | None:
    """A block quote of ``text`` in at most ``limit`` characters, or None if no word fits.

    Too long, it keeps the start (or, with ``keep="end"``, the end) up to a word boundary
    and puts "…" outside the quote marks. ``markup``: the text's inline Markdown, shown
    rendered where the quote holds all of a construct (:func:`markup_of`).
    """
    full = _quote_at(text, highlights, 0, len(text), markup)
    if len(full) <= limit:
        return full
    if keep == "end":
        cuts = _word_starts(text)[1:]
        cuts.reverse()  # later start = shorter quote; find the earliest start that fits

        def make(i: int) -> str:
            return _quote_at(text, highlights, cuts[i], len(text), markup)
    else:
        cuts = _word_ends(text)[:-1]

        def make(i: int) -> str:
            return _quote_at(text, highlights, 0, cuts[i], markup)

    # lengths grow with i: find the largest i that fits
    lo, hi, best = 0, len(cuts) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        candidate = make(mid)
        if len(candidate) <= limit:
            best, lo = candidate, mid + 1
        else:
            hi = mid - 1
    return best


# --- answers --------------------------------------------------------------------------


MAX_URL = 512  # a longer document link is left out of a message: the label still names it
SHORT_LABEL = 60  # a section label shortened to make room for the quote


SECTION_CHARS = 40  # a section heading under a quote, shortened to fit a phone's line


def short_section(path: str, limit: int = SECTION_CHARS) -> str:
    """A section path for a phone's line: whole when it fits, else its last heading
    ("… › Removing a file"), shortened if need be."""
    if len(path) <= limit:
        return path
    last = path.rsplit(" › ", 1)[-1]
    if last == path:
        return truncate(path, limit)
    return "… › " + truncate(last, limit - 4)


def _label(passage: Passage, *, short: bool, byline: bool) -> str:
    parts = [] if short else [passage.document.title]
    if passage.section:
        parts.append(short_section(passage.section) if short else passage.section)
    parts.append(f"¶ {passage.paragraphs}")
    label = " › ".join(parts)
    if byline and passage.document.byline:
        label += f" · {passage.document.byline}"
    return label


def _attribution_lines(
    passage: Passage, quote: str | None, *, short: bool = False, byline: bool = False
) -> list[str]:
    """'— [Section › ¶ 12](link)' (with the document's title unless ``short``), from the
    richest form to the plainest: a link that scrolls to ``quote``, then the document's
    link, then a shorter label, then no link. The caller takes the first that leaves its
    quote room, so the attribution never costs an excerpt."""
    label = _label(passage, short=short, byline=byline)
    url = passage.document.url
    url = url if url and len(url) <= MAX_URL else None
    fragment = quote_link(passage, quote) if quote is not None and url else None
    links = [link for link in (fragment, url) if link and len(link) <= MAX_URL] + [None]
    lines: list[str] = []
    for cap in (300, SHORT_LABEL):
        for link in links:
            line = "— " + _link(escape(truncate(label, cap)), link)
            if line not in lines:
                lines.append(line)
    return lines


def _attribution_line(
    passage: Passage, quote: str | None, *, short: bool = False, byline: bool = False
) -> str:
    """The richest attribution line of :func:`_attribution_lines`."""
    return _attribution_lines(passage, quote, short=short, byline=byline)[0]


def render_code(text: str, limit: int) -> str | None:
    """A code passage as a code block (its own fences, or added ones), cut at a line
    boundary and closed again when too long; None when no line fits."""
    fenced = text.startswith(("```", "~~~"))
    fence = text[:3] if fenced else "```"
    lines = text.split("\n")
    if not fenced:
        lines = [fence, *lines, fence]
    elif not lines[-1].startswith(fence):
        lines.append(fence)
    body = "\n".join(lines)  # verbatim: nothing in a code block renders (allowed_mentions: none)
    if len(body) <= limit:
        return body
    kept = lines[:-1]
    while kept and len("\n".join(kept)) + len(fence) + 3 > limit:
        kept.pop()
    if len(kept) <= 1:
        return None
    return "\n".join([*kept, "…", fence])


def _opened_block(hit: Any, attributions: Sequence[str], limit: int, min_quote: int) -> str | None:
    """A quote that went on into the code block it opens ("…run the command:"): the
    prose quoted, the code as a code block, then the attribution; None when the hit is not
    one or the code leaves the prose no room."""
    ex, at = hit.excerpt, hit.passage.code_at
    if at is None or at[0] <= ex.start:
        return None
    # the prose and the code, each its own slice (markup between them, such as a
    # reStructuredText ".. code-block::" line, is neither)
    prose, code = ex.text[: at[0] - ex.start].rstrip(), ex.text[at[1] - ex.start :].strip()
    highlights = [h for h in ex.highlights if h[1] <= len(prose)]
    markup = markup_of(hit.passage, ex.start, ex.start + len(prose))
    for attr in attributions:
        block = render_code(code, limit - len(attr) - min(min_quote, len(prose) + 8) - 2)
        if block is None:
            continue
        room = limit - len(attr) - len(block) - 2
        quote = render_quote(prose, highlights, room, markup=markup)
        if quote is not None:
            return f"{quote}\n{block}\n{attr}"
    return None


def _quoted_block(
    text: str,
    highlights: Sequence[tuple[int, int]],
    attributions: Sequence[str],
    limit: int,
    *,
    keep: str = "start",
    min_quote: int = MIN_QUOTE,
    markup: Sequence[Construct] = (),
) -> str | None:
    """A quote of ``text`` and the richest attribution that leaves it room, in at most
    ``limit`` characters; None when not even the plainest attribution does."""
    need = min(min_quote, len(text) + 8)
    for attr in attributions:
        room = limit - len(attr) - 1
        if room < need:
            continue
        quote = render_quote(text, highlights, room, keep=keep, markup=markup)
        if quote is not None:
            return f"{quote}\n{attr}"
    return None


def _embed(
    title: str | None = None, description: str | None = None, **extra: Any
) -> dict[str, Any]:
    embed: dict[str, Any] = {"color": COLOR}
    if title:
        embed["title"] = truncate(title, TITLE_LIMIT)
    if description:
        embed["description"] = description
    for key, value in extra.items():
        if value:
            embed[key] = value
    return embed


def _footer(text: str) -> dict[str, str] | None:
    return {"text": truncate(text, FOOTER_LIMIT)} if text else None


def _blocks_within(
    items: Sequence[Any], make: Any, budget: int, *, separator: str = "\n\n"
) -> list[str]:
    """Render items in order into at most ``budget`` characters, sharing it fairly.

    ``make(item, limit)`` returns the item's block in at most ``limit`` characters, or None
    when it cannot fit; rendering stops at the first item that does not fit.
    """
    blocks: list[str] = []
    used = 0
    for i, item in enumerate(items):
        sep = len(separator) if blocks else 0
        remaining = budget - used - sep
        share = remaining // (len(items) - i)
        block = make(item, max(share, min(remaining, MIN_BLOCK)))
        if block is None or len(block) > remaining:
            break
        blocks.append(block)
        used += sep + len(block)
    return blocks


def render_answer(
    answer: Answer,
    *,
    fingerprint: str,
    title: str | None = None,
    top: int | None = None,
    ephemeral: bool = False,
    document: int | None = None,
    feedback: str | None = None,
) -> DiscordMessage:
    """An answer: its excerpts as quotes, matched words in bold, attribution under each.

    ``title`` replaces the question as the embed title (the "More" button keeps the
    title of the message it was clicked on). With ``top`` (how many hits were asked for),
    "More" is left out when fewer came back and all of them were shown. ``document`` is
    the position in the corpus of the one document the question was limited to: "More"
    keeps to it. ``feedback``, the token its outcome was stored under, adds 👍 / 👎.
    """
    if answer.authored is not None:  # the byline or the source, from the document's metadata
        said, *link = wording.attribution(answer.authored, answer.sourced)
        line = escape(said) + "".join(f"\n<{url}>" for url in link)
        return DiscordMessage(content=truncate(line, CONTENT_LIMIT), ephemeral=ephemeral)
    if not answer.answered or not answer.hits:
        reason = answer.reason or "The documents do not answer this question."
        return DiscordMessage(content=truncate(escape(reason), CONTENT_LIMIT), ephemeral=ephemeral)
    heading = title if title is not None else display_question(answer.question)
    notes = list(answer.notes)
    if answer.corrections:
        notes.append("Spelling: " + ", ".join(f"{a} → {b}" for a, b in answer.corrections))
    docs = {hit.passage.doc_id for hit in answer.hits}
    one_document = len(docs) == 1
    doc = answer.hits[0].passage.document
    if one_document and doc.byline:
        notes.insert(0, f"By {doc.byline}")
    author = _author(doc) if one_document else None
    used = len(heading) + (len(author["name"]) if author else 0)
    used += min(FOOTER_LIMIT, sum(len(n) + 3 for n in notes) + 40)  # 40: "Excerpts 1–10"
    budget = min(DESCRIPTION_LIMIT, EMBEDS_TOTAL_LIMIT - used)

    def block(hit: Any, limit: int, min_quote: int = MIN_QUOTE) -> str | None:
        attributions = _attribution_lines(
            hit.passage, hit.excerpt.text, short=one_document, byline=not one_document
        )
        opened = _opened_block(hit, attributions, limit, min_quote)
        if opened is not None:
            return opened
        if hit.passage.kind == "code":
            for attr in attributions:
                code = render_code(hit.excerpt.text, limit - len(attr) - 1)
                if code is not None:
                    return f"{code}\n{attr}"
            return None
        ex = hit.excerpt
        return _quoted_block(
            ex.text,
            ex.highlights,
            attributions,
            limit,
            min_quote=min_quote,
            markup=markup_of(hit.passage, ex.start, ex.end),
        )

    blocks = _blocks_within(answer.hits, block, budget)
    if not blocks:  # the first excerpt is always shown, cut to the room there is
        first_block = block(answer.hits[0], budget, min_quote=1)
        blocks = [first_block] if first_block is not None else []
    if not blocks:
        return DiscordMessage(
            content=truncate(escape(answer.hits[0].excerpt.text), CONTENT_LIMIT),
            ephemeral=ephemeral,
        )
    shown = answer.hits[: len(blocks)]
    first, last = shown[0].rank, shown[-1].rank
    where = f"Excerpt {first}" if first == last else f"Excerpts {first}–{last}"
    footer = " · ".join([*notes, where])
    buttons = []
    if top is None or len(answer.hits) >= top or len(shown) < len(answer.hits):
        more = more_custom_id(
            answer.searched or answer.question,
            answer.offset + len(shown),
            fingerprint,
            document=document,
        )
        buttons.append(Button("More", more, "primary"))
    for hit in shown[:MAX_CONTEXT_BUTTONS]:
        buttons.append(
            Button(f"Context {hit.rank}", context_custom_id(hit.passage.id, fingerprint))
        )
    if feedback is not None:
        buttons += [
            Button(VOTE_LABELS["up"], vote_custom_id(feedback, "up")),
            Button(VOTE_LABELS["down"], vote_custom_id(feedback, "down")),
        ]
    embed = _embed(heading, "\n\n".join(blocks), author=author, footer=_footer(footer))
    return DiscordMessage(embeds=[embed], buttons=buttons, ephemeral=ephemeral)


def _author(doc: Document) -> dict[str, str]:
    """The embed's author line: the document's title, linked (once per message)."""
    author = {"name": truncate(doc.title or doc.id, AUTHOR_LIMIT)}
    if doc.url and len(doc.url) <= MAX_URL:
        author["url"] = doc.url
    return author


def display_question(question: str) -> str:
    """A question as a message title: cleaned as the engine reads it (no mentions, no
    links, no invisible characters), shown as written."""
    try:
        text = clean_text(question, limit=len(question) + 1)[0]
    except InputError:
        text = " ".join(question.split())
    return truncate(escape(text), TITLE_LIMIT)


def render_context(
    passages: Sequence[Passage], center: int, *, fingerprint: str, ephemeral: bool = True
) -> DiscordMessage:
    """The paragraphs around passage ``center``, the center one marked."""
    if not passages:
        return render_error(EXPIRED)
    middle = next((p for p in passages if p.id == center), passages[0])
    before = [p for p in passages if p.id < middle.id]
    after = [p for p in passages if p.id > middle.id]
    budget = min(DESCRIPTION_LIMIT, EMBEDS_TOTAL_LIMIT - TITLE_LIMIT - 100)

    def block(p: Passage, limit: int, keep: str = "start") -> str | None:
        attr = _attribution_line(p, None, short=True)
        if p.id == middle.id:
            attr = "**" + attr + "** ◀"
        shown = markup_of(p, 0, len(p.text))
        quote = render_quote(p.text, (), limit - len(attr) - 1, keep=keep, markup=shown)
        return None if quote is None else f"{quote}\n{attr}"

    # the center paragraph first gets up to half the room, then its neighbours share the rest
    center_block = block(middle, budget // 2 if (before or after) else budget)
    if center_block is None:
        return render_error("That paragraph cannot be shown here.")
    rest = budget - len(center_block) - 4
    side = [(p, "end") for p in reversed(before[-1:])] + [(p, "start") for p in after[:1]]
    side_blocks: dict[int, str] = {}
    for i, (p, keep) in enumerate(side):
        made = block(p, rest // (len(side) - i), keep)
        if made is not None:
            side_blocks[p.id] = made
            rest -= len(made) + 2
    ordered = [side_blocks[p.id] for p in before if p.id in side_blocks]
    ordered.append(center_block)
    ordered += [side_blocks[p.id] for p in after if p.id in side_blocks]
    title = truncate(escape(attribution(middle)), TITLE_LIMIT)
    buttons = []
    if before:
        buttons.append(Button("◀ Earlier", context_custom_id(before[-1].id, fingerprint)))
    if after:
        buttons.append(Button("Later ▶", context_custom_id(after[0].id, fingerprint)))
    embed = _embed(
        title,
        "\n\n".join(ordered),
        url=middle.document.url,
        footer=_footer("Context: the paragraphs around the quote"),
    )
    return DiscordMessage(embeds=[embed], buttons=buttons, ephemeral=ephemeral)


# --- summaries, topics, sources, help -------------------------------------------------


def render_summary(summary: Summary, *, ephemeral: bool = False) -> DiscordMessage:
    """A summary: its sentences as verbatim quotes, each with a link to its paragraph."""
    if not summary.found or not summary.sentences:
        line = summary.reason or sentence(summary.subject, "has", "nothing to summarize on that.")
        if summary.suggestions and not any(t in line for t in summary.suggestions):
            line += " Try: " + ", ".join(summary.suggestions[:5]) + "."
        return DiscordMessage(content=truncate(escape(line), CONTENT_LIMIT), ephemeral=ephemeral)
    docs = {s.passage.doc_id for s in summary.sentences}
    doc = summary.sentences[0].passage.document
    heading = f"Summary: {summary.title}" if summary.topic else f"Summary: {doc.title}"
    heading = truncate(escape(heading), TITLE_LIMIT)

    def block(s: SummarySentence, limit: int) -> str | None:
        p = s.passage
        attr = _attribution_line(p, s.text, short=len(docs) == 1, byline=len(docs) > 1)
        at = s.start - p.start
        shown = markup_of(p, at, at + len(s.text))
        quote = render_quote(s.text, (), limit - len(attr) - 1, markup=shown)
        return None if quote is None else f"{quote}\n{attr}"

    budget = min(DESCRIPTION_LIMIT, EMBEDS_TOTAL_LIMIT - len(heading) - 400)
    blocks = _blocks_within(summary.sentences, block, budget)
    footer = doc.title + (f" · {doc.byline}" if doc.byline else "") if len(docs) == 1 else ""
    embed = _embed(
        heading,
        "\n\n".join(blocks),
        url=doc.url if len(docs) == 1 else None,
        footer=_footer(footer),
    )
    return DiscordMessage(embeds=[embed], ephemeral=ephemeral)


def _kind_label(kind: str) -> str:
    label = kind.replace("_", " ").strip().capitalize() or "Topics"
    return label if label.endswith("s") else label + "s"


def _joined_within(names: Sequence[str], limit: int, sep: str = " · ") -> str:
    out: list[str] = []
    used = 0
    for i, name in enumerate(names):
        more = len(names) - i
        tail = len(f"{sep}… and {more} more")
        piece = (sep if out else "") + name
        if used + len(piece) + (tail if more > 1 else 0) > limit:
            out.append(f"{sep if out else ''}… and {more} more")
            break
        out.append(piece)
        used += len(piece)
    return "".join(out)


def render_topics(
    topics: Sequence[Topic], *, ephemeral: bool = False, what: str = "the documents"
) -> DiscordMessage:
    """The corpus's topics, grouped by kind, with how to summarize one; ``what`` names
    the documents they come from (:func:`briefbot.wording.noun_for`)."""
    if not topics:
        return DiscordMessage(content=f"I found no topics in {what}.", ephemeral=ephemeral)
    groups: dict[str, list[str]] = {}
    for topic in topics:
        groups.setdefault(topic.kind, []).append(escape(topic.name))
    fields = []
    budget = EMBEDS_TOTAL_LIMIT - 400
    for kind, names in list(groups.items())[:FIELD_COUNT_LIMIT]:
        name = truncate(_kind_label(kind), FIELD_NAME_LIMIT)
        value = _joined_within(names, min(FIELD_VALUE_LIMIT, budget - len(name)))
        if not value or budget - len(name) - len(value) < 0:
            break
        budget -= len(name) + len(value)
        fields.append({"name": name, "value": value, "inline": False})
    embed = _embed(
        "Topics",
        None,
        fields=fields,
        footer=_footer("Use /summary with a topic to get its key sentences."),
    )
    return DiscordMessage(embeds=[embed], ephemeral=ephemeral)


def render_sources(
    documents: Sequence[Document],
    paragraphs: dict[str, int] | None = None,
    *,
    ephemeral: bool = False,
) -> DiscordMessage:
    """What the bot knows: each document's title, authors, date, publisher and links."""
    fields = []
    budget = EMBEDS_TOTAL_LIMIT - 300
    for doc in documents[:FIELD_COUNT_LIMIT]:
        lines = []
        if doc.subtitle:
            lines.append(f"*{escape(doc.subtitle)}*")
        if doc.byline:
            lines.append(f"By {escape(doc.byline)}")
        published = " · ".join(escape(str(x)) for x in (doc.published, doc.publisher) if x)
        if published:
            lines.append(published)
        if doc.url:
            lines.append(_link(f"Read the {wording.kind(doc)}", doc.url))
        if doc.original_url:
            lang = f" ({escape(doc.original_language)})" if doc.original_language else ""
            lines.append(_link(f"Original{lang}", doc.original_url))
        if paragraphs and doc.id in paragraphs:
            lines.append(f"{paragraphs[doc.id]} paragraphs · id `{doc.id.replace('`', '')}`")
        name = truncate(escape(doc.title or doc.id), FIELD_NAME_LIMIT)
        value = truncate("\n".join(lines) or "—", FIELD_VALUE_LIMIT)
        if len(name) + len(value) > budget:
            break
        budget -= len(name) + len(value)
        fields.append({"name": name, "value": value, "inline": False})
    left = len(documents) - len(fields)
    footer = (
        f"and {left} more document{'s' * (left != 1)}"
        if left
        else "Answers quote these documents verbatim."
    )
    n = len(documents)
    title = "What I know" + (f": {n} documents" if n != 1 else ": 1 document")
    embed = _embed(title, None, fields=fields, footer=_footer(footer))
    return DiscordMessage(embeds=[embed], ephemeral=ephemeral)


def render_help(
    *,
    watched_channels: Sequence[int] = (),
    max_question_chars: int = defaults.MAX_QUESTION_CHARS,
    ephemeral: bool = True,
    what: str = "the documents",
) -> DiscordMessage:
    """How to use the bot; ``what`` names what it knows (:func:`briefbot.wording.noun_for`)."""
    lines = [
        f"I answer questions about {what} with **verbatim quotes**, each with where it "
        "comes from and a link that scrolls to it.",
        "",
        "**/ask** `question` — ask a question (set `document` to search one document only, "
        "`private` to see the answer alone)",
        "**/summary** `topic` — the key sentences, about a topic or all of it",
        f"**/topics** — what {what} {'talk' if what == 'the documents' else 'talks'} about",
        "**/source** — the documents I know: title, authors, date, links",
        "**/help** — this message",
        "",
        "You can also mention me with a question, or reply to one of my answers.",
    ]
    if watched_channels:
        channels = ", ".join(f"<#{int(c)}>" for c in watched_channels[:20])
        lines.append(f"In {channels} I also answer questions without a mention.")
    lines += [
        "",
        "**More** shows the next excerpts; **Context** shows the paragraphs around a quote.",
        f"Questions can be up to {max_question_chars} characters.",
    ]
    embed = _embed("How to ask briefbot", "\n".join(lines))
    return DiscordMessage(embeds=[embed], ephemeral=ephemeral)


def render_error(text: str, *, ephemeral: bool = True) -> DiscordMessage:
    """A short message (errors, refusals, notices), ephemeral by default."""
    return DiscordMessage(content=truncate(escape(text), CONTENT_LIMIT), ephemeral=ephemeral)


EMPTY_QUESTION = "The question is empty: ask about something specific."


def question_problem(question: str, limit: int) -> str | None:
    """Why a question cannot be asked as it is (empty, too long), or None: measured after
    the one cleaning every question gets (:func:`briefbot.question.clean_text`)."""
    try:
        n = len(clean_text(question, limit=len(question) + 1)[0])
    except InputError as exc:  # nothing left: empty, or a link alone
        return str(exc)
    if n > limit:
        return f"That question is {n} characters long: keep it to {limit} or fewer."
    return None


def render_reloaded(
    passages: int, documents: int, problems: Sequence[str] = (), *, limit: int = 10
) -> DiscordMessage:
    """What /reload answers: the new index's size, then one line per file skipped."""
    lines = [f"Reloaded: {_count(passages, 'passage')} from {_count(documents, 'document')}."]
    lines += [truncate(problem, 300) for problem in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"… and {len(problems) - limit} more problems (see the log).")
    return render_error("\n".join(lines))


def render_reload_failed(error: str, passages: int, documents: int) -> DiscordMessage:
    """What /reload answers when the corpus folder became unusable: the old index stays."""
    kept = f"{_count(passages, 'passage')} from {_count(documents, 'document')}"
    return render_error(
        f"{error}\nNothing changed: I still answer from the previous corpus ({kept})."
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("s" if n != 1 else "")


def render_gaps(gaps: Sequence[Gap], *, ephemeral: bool = True) -> DiscordMessage:
    """What /gaps answers: the questions most often refused or voted down."""
    if not gaps:
        return render_error("No gaps yet: no question was refused or voted down.")
    lines = []
    for g in gaps:
        counts = [f"asked {g.asked}×"]
        if g.refused:
            counts.append(f"refused {g.refused}")
        if g.down:
            counts.append(f"👎 {g.down}")
        lines.append(f"• {escape(truncate(g.example, 150))} ({', '.join(counts)})")
    body = truncate("\n".join(lines), DESCRIPTION_LIMIT)
    footer = _footer("briefbot gaps --export FILE.jsonl writes them as eval lines to label.")
    return DiscordMessage(
        embeds=[_embed("Knowledge gaps", body, footer=footer)], ephemeral=ephemeral
    )


def render_cooldown(retry_after: float) -> DiscordMessage:
    seconds = max(1, round(retry_after + 0.49))
    return render_error(f"You're asking quickly: try again in {seconds} s.")


def topic_choices(topics: Iterable[Topic], current: str) -> list[str]:
    """Up to 25 topic names for autocomplete: prefix matches first, then substrings."""
    needle = " ".join(current.split()).casefold()
    names = [t.name for t in topics if 0 < len(t.name) <= CHOICE_NAME_LIMIT]
    names = list(dict.fromkeys(names))
    starts = [n for n in names if n.casefold().startswith(needle)]
    inside = [n for n in names if needle in n.casefold() and n not in starts]
    return (starts + inside)[:CHOICE_LIMIT]


def _document_label(doc: Document) -> str:
    """'Title (id)' in at most 100 characters; the title alone when it says the same."""
    title = " ".join((doc.title or doc.id).split())
    if title.casefold() == doc.id.casefold() or len(doc.id) > CHOICE_NAME_LIMIT // 2:
        return truncate(title, CHOICE_NAME_LIMIT)
    return truncate(title, CHOICE_NAME_LIMIT - len(doc.id) - 3) + f" ({doc.id})"


def document_choices(documents: Iterable[Document], current: str) -> list[tuple[str, str]]:
    """Up to 25 (label, id) pairs for autocomplete: the documents whose id or title
    contains what the user typed, those starting with it first.

    A document whose id is longer than 100 characters cannot be a choice's value: it is
    left out (it can still be typed).
    """
    needle = " ".join(current.split()).casefold()
    starts: list[tuple[str, str]] = []
    inside: list[tuple[str, str]] = []
    for doc in documents:
        if not 0 < len(doc.id) <= CHOICE_NAME_LIMIT:
            continue
        keys = (doc.id.casefold(), " ".join(doc.title.split()).casefold())
        if any(k.startswith(needle) for k in keys):
            starts.append((_document_label(doc), doc.id))
        elif any(needle in k for k in keys):
            inside.append((_document_label(doc), doc.id))
    return (starts + inside)[:CHOICE_LIMIT]


def document_position(documents: Sequence[Document], typed: str) -> int | None:
    """The position of the document ``typed`` names: its id (as is, else in any case) or
    its title in any case; None when none does (or several titles do)."""
    ids = [doc.id for doc in documents]
    if typed in ids:
        return ids.index(typed)
    needle = " ".join(typed.split()).casefold()
    found = [i for i, doc in enumerate(documents) if doc.id.casefold() == needle]
    found = found or [
        i for i, doc in enumerate(documents) if " ".join(doc.title.split()).casefold() == needle
    ]
    return found[0] if len(found) == 1 else None


# --- buttons --------------------------------------------------------------------------

_fingerprints: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def corpus_fingerprint(engine: Briefbot) -> str:
    """10 hex digits naming the corpus and its passages (ids, documents, offsets).

    Computed once per index, from the engine's current one: a reload that changes the
    passages changes the fingerprint, so the buttons made before it expire.
    """
    index = engine.index  # read once: a reload may swap it meanwhile
    cached = _fingerprints.get(index)
    if cached is not None:
        return cached
    h = hashlib.sha256()
    for doc in index.corpus.documents:
        h.update(f"{doc.id}\0{doc.content_hash}\0".encode())
    for p in index.passages:
        h.update(f"{p.id}:{p.doc_id}:{p.start}:{p.end}\0".encode())
    value = h.hexdigest()[:10]
    _fingerprints[index] = value
    return value


def question_hash(question: str) -> str:
    return hashlib.sha256(" ".join(question.split()).encode()).hexdigest()[:12]


def more_custom_id(
    question: str, offset: int, fingerprint: str, *, document: int | None = None
) -> str:
    """``bb:more:<fp>:<offset>:<question>``, or ``…:#<hash>`` when it would not fit;
    ``<offset>@<document>`` for an answer limited to the document at that position."""
    where = f"@{document}" if document is not None else ""
    head = f"bb:more:{fingerprint}:{offset}{where}:"
    text = " ".join(question.split())
    if len(head) + len(text) <= CUSTOM_ID_LIMIT and not text.startswith("#"):
        return head + text
    return head + "#" + question_hash(text)


def context_custom_id(passage_id: int, fingerprint: str) -> str:
    return f"bb:ctx:{fingerprint}:{passage_id}"


VOTE_LABELS = {"up": "👍", "down": "👎"}
VOTE_THANKS = {
    "up": "Thanks: glad it helped.",
    "down": "Thanks: this question goes on the list of gaps the document's editors see.",
}
_VOTE_ID = re.compile(r"bb:vote:(?P<token>[0-9a-f]{1,32}):(?P<way>up|down)\Z")


def vote_custom_id(token: str, way: str) -> str:
    return f"bb:vote:{token}:{way}"


def parse_vote(custom_id: str) -> tuple[str, int] | None:
    """(token, +1 or -1) of a 👍 / 👎 button, or None when it is not one."""
    m = _VOTE_ID.match(custom_id)
    if not m:
        return None
    return m.group("token"), 1 if m.group("way") == "up" else -1


@dataclass(frozen=True)
class ButtonAction:
    """A parsed custom_id."""

    kind: str  # "more" or "ctx"
    fingerprint: str
    number: int  # offset for "more", passage id for "ctx"
    question: str | None = None  # "more": the question, None when only its hash is known
    question_hash: str | None = None
    document: int | None = None  # "more": the position of the one document searched


CUSTOM_ID = re.compile(
    r"bb:(?P<kind>more|ctx):(?P<fp>[0-9a-f]+):(?P<n>\d+)(?:@(?P<doc>\d+))?(?::(?P<rest>.*))?\Z",
    re.S,
)


def parse_custom_id(custom_id: str) -> ButtonAction | None:
    """The action of a briefbot button, or None when it is not one of ours (or malformed)."""
    m = CUSTOM_ID.match(custom_id)
    if not m:
        return None
    kind, rest, doc = m.group("kind"), m.group("rest"), m.group("doc")
    fp, n = m.group("fp"), int(m.group("n"))
    if kind == "ctx":
        return None if rest is not None or doc is not None else ButtonAction("ctx", fp, n)
    if not rest:
        return None
    document = int(doc) if doc is not None else None
    if rest.startswith("#"):
        return ButtonAction("more", fp, n, None, rest[1:], document=document)
    return ButtonAction("more", fp, n, rest, document=document)


def question_for_more(action: ButtonAction, message_title: str | None) -> str | None:
    """The question a "More" button stands for (read from its message's title if hashed)."""
    if action.question is not None:
        return action.question
    if not message_title:
        return None
    title = unescape(message_title)
    if title.endswith(ELLIPSIS) and question_hash(title) != action.question_hash:
        title = title[: -len(ELLIPSIS)]  # the title was cut: the best we have
    return title


def button_response(
    engine: Briefbot, custom_id: str, *, title: str | None = None, top: int = 3
) -> DiscordMessage:
    """What a click on a briefbot button answers (ephemeral); ``title`` is the clicked
    message's embed title. Calls the engine: run it off the event loop."""
    engine = engine.pinned()  # the fingerprint check holds for the calls below
    action = parse_custom_id(custom_id)
    fingerprint = corpus_fingerprint(engine)
    if action is None or action.fingerprint != fingerprint:
        return render_error(EXPIRED)
    if action.kind == "ctx":
        if not 0 <= action.number < len(engine.index.passages):
            return render_error(EXPIRED)
        passages = engine.context(action.number, radius=1)
        return render_context(passages, action.number, fingerprint=fingerprint)
    question = question_for_more(action, title)
    if not question:
        return render_error(EXPIRED)
    document = None
    if action.document is not None:
        documents = engine.documents
        if not 0 <= action.document < len(documents):
            return render_error(EXPIRED)
        document = documents[action.document].id
    answer = engine.ask(question, top=top, offset=action.number, document=document)
    return render_answer(
        answer,
        fingerprint=fingerprint,
        top=top,
        title=title,
        ephemeral=True,
        document=action.document,
    )


# --- reading messages -----------------------------------------------------------------

_QUESTION_WORDS_TEXT = """who whom whose what when where why how which is are was were do does
did can could should would will has have had may might"""
_QUESTION_WORDS = frozenset(_QUESTION_WORDS_TEXT.split())


def strip_mentions(content: str, bot_id: int) -> str:
    """The message text without the bot's mention (other mentions are dropped too)."""
    text = re.sub(rf"<@!?{bot_id}>", " ", content)
    text = re.sub(r"<(?:@[!&]?|#)\d+>|@(?:everyone|here)\b", " ", text)
    return " ".join(text.split())


def looks_like_question(text: str) -> bool:
    """Whether a message in a watched channel is a question to answer without a mention."""
    words = re.findall(r"[\w’']+", text.casefold())
    if len(words) < 2 or text.startswith(("http://", "https://")):
        return False
    return text.rstrip().endswith("?") or words[0] in _QUESTION_WORDS


# --- checks and the terminal view -----------------------------------------------------


def limit_problems(msg: DiscordMessage) -> list[str]:
    """Every Discord limit the message breaks (empty when it can be sent)."""
    problems: list[str] = []
    if len(msg.content) > CONTENT_LIMIT:
        problems.append(f"content is {len(msg.content)} > {CONTENT_LIMIT}")
    if not msg.content and not msg.embeds:
        problems.append("empty message")
    if len(msg.embeds) > EMBED_COUNT_LIMIT:
        problems.append(f"{len(msg.embeds)} embeds > {EMBED_COUNT_LIMIT}")
    total = 0
    for i, e in enumerate(msg.embeds):
        checks = [
            ("title", len(e.get("title", "")), TITLE_LIMIT),
            ("description", len(e.get("description", "")), DESCRIPTION_LIMIT),
            ("footer", len(e.get("footer", {}).get("text", "")), FOOTER_LIMIT),
            ("author", len(e.get("author", {}).get("name", "")), AUTHOR_LIMIT),
            ("fields", len(e.get("fields", [])), FIELD_COUNT_LIMIT),
        ]
        for f in e.get("fields", []):
            checks.append(("field name", len(f["name"]), FIELD_NAME_LIMIT))
            checks.append(("field value", len(f["value"]), FIELD_VALUE_LIMIT))
            if not f["name"] or not f["value"]:
                problems.append(f"embed {i}: empty field")
            total += len(f["name"]) + len(f["value"])
        for what, n, limit in checks:
            if n > limit:
                problems.append(f"embed {i}: {what} is {n} > {limit}")
        total += checks[0][1] + checks[1][1] + checks[2][1] + checks[3][1]
    if total > EMBEDS_TOTAL_LIMIT:
        problems.append(f"embeds total {total} > {EMBEDS_TOTAL_LIMIT}")
    if len(msg.buttons) > BUTTONS_PER_ROW * ROW_LIMIT:
        problems.append(f"{len(msg.buttons)} buttons > {BUTTONS_PER_ROW * ROW_LIMIT}")
    for b in msg.buttons:
        if not 1 <= len(b.label) <= BUTTON_LABEL_LIMIT:
            problems.append(f"button label {b.label!r}")
        if b.style == "link":
            if not b.url or b.custom_id:
                problems.append(f"link button {b.label!r} needs a url and no custom_id")
        elif not b.custom_id or not 1 <= len(b.custom_id) <= CUSTOM_ID_LIMIT:
            problems.append(f"button {b.label!r}: custom_id length {len(b.custom_id or '')}")
    return problems


def message_to_text(msg: DiscordMessage) -> str:
    """The message for a terminal: content, each embed's parts, buttons as [label]."""
    out: list[str] = []
    if msg.content:
        out.append(msg.content)
    for e in msg.embeds:
        parts: list[str] = []
        if "author" in e:
            parts.append(e["author"]["name"])
        if "title" in e:
            parts.append(f"## {e['title']}" + (f"  <{e['url']}>" if e.get("url") else ""))
        if "description" in e:
            parts.append(e["description"])
        for f in e.get("fields", []):
            parts.append(f"{f['name']}\n{f['value']}")
        if "footer" in e:
            parts.append(f"-- {e['footer']['text']}")
        out.append("\n\n".join(parts))
    if msg.buttons:
        out.append(" ".join(f"[{b.label}]" for b in msg.buttons))
    if msg.ephemeral:
        out.append("(only you can see this)")
    return "\n\n".join(out)
