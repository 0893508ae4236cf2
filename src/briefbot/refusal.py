"""The refusal stage: the one place that decides a question goes unanswered.

One calibrated decision: the best passage's fused probability (:mod:`briefbot.fusion`)
against a threshold fitted on training questions (:mod:`briefbot.params`). Words the
corpus never uses are evidence inside that probability, never a veto on their own; when
they are why the answer is no, the reason names them.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import params

MAX_NAMED = 4  # unknown words named in a reason
MAX_WORD_CHARS = 30  # a longer "word" is cut in the reason
NO_WORDS = "The question has no words to look for; ask about something specific."
HELP = (
    "Hi! Ask me a question about {what} and I'll answer with quotes from it; "
    "/summary gives an overview, /topics lists what it covers."
)


def threshold(semantic: bool) -> float:
    return params.REFUSE_BELOW_SEMANTIC if semantic else params.REFUSE_BELOW_LEXICAL


def refuses(best_score: float | None, semantic: bool) -> bool:
    """Whether the best candidate is too weak to answer with."""
    return best_score is None or best_score < threshold(semantic)


def reason(unknown: Sequence[str], noun: str) -> str:
    """Why a question is not answered, naming the words the documents lack, if any."""
    if unknown:
        shown = [_shown(w) for w in unknown[:MAX_NAMED]]
        listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
        return f"{noun.capitalize()} does not mention {listed}."
    return f"{noun.capitalize()} does not answer this question."


def help_line(noun: str) -> str:
    return HELP.format(what=noun)


def _shown(word: str) -> str:
    short = word if len(word) <= MAX_WORD_CHARS else word[: MAX_WORD_CHARS - 1] + "…"
    if short[:1].isupper():
        return short
    return f"“{short}”"
