"""Build briefbot's thesaurus (src/briefbot/data/thesaurus.sqlite) from WordNet 3.0.

Reads the WordNet database files (Debian: `apt-get install wordnet-base`, files in
/usr/share/wordnet) and writes, for each single-word lemma, the words related to it in
its most frequent senses: synonyms, derivationally related forms, and the synonyms of the
synsets one step up (hypernyms) and of the groups it belongs to (member holonyms). Only
senses seen in WordNet's tagged corpus are used (the first sense when none is), which
keeps rare senses ("keep" as a castle tower) out. Irregular forms (verb.exc etc.) are
stored under "~form" so lookups can lemmatise "sent" to "send". Beside them: the content
words of each word's definitions (gloss), what kind of thing each name names (kinds:
"armenia" -> country), how common each word is in SemCor (counts), and the compound nouns
in everyday use (compounds: "secretary general"). The result is a small
read-only SQLite table (word -> space-separated related words): opened in a millisecond,
looked up in microseconds, nothing parsed at start-up.

    python scripts/build_thesaurus.py [/usr/share/wordnet] [output]
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path

POS = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}
TPOS = {"n": "noun", "v": "verb", "a": "adj", "s": "adj", "r": "adv"}
MAX_SENSES = 3
MAX_RELATED = 40
KIND_DEPTH = 2  # steps up the hypernym tree for what kind of thing a name names
KIND_STOP = set(  # kinds too general to ask for ("which someone")
    """someone somebody soul mortal individual person being entity object thing whole unit
    body set mass center centre point location""".split()
)
GLOSS_SENSES = 2  # definitions of a word's (at most) two commonest senses
GLOSS_STOP = set(
    """a an the of or and to in on for by with as at from that which who whom whose is are be
    being been any some something someone somebody one ones especially usually often person
    thing things act state use used make made etc e g i its it their they this these those
    not no more most very such other into out up down over than then also can may having has
    have had do does did""".split()
)


def _gloss_words(gloss: str) -> list[str]:
    """Content words of a synset's definition (before the examples)."""
    definition = gloss.split('"')[0]
    words = []
    for w in definition.lower().replace("(", " ").replace(")", " ").split():
        w = w.strip(".,;:!?'`")
        if w.isalpha() and len(w) > 2 and w not in GLOSS_STOP and w not in words:
            words.append(w)
    return words


def single(word: str) -> str | None:
    word = word.split("(")[0].lower()
    return word if word.isalpha() else None


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/wordnet")
    out = Path(
        sys.argv[2]
        if len(sys.argv) > 2
        else Path(__file__).parents[1] / "src/briefbot/data/thesaurus.sqlite"
    )
    synsets: dict[tuple[str, str], tuple[list[str], list[tuple[str, str, str, str]]]] = {}
    glosses: dict[tuple[str, str], list[str]] = {}
    defined: dict[str, list[str]] = defaultdict(list)  # word -> content words of its definitions
    for pos in POS:
        for line in (root / f"data.{pos}").open(encoding="latin-1"):
            if line.startswith("  "):
                continue
            head = line.split(" | ")[0].split()
            n = int(head[3], 16)
            words = [head[4 + 2 * i] for i in range(n)]
            i = 4 + 2 * n
            count = int(head[i])
            i += 1
            pointers = []
            for _ in range(count):
                sym, off, tpos, st = head[i : i + 4]
                i += 4
                pointers.append((sym, off, TPOS[tpos], st))
            synsets[(pos, head[0])] = (words, pointers)
            glosses[(pos, head[0])] = _gloss_words(line.partition(" | ")[2])

    related: dict[str, dict[str, int]] = defaultdict(dict)  # word -> related -> rank (lower first)

    def add(word: str, other: str, rank: int) -> None:
        if other != word and (other not in related[word] or related[word][other] > rank):
            related[word][other] = rank

    for pos in POS:
        for line in (root / f"index.{pos}").open(encoding="latin-1"):
            if line.startswith("  "):
                continue
            parts = line.split()
            lemma = single(parts[0])
            if lemma is None:
                continue
            p_cnt = int(parts[3])
            tagged = int(parts[5 + p_cnt])
            offsets = parts[6 + p_cnt :]
            for off in offsets[: max(1, min(tagged, GLOSS_SENSES))]:
                for w in glosses[(pos, off)]:
                    if w != lemma and w not in defined[lemma]:
                        defined[lemma].append(w)
            for sense, off in enumerate(offsets[: max(1, min(tagged, MAX_SENSES))]):
                words, pointers = synsets[(pos, off)]
                for w in words:
                    if (s := single(w)) is not None:
                        add(lemma, s, sense)
                for sym, toff, tpos, st in pointers:
                    twords, _ = synsets[(tpos, toff)]
                    if sym == "+" and st != "0000":  # derivation between two specific words
                        src, dst = int(st[:2], 16), int(st[2:], 16)
                        if single(words[src - 1]) == lemma and (s := single(twords[dst - 1])):
                            add(lemma, s, sense)
                    elif sym in (
                        "@",
                        "@i",
                        "#m",
                        "$",
                        "&",
                    ):  # hypernym, member holonym, verb group, similar
                        for w in twords:
                            if (s := single(w)) is not None:
                                add(lemma, s, sense + 1)

    # What kind of thing a name names: "armenia" -> country, nation, state, land. For words
    # that are names first (the commonest sense a capitalised noun, and no verb, adjective
    # or adverb: "Armenia", not "Swift" or "March"): the synonyms of what it is an instance
    # or a kind of, and of their hypernyms, KIND_DEPTH steps up, with the head word of
    # multiword ones ("Asian country"). Two-letter names only by instance: "US" is a
    # country, while "Eu" (europium) must not make "EU" a metal.
    other_pos = {  # lowercase verbs, adjectives, adverbs ("swift"; not "Ukrainian")
        w.split("(")[0].lower()
        for (pos, _off), (words, _ptrs) in synsets.items()
        if pos != "noun"
        for w in words
        if w[:1].islower()
    }
    kinds: dict[str, list[str]] = {}
    for line in (root / "index.noun").open(encoding="latin-1"):
        if line.startswith("  "):
            continue
        parts = line.split()
        lemma = single(parts[0])
        if lemma is None or parts[0] in other_pos:
            continue
        p_cnt = int(parts[3])
        senses = parts[6 + p_cnt :]
        if not any(
            w.lower() == parts[0] and w[:1].isupper() for w in synsets[("noun", senses[0])][0]
        ):
            continue  # its commonest sense is a common noun
        up = [(sym, toff) for sym, toff, _tpos, _st in synsets[("noun", senses[0])][1]]
        level = [toff for sym, toff in up if sym == "@i" or (sym == "@" and len(lemma) > 2)]
        found: list[str] = []
        for _ in range(KIND_DEPTH):
            for off in level:
                for w in synsets[("noun", off)][0]:
                    head = single(w.split("_")[-1])
                    if head and head != lemma and head not in found and head not in KIND_STOP:
                        found.append(head)
            level = [
                toff
                for off in level
                for sym, toff, tpos, _st in synsets[("noun", off)][1]
                if sym in ("@", "@i") and tpos == "noun"
            ]
        if found:
            kinds[lemma] = found

    irregular: dict[str, str] = {}
    for pos in POS:
        for line in (root / f"{pos}.exc").open(encoding="latin-1"):
            form, *lemmas = line.split()
            if form.isalpha() and lemmas and lemmas[0].isalpha():
                irregular.setdefault(form, lemmas[0])

    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    rows = [(f"~{form}", irregular[form]) for form in irregular]
    for word in related:
        ranked = sorted(related[word], key=lambda w: (related[word][w], w))[:MAX_RELATED]
        if ranked:
            rows.append((word, " ".join(ranked)))
    db = sqlite3.connect(out)
    db.execute("CREATE TABLE related (word TEXT PRIMARY KEY, words TEXT NOT NULL) WITHOUT ROWID")
    db.execute("CREATE TABLE gloss (word TEXT PRIMARY KEY, words TEXT NOT NULL) WITHOUT ROWID")
    db.executemany(
        "INSERT INTO gloss VALUES (?, ?)",
        sorted((w, " ".join(ws)) for w, ws in defined.items() if ws),
    )
    db.execute("CREATE TABLE kinds (word TEXT PRIMARY KEY, words TEXT NOT NULL) WITHOUT ROWID")
    db.executemany(
        "INSERT INTO kinds VALUES (?, ?)", sorted((w, " ".join(ws)) for w, ws in kinds.items())
    )
    # How common each lemma is in everyday English: its senses' counts in WordNet's tagged
    # corpus (SemCor). A question's common words ("come", "want") matter less than rare ones.
    counts: dict[str, int] = defaultdict(int)
    for line in (root / "cntlist.rev").open(encoding="latin-1"):
        key, _number, count = line.split()
        if (word := single(key.split("%")[0])) is not None:
            counts[word] += int(count)
    db.execute("CREATE TABLE counts (word TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID")
    db.executemany(
        "INSERT INTO counts VALUES (?, ?)", sorted((w, n) for w, n in counts.items() if n)
    )
    # Compound nouns in everyday use ("secretary general", "state department"): a question
    # asking about one is not answered by passages that only share one of its words.
    compounds = []
    for line in (root / "index.noun").open(encoding="latin-1"):
        parts = line.split()
        if line.startswith("  ") or "_" not in parts[0]:
            continue
        words = parts[0].split("_")
        seen = int(parts[5 + int(parts[3])]) > 0  # in the tagged corpus
        if seen and 2 <= len(words) <= 3 and all(w.isalpha() for w in words):
            compounds.append((" ".join(words),))
    db.execute("CREATE TABLE compounds (phrase TEXT PRIMARY KEY) WITHOUT ROWID")
    db.executemany("INSERT INTO compounds VALUES (?)", sorted(compounds))
    db.execute("CREATE TABLE about (text TEXT)")
    db.execute(
        "INSERT INTO about VALUES (?)",
        ("Derived from WordNet 3.0 (c) 2006 Princeton University; see THESAURUS-LICENSE.",),
    )
    db.executemany("INSERT INTO related VALUES (?, ?)", sorted(rows))
    # The answer pipeline asks only whether WordNet knows a word (and the lemma of an
    # irregular form): related words, definitions, kinds of names, SemCor counts and
    # compounds are built above for inspection, then left out of the shipped file.
    for table in ("gloss", "kinds", "counts", "compounds"):
        db.execute(f"DROP TABLE {table}")  # noqa: S608 (own names)
    db.execute("UPDATE related SET words = '' WHERE word NOT LIKE '~%'")
    # A digest of every table's rows: saved indexes are keyed by it, so new data rebuilds them
    digest = hashlib.sha256()
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1"):
        for row in db.execute(f"SELECT * FROM {table} ORDER BY 1"):  # noqa: S608 (own names)
            digest.update(repr(row).encode())
    db.execute("CREATE TABLE version (digest TEXT NOT NULL)")
    db.execute("INSERT INTO version VALUES (?)", (digest.hexdigest()[:16],))
    db.commit()
    db.execute("VACUUM")
    db.close()

    # Irregular noun and verb forms for the tokenizer ("said" -> "say", "troops" stays).
    # Comparatives stay as they are: "closer" -> "close" would also meet "final" and "last".
    lemmas: dict[str, str] = {}
    for pos in ("verb", "noun"):
        for line in (root / f"{pos}.exc").open(encoding="latin-1"):
            form, *rest = line.split()
            if form.isalpha() and rest and rest[0].isalpha() and form != rest[0]:
                lemmas.setdefault(form, rest[0])
    irregular_out = out.with_name("irregular.tsv")
    with irregular_out.open("w", encoding="utf-8") as fh:
        fh.write(
            "# Irregular forms from WordNet 3.0 (c) 2006 Princeton University; "
            "see THESAURUS-LICENSE.\n"
        )
        for form in sorted(lemmas):
            fh.write(f"{form}\t{lemmas[form]}\n")
    print(f"{len(defined)} definitions")
    print(
        f"{out}: {len(related)} words, {len(irregular)} irregular forms, "
        f"{out.stat().st_size:,} bytes"
    )


if __name__ == "__main__":
    main()
