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

# A word among this many commonest of general English (briefbot.generality) is everyday:
# too general to be a topic on its own unless the title names it (job titles, everyday
# verbs and nouns: "examples", "projects"), and never named as the thing a refusal says the
# documents lack ("running"). Hand-set, a round number: the thousand commonest words.
EVERYDAY_RANK = 1000

# -- reading plain text (briefbot.blocks) -------------------------------------------------
# A numbered line ("2.1. How do I make a server?") longer than this is a paragraph, not a
# heading. Hand-set: the longest numbered heading of the plain-text training document (the
# chrony FAQ) is 113 characters, and a heading wraps to two lines at most.
NUMBERED_HEADING_CHARS = 200
# A block that opens with the next heading's text is a table of contents when the headings
# after it make up at least this share of its text (the rest is bullets and numbers).
# Hand-set: the chrony FAQ's contents are 0.94 headings; a paragraph that opens with a
# heading's words and goes on would be far under it.
CONTENTS_HEADING_SHARE = 0.6

# -- candidates --------------------------------------------------------------------------
LEXICAL_CANDIDATES = 20  # best passages by BM25 that are re-scored by the fusion ...
SEMANTIC_CANDIDATES = 20  # ... and best passages by their best sentence's cosine
# (hit@3 on the training questions stopped growing past 15 of each)

# -- semantic stage ----------------------------------------------------------------------
# An index of at most this many sentences is embedded whole when it is built (its vectors
# saved with it); a larger one is not, and each question encodes its lexical candidates'
# sentences instead (kept for later questions). Measured on the project's 2-core machine
# (benchmarks/README.md, "Semantic vectors at scale"): the numpy encoder takes 12-22 ms a
# sentence, so 20,000 sentences (about 7,000 passages) are 4-7 minutes, once per index.
EMBED_AT_BUILD_SENTENCES = 20_000
# In an index without vectors, the best lexical candidates whose sentences a question
# encodes (the others are not candidates): each costs about 3.5 sentences of encoding.
# benchmarks/bench_vectors.py on the train + dev questions, hit@1 / hit@3: 20 candidates
# 0.754 / 0.865, 10 0.747 / 0.833, 5 0.732 / 0.816 (vectors at build: 0.788 / 0.911);
# 10 halves the encoding of 20 for one question in 150 lost.
ENCODED_CANDIDATES = 10
# Of those candidates' sentences, a question encodes at most this many tokens (the
# question's own encoding and sentences encoded for earlier questions not counted): each
# candidate's best sentence by BM25 first, then each one's second best, and so on
# (briefbot.similarity.Semantic.prepare); None encodes them all. benchmarks/bench_vectors.py
# on fourteen training documents' questions (train, dev, sealed-10 to 12), mean hit@1 /
# hit@3 / quote@1: all 0.700 / 0.830 / 0.655, 400 tokens the same, 250 0.700 / 0.825 /
# 0.647, 150 0.685 / 0.822 / 0.633, 100 0.675 / 0.812 / 0.617; at a million passages
# (bench_corpus.py's questions) the semantic ask p50 is 197 ms encoding all, 75 ms at 250,
# 56 ms at 150 (benchmarks/README.md). 250: the fewest tokens that lose no hit@1.
ENCODE_BUDGET_TOKENS: int | None = 250

# An index of at most this many passages also keeps each passage's token vectors (the
# encoder's last layer, one per WordPiece token, quantized to 8 bits: about 386 bytes a
# token, 2.4 MB for the bundled article's 52 passages, ~70 MB at this limit at the
# evaluation documents' 75 tokens a passage), computed
# when it is built, for late interaction (briefbot.similarity): each question token's best
# match in the passage. Leave-one-document-out on the fourteen training documents (mean
# ranking hit@1): 0.703 without it, 0.746 with it; on seventeen, 0.714 and 0.747
# (benchmarks/README.md). Beyond the
# limit the index holds none and the weights fitted without it are used. Hand-set, for
# the index's size on disk and its build: the twenty evaluation documents together (1,360
# passages, 102k tokens) took 59-67 s to build with them, 35-61 s without (two runs each,
# alternating, on the project's 2-core machine), and 38 MB of token vectors.
LATE_AT_BUILD_PASSAGES = 2_500

# Texts encoded together: at most this many tokens a batch, padding included. Measured on
# the project's 2-core machine (numpy + OpenBLAS; 36 and 200 sentences of the 1M-passage
# benchmark corpus, 10-154 tokens): one text a batch 377 / 2106 ms, batches of 256 tokens
# 394 / 2031 ms, 1024 tokens 671 / 2487 ms, 64 texts a batch (before) 1755 ms for the 36:
# larger batches pad short texts to long ones and fall out of the cache.
ENCODE_BATCH_TOKENS = 256
# The encoder's GELU is taken over blocks of this many rows of a batch's (tokens, 1536)
# activations, so that its dozen passes stay in the CPU's cache: one (256, 1536) block
# 8.4 ms, blocks of 8 / 16 / 32 / 48 / 64 rows 3.8 / 3.5 / 3.1 / 3.6 / 3.1 ms (the same
# values to the bit; the project's 2-core machine).
GELU_ROWS = 32

# -- passages --------------------------------------------------------------------------
# A Markdown list longer than this many characters is split into its items, one passage
# each; a shorter one is one passage with its lead-in (every list's items apart cost 0.02
# hit@1 on the fourteen documents then; benchmarks/README.md). On the thirty-two training
# documents the median passage is 174 characters, the 99th percentile 1,362, and 31 of
# 152 lists are longer than 1,000 (one 12,291). Their training questions, mean per
# document, hit@1 / hit@3 / quote@1 / unanswerable refused / answerable refused, weights
# as fitted before: every list whole 0.727 / 0.867 / 0.669 / 0.267 / 0.026; split above
# 1,000 characters 0.730 / 0.876 / 0.673 / 0.285 / 0.020 (ten documents change), 2,000
# 0.730 / 0.876 / 0.672 / 0.271 / 0.020 (five), 4,000 0.731 / 0.872 / 0.674 / 0.271 /
# 0.020 (three). 2,000: the middle of three that measure alike.
LONG_LIST_CHARS = 2_000

# -- quote stage -------------------------------------------------------------------------
SHORT_PASSAGE_CHARS = 450  # a passage this short, or of at most SHORT_PASSAGE_SENTENCES
SHORT_PASSAGE_SENTENCES = 2  # sentences, is quoted whole; a plain-text definition's later
# paragraphs join its term while it stays this short (blocks._definition), so it is quoted
# whole with its term (lighttpd's options and their defaults: hit@1 0.48 -> 0.59)
MAX_QUOTE_SENTENCES = 3  # an excerpt never grows past this many sentences
NEXT_SENTENCE_RATIO = 0.3  # the next sentence joins a quote when its own fused score is at
# least this share of the best sentence's. Grid on the 263 training questions with a quote
# snippet (quote@1): ratio 0.3 / 0.6 / never gave 164 / 163 / 159; whole passages up to
# 300 / 450 characters gave 164 / 170 (better on all five documents); at most 2 / 3
# sentences gave 162 / 164.
MIN_QUOTE_CHARS = 150  # a quote shorter than this (a list item's name, a heading-like
# fragment) takes the next sentence too. Grid on the 543 training questions (20 documents)
# whose first passage is right and is prose, quote@1 given the passage: for why/how/yes-no
# questions only (before) 473; the next-sentence ratio for every question 485; with
# MIN_QUOTE_CHARS 100 / 150 488 / 492 (the other 19 documents 413 -> 432, the article 60
# -> 60), 19 characters longer on average; ratio 0.2 / 0.5 at 150: 492 / 489; the
# sentence before by the same ratio too: 494, 26 characters longer.

# -- fusion and refusal (FITTED: benchmarks/fit.py) ---------------------------------------
# The passage features, in the order of the weights (computed in briefbot.fusion).
# "opens": the passage ends with a colon. Leave-one-document-out on thirty-two documents
# (mean ranking hit@1 / end to end): 0.720 / 0.706 with it, 0.717 / 0.703 without. A
# "follows" signal (the best sentence cosine of the passage before, when that one ends
# with "?" or ":") paid on seventeen documents and no longer on thirty-two: 0.718 / 0.702
# with it, so it was dropped (benchmarks/README.md). "late_z": late interaction as a z-score
# among the question's candidates (fusion._late_standardized); out of fold 0.719 -> 0.728
# against the raw value (benchmarks/README.md, "Late interaction standardized").
FEATURES = (
    "coverage",
    "cosine",
    "typed_miss",
    "unknown",
    "late_z",
    "opens",
)
# The fitted models, one per kind of index: with the passages' token vectors ("late"),
# with sentence vectors only ("semantic"), and without the encoder ("lexical").
MODELS = ("late", "semantic", "lexical")
# Computed per candidate but evidence for refusal only, never for ranking: "unknown" is
# the same for every candidate of a question, and the answer-type check ranked no better
# in cross-validation and worse on the second sealed part (benchmarks/README.md).
REFUSAL_ONLY = ("typed_miss", "unknown")
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
# Written by benchmarks/fit.py from 3482 training questions (88154 candidate
# passages, 6070 sentences of answering passages); see that script for the procedure.
# The passage models' weights, in FEATURES order, one per model (params.MODELS):
WEIGHTS = {
    "late": (4.9588, 4.5780, 0.0000, 0.0000, 1.5103, -0.3041),
    "semantic": (8.3372, 12.8671, 0.0000, 0.0000, 0.0000, -0.2483),
    "lexical": (11.6966, 0.0000, 0.0000, 0.0000, 0.0000, -0.2579),
}
REFUSE_BELOW = {
    "late": 0.222,
    "semantic": 0.225,
    "lexical": 0.261,
}  # the refusal model's probability
# the refusal weights, in REFUSAL_FEATURES order, and biases
REFUSAL_WEIGHTS = {
    "late": (0.3307, 2.9674, 3.2416, 0.0000, 0.0000, -3.7933, -0.3205, 2.1050),
    "semantic": (0.0000, 3.6913, 3.0124, 0.0000, 0.0000, -3.6685, -0.3472, 2.2463),
    "lexical": (0.0000, 0.0000, 0.0000, 1.9303, -1.0187, -2.6295, -0.5382, 1.4225),
}
REFUSAL_BIAS = {
    "late": -2.9975,
    "semantic": -3.1084,
    "lexical": -0.1366,
}
SENTENCE_WEIGHTS = (1.7453, 2.9338, -2.0803)  # sentence_bm25, cosine, typed_miss
SENTENCE_BIAS = -3.0833
# FITTED-END

# A question names a document when it has at least this share of the title's words
# ("who wrote the Unicode HOWTO?" names "Unicode HOWTO"): half, so that a title's
# subtitle-like tail need not be typed. Hand-set; checked by test_documents.
TITLE_NAMED_SHARE = 0.5

# -- building --------------------------------------------------------------------------
# The memory an index build takes, estimated before it starts so that a build the machine
# cannot hold is refused with the figures rather than killed part-way: this many bytes a
# character of the corpus, plus BUILD_MEMORY_BASE. Measured on the project's 2-core
# machine, 1M-passage benchmark corpus (356M characters): the whole machine's memory in use
# rose by at most 2.09 GB during `briefbot index` (main process 1.96 GiB at its peak, the
# sentence index being built; the workers are done by then), 5.9 bytes a character; 6
# rounds it up. The base: the interpreter, numpy and the encoder's weights (about 0.3 GB).
BUILD_BYTES_PER_CHAR = 6
BUILD_MEMORY_BASE = 300 * 2**20

# -- documents at start --------------------------------------------------------------------
# Texts of documents not read at start (known from a saved index's manifest) are kept after
# their first use up to this many characters, least recently used dropped first: 64M
# characters is 64-256 MB of str, a few hundred average documents of the 1M-passage
# benchmark corpus (356 KB each), so a busy bot rarely reads a file twice. Hand-set.
DOCUMENT_TEXT_CACHE_CHARS = 64_000_000
# A corpus of more characters than this keeps no document's text once it is loaded (each is
# read again where needed, passages as their own bytes): the same 64M characters, so that
# what a large corpus holds of its texts is the cache's budget, not all of them (356M
# characters, 0.4-0.7 GB, in the 1M-passage benchmark corpus). Hand-set, with the cache.
HOLD_TEXTS_CHARS = 64_000_000
# A file whose modification or status-change time is this close to the moment it was read
# is not trusted by its stat at the next start (it is read again): two seconds, the
# coarsest timestamp of a common filesystem (FAT), as git treats "racily clean" entries.
RACY_STAT_NS = 2_000_000_000
