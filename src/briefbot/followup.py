"""Follow-up questions: whether a question leans on the one before it, and what to search
for when it does.

"why?", "and Ukraine?", "who is he?", "when was it created?" say too little on their own,
or point back with a pronoun: they are searched together with the earlier question (the
follow-up first, so its question word decides what kind of answer is wanted). A question
that names enough of its own ("Who leads the CSTO?") stands alone, even as a reply.
"""

from __future__ import annotations

import re

from .question import without_chat
from .stopwords import STOPWORDS

FOLLOW_UP_SECONDS = 600.0  # /ask and the repl: a question within 10 minutes may follow up
MAX_OPENER_WORDS = 4  # "and what about the Ukrainian army?" still follows up
MAX_POINTING_WORDS = 3  # "when was it created?" follows up; a longer question stands alone

# Openers that continue a conversation rather than start one.
_OPENS = re.compile(
    r"^(?:and|but|so|also|or|then|what about|how about|what of|why not|how come|how so|"
    r"really|is that|was that|does that|did that|same for|even)\b",
    re.I,
)
# Words that point back at something said before.
_POINTS_BACK = re.compile(
    r"\b(?:he|she|him|her|his|hers|it|its|they|them|their|theirs|this|that|these|those|"
    r"there|then|such|the same)\b",
    re.I,
)
# Personal pronouns: "who is he?" points back plainly, "why wasn't this peacekeeping?" may
# be about the document itself.
_PERSONAL = re.compile(r"\b(?:he|she|him|her|his|it|its|they|them|their)\b", re.I)
_WORD = re.compile(r"[^\W\d_]+")


def follows_up(
    question: str, *, plainly: bool = False, bot_names: tuple[str, ...] = ("briefbot",)
) -> bool:
    """Whether ``question`` needs the question before it to be understood.

    A reply to an answer is read generously; with ``plainly`` (the next /ask or repl line,
    which may well start a new subject) only an opener, a question with no words of its
    own, or a personal pronoun with at most two words of its own count."""
    core = without_chat(question, bot_names)
    words = [w for w in _WORD.findall(core.casefold()) if w not in STOPWORDS]
    if not words:  # "why?", "how so?", "really?"
        return bool(_WORD.search(core))
    if _OPENS.match(core) and len(words) <= MAX_OPENER_WORDS:
        return True
    if plainly:
        return bool(_PERSONAL.search(core)) and len(words) <= 2
    return bool(_POINTS_BACK.search(core)) and len(words) <= MAX_POINTING_WORDS


def with_context(question: str, previous: str) -> str:
    """What a follow-up searches for: the follow-up, then the question it follows."""
    return f"{question.strip()} {previous.strip()}"
