"""Every tunable number of the answer pipeline, with where it came from.

Fitted values are written by ``benchmarks/fit.py`` between the FITTED markers, from the
training questions only (benchmarks/questions/train.jsonl and tests/data/*.jsonl); the
rest are measured or taken from a reference, as each comment says.
"""

from __future__ import annotations

# -- question stage ---------------------------------------------------------------------
MIN_FIX_LENGTH = 5  # shorter unknown words are too ambiguous to repair (measured: "pls", "btw")
TYPO_RATIO = 85.0  # RapidFuzz ratio a repair needs for words of 7+ letters ...
TYPO_RATIO_SHORT = 90.0  # ... and of 5-6 letters (one edit in six is 83)
MIN_NAME_LENGTH = 4  # a shorter unknown word is chat ("pls", "btw"), not a name

# -- candidates --------------------------------------------------------------------------
LEXICAL_CANDIDATES = 20  # best passages by BM25 that are re-scored by the fusion ...
SEMANTIC_CANDIDATES = 20  # ... and best passages by their best sentence's cosine
# (hit@3 on the training questions stopped growing past 15 of each)

# -- quote stage -------------------------------------------------------------------------
SHORT_PASSAGE_CHARS = 300  # a passage this short, or of at most SHORT_PASSAGE_SENTENCES
SHORT_PASSAGE_SENTENCES = 2  # sentences, is quoted whole (the "about 2 sentences")
MAX_QUOTE_SENTENCES = 3  # an excerpt never grows past this many sentences
NEXT_SENTENCE_RATIO = 0.3  # the next sentence joins a why/how/yes-no quote when its own
# fused score is at least this share of the best sentence's (grid 0-1.1 on the training
# quotes: 0.0-0.3 best, 52/81 quote@1 against 51 at 0.5 and 48 at 1.1)

# -- fusion and refusal (FITTED: benchmarks/fit.py) ---------------------------------------
# The passage features, in the order of the weights (computed in briefbot.fusion).
FEATURES = (
    "coverage",
    "cosine",
    "typed_miss",
    "unknown",
    "asks",
    "previous_cosine",
)
# Left out after the leave-one-document-out ablation (benchmarks/README.md): the passage's
# and its best sentence's BM25 relative to the best (no gain, or a loss, on every
# document) and whether it names the byline's authors (no effect); BM25 still proposes
# the candidates and the byline's names are still searched for.
REFUSAL_FEATURES = (
    "share",
    "cosine",
    "whole_cosine",
    "coverage",
    "unknown",
    "typed_miss",
    "unknown_name",
    "byline",
)
REFUSAL_SIGNS = (1, 1, 1, 1, -1, -1, -1, 1)  # evidence for (+) or against (-) an answer: fixed

# FITTED-BEGIN
# Written by benchmarks/fit.py from 322 training questions (8067 candidate
# passages, 562 sentences of answering passages); see that script for the procedure.
WEIGHTS_SEMANTIC = (7.0254, 12.5373, -3.4344, 0.0000, -2.7452, 2.6347)
BIAS_SEMANTIC = 0.0000
WEIGHTS_LEXICAL = (10.1040, 0.0000, -3.3905, 0.0000, -0.8906, 0.0000)
BIAS_LEXICAL = 0.0000
REFUSE_BELOW_SEMANTIC = 0.564  # the refusal model's probability
REFUSE_BELOW_LEXICAL = 0.707
REFUSAL_WEIGHTS_SEMANTIC = (
    0.0000,
    0.0000,
    2.9600,
    0.0000,
    -0.0359,
    -2.4825,
    -0.3143,
    4.3269,
)  # in REFUSAL_FEATURES order
REFUSAL_BIAS_SEMANTIC = -0.3738
REFUSAL_WEIGHTS_LEXICAL = (0.0000, 0.0000, 0.0000, 0.0000, -0.5325, -2.5578, -0.1725, 4.6099)
REFUSAL_BIAS_LEXICAL = 1.3572
SENTENCE_WEIGHTS = (1.4752, 2.4827, -1.1290)  # sentence_bm25, cosine, typed_miss
SENTENCE_BIAS = -2.5842
# FITTED-END
