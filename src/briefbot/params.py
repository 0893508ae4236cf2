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

# -- candidates --------------------------------------------------------------------------
LEXICAL_CANDIDATES = 20  # best passages by BM25 that are re-scored by the fusion ...
SEMANTIC_CANDIDATES = 20  # ... and best passages by their best sentence's cosine
# (hit@3 on the training questions stopped growing past 15 of each)

# -- quote stage -------------------------------------------------------------------------
SHORT_PASSAGE_CHARS = 300  # a passage this short, or of at most SHORT_PASSAGE_SENTENCES
SHORT_PASSAGE_SENTENCES = 2  # sentences, is quoted whole (the "about 2 sentences")
MAX_QUOTE_SENTENCES = 3  # an excerpt never grows past this many sentences
NEXT_SENTENCE_RATIO = 0.5  # the next sentence joins a why/how/yes-no quote when its own
# fused score is at least this share of the best sentence's (measured on training quotes)

# -- fusion and refusal (FITTED: benchmarks/fit.py) ---------------------------------------
# FITTED-BEGIN
# Written by benchmarks/fit.py from 194 training questions (4866 candidate
# passages, 284 sentences of answering passages); see that script for the procedure.
FEATURES = ('bm25', 'sentence_bm25', 'coverage', 'cosine', 'cosine_gap', 'typed_miss', 'unknown', 'byline')
WEIGHTS_SEMANTIC = (1.4788, 0.7162, 2.8200, 0.9487, 9.7465, -6.1620, 0.5691, 0.3303)
BIAS_SEMANTIC = -4.1638
WEIGHTS_LEXICAL = (3.0522, 1.9719, 3.0082, 0.0000, 0.0000, -6.2667, 0.1493, -0.6712)
BIAS_LEXICAL = -6.8450
REFUSE_BELOW_SEMANTIC = 0.061  # the best passage's fused probability
REFUSE_BELOW_LEXICAL = 0.262
SENTENCE_WEIGHTS = (1.3552, 2.5551, -1.5637)  # sentence_bm25, cosine, typed_miss
SENTENCE_BIAS = -2.6808
# FITTED-END
