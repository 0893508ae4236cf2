"""briefbot: answers questions about an article with verbatim, attributed quotes."""

from .answers import Answer, Excerpt, Hit
from .engine import Briefbot
from .errors import BriefbotError, CorpusError, InputError, ResourceError

__all__ = [
    "Answer",
    "Briefbot",
    "BriefbotError",
    "CorpusError",
    "Excerpt",
    "Hit",
    "InputError",
    "ResourceError",
]
__version__ = "0.1.0"
