"""Sentence boundaries with character offsets, from sentencex (Wikimedia's segmenter).

sentencex handles abbreviations, initials, "etc." and quotes closing after "!" or "?";
it returns the sentences' text, which we locate in the source in order, so every span
indexes the original string and a sentence is always ``text[start:end]``. A sentence
ends only where whitespace follows: sentencex also cuts at a full stop that a capital
follows directly ("a README.Debian file", "os.Path"), and those pieces are joined again.
"""

from __future__ import annotations

from sentencex import segment


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, trimmed of surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in segment("en", text):
        stripped = piece.strip()
        if not stripped:
            continue
        at = text.find(stripped, cursor)
        if at < 0:  # the segmenter changed the text: fall back to the rest as one sentence
            rest = text[cursor:]
            if rest.strip():
                lead = len(rest) - len(rest.lstrip())
                spans.append((cursor + lead, cursor + len(rest.rstrip())))
            return spans
        if spans and at == spans[-1][1]:  # nothing between: one word's dot, not an end
            spans[-1] = (spans[-1][0], at + len(stripped))
        else:
            spans.append((at, at + len(stripped)))
        cursor = at + len(stripped)
    return spans


# what a finished sentence ends with (closing quotes and brackets after its stop)
_FINISHED = (".", "!", "?", "…", '"', "”", "'", "’", ")", "]", "*", "`")


def unfinished(text: str) -> bool:
    """Whether ``text`` stops in the middle of a sentence ("... you can delete the branch
    with"): what comes next (a command, a list) goes on with it."""
    closing = text.rstrip()
    return bool(closing) and not closing.endswith(_FINISHED)
