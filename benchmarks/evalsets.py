"""The evaluation's documents and question sets, shared by fit.py and bench_quality.py."""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from pathlib import Path

from briefbot import Briefbot
from briefbot.evaluate import Case, load_cases

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "benchmarks" / "questions"
# Each question set's document: its own corpus, so "who wrote this?" means that document.
CORPORA = {
    "article": ROOT / "corpus",
    "debian-manifesto": ROOT / "benchmarks" / "corpora" / "debian-manifesto",
    "debian-project": ROOT / "benchmarks" / "corpora" / "debian-project",
    "developer-duties": ROOT / "benchmarks" / "corpora" / "developer-duties",
    "gitfaq": ROOT / "benchmarks" / "corpora" / "gitfaq",
    # documentation in Markdown with code blocks, lists and nested headings (sealed-4)
    "filter-repo": ROOT / "benchmarks" / "corpora" / "filter-repo",
    "git-lfs-transfers": ROOT / "benchmarks" / "corpora" / "git-lfs-transfers",
    "direnv": ROOT / "benchmarks" / "corpora" / "direnv",
    # Node.js documentation: a policy, an API reference, a contributor's guide (sealed-5)
    "node-security": ROOT / "benchmarks" / "corpora" / "node-security",
    "node-timers": ROOT / "benchmarks" / "corpora" / "node-timers",
    "node-writing-tests": ROOT / "benchmarks" / "corpora" / "node-writing-tests",
    # web pages imported with `briefbot add`: a build tool's manual, an annotated C
    # walkthrough, a system reference (sealed-6)
    "ninja-manual": ROOT / "benchmarks" / "corpora" / "ninja-manual",
    "zlib-usage": ROOT / "benchmarks" / "corpora" / "zlib-usage",
    "users-and-groups": ROOT / "benchmarks" / "corpora" / "users-and-groups",
    # more web pages imported with `briefbot add`: a tutorial with commands, a server's
    # configuration guide, an essay (sealed-7)
    "quilt-guide": ROOT / "benchmarks" / "corpora" / "quilt-guide",
    "apache-caching": ROOT / "benchmarks" / "corpora" / "apache-caching",
    "sqlite-appfileformat": ROOT / "benchmarks" / "corpora" / "sqlite-appfileformat",
    # a FAQ chapter, a project's history, a server's reference page, imported the same way
    # (sealed-8)
    "debian-faq-pkgtools": ROOT / "benchmarks" / "corpora" / "debian-faq-pkgtools",
    "debian-history-detailed": ROOT / "benchmarks" / "corpora" / "debian-history-detailed",
    "postgresql-pg-hba-conf": ROOT / "benchmarks" / "corpora" / "postgresql-pg-hba-conf",
    # a mail server's guide, a mail client's manual chapter and a backup tool's quick
    # start (Sphinx), imported the same way (sealed-9)
    "postfix-address-rewriting": ROOT / "benchmarks" / "corpora" / "postfix-address-rewriting",
    "mutt-optional-features": ROOT / "benchmarks" / "corpora" / "mutt-optional-features",
    "borg-quickstart": ROOT / "benchmarks" / "corpora" / "borg-quickstart",
    # a shell's FAQ chapter, a print server's set-up guide and a profiler's manual chapter
    # (DocBook), imported the same way (sealed-10)
    "zsh-faq-differences": ROOT / "benchmarks" / "corpora" / "zsh-faq-differences",
    "cups-network-printers": ROOT / "benchmarks" / "corpora" / "cups-network-printers",
    "valgrind-massif": ROOT / "benchmarks" / "corpora" / "valgrind-massif",
    # a shell's tutorial (Sphinx), an editor's FAQ and a kernel admin-guide reference page,
    # imported the same way (sealed-11)
    "fish-tutorial": ROOT / "benchmarks" / "corpora" / "fish-tutorial",
    "nano-faq": ROOT / "benchmarks" / "corpora" / "nano-faq",
    "kernel-bootconfig": ROOT / "benchmarks" / "corpora" / "kernel-bootconfig",
    # a version-control tutorial, a database's design caveats and a logging daemon's
    # configuration reference (Sphinx), imported the same way (sealed-12)
    "git-tutorial": ROOT / "benchmarks" / "corpora" / "git-tutorial",
    "sqlite-quirks": ROOT / "benchmarks" / "corpora" / "sqlite-quirks",
    "rsyslog-filters": ROOT / "benchmarks" / "corpora" / "rsyslog-filters",
    # a web server's authentication how-to, a database's vacuuming reference chapter and
    # a database's write-ahead-log design page, imported the same way (sealed-13)
    "apache-auth": ROOT / "benchmarks" / "corpora" / "apache-auth",
    "postgresql-routine-vacuuming": ROOT
    / "benchmarks"
    / "corpora"
    / "postgresql-routine-vacuuming",
    "sqlite-wal": ROOT / "benchmarks" / "corpora" / "sqlite-wal",
    # a name server's introductory chapter (Sphinx), an authentication module's reference
    # page (DocBook) and a packaging guide's opening chapter, imported the same way (sealed-14)
    "bind9-intro": ROOT / "benchmarks" / "corpora" / "bind9-intro",
    "pam-unix": ROOT / "benchmarks" / "corpora" / "pam-unix",
    "maint-guide-start": ROOT / "benchmarks" / "corpora" / "maint-guide-start",
    # a programming book's tutorial chapter, a build tool's command reference and a media
    # tool's FAQ, imported the same way (sealed-15)
    "rust-ownership": ROOT / "benchmarks" / "corpora" / "rust-ownership",
    "cmake-find-package": ROOT / "benchmarks" / "corpora" / "cmake-find-package",
    "ffmpeg-faq": ROOT / "benchmarks" / "corpora" / "ffmpeg-faq",
    # a reference manual's chapter on locales and encodings, a package manager's user guide
    # chapter (DocBook) and an administrator's handbook section, imported the same way
    # (sealed-16)
    "debian-reference-i18n": ROOT / "benchmarks" / "corpora" / "debian-reference-i18n",
    "apt-guide-interface": ROOT / "benchmarks" / "corpora" / "apt-guide-interface",
    "handbook-cron-atd": ROOT / "benchmarks" / "corpora" / "handbook-cron-atd",
    # a time daemon's FAQ (plain text), a sync tool's reference section on filters and a
    # terminal program's manual (AsciiDoc HTML), the last imported the same way (sealed-17)
    "chrony-faq": ROOT / "benchmarks" / "corpora" / "chrony-faq",
    "rclone-filtering": ROOT / "benchmarks" / "corpora" / "rclone-filtering",
    "tig-manual": ROOT / "benchmarks" / "corpora" / "tig-manual",
    # a shell's manual page section (man2html HTML), a language's memory model (HTML) and
    # a web server's configuration reference (reStructuredText as installed, .txt), the
    # first two imported with `briefbot add` (sealed-18)
    "bash-expansion": ROOT / "benchmarks" / "corpora" / "bash-expansion",
    "go-memory-model": ROOT / "benchmarks" / "corpora" / "go-memory-model",
    "lighttpd-configuration": ROOT / "benchmarks" / "corpora" / "lighttpd-configuration",
    # a translation library's FAQ and a backup tool's manual page (Sphinx), both HTML
    # imported with `briefbot add`, and an editor's user manual chapter in its own
    # plain-text help format (sealed-19)
    "gettext-faq": ROOT / "benchmarks" / "corpora" / "gettext-faq",
    "restic-restore": ROOT / "benchmarks" / "corpora" / "restic-restore",
    "vim-usr07": ROOT / "benchmarks" / "corpora" / "vim-usr07",
    # a DNS forwarder's FAQ in plain text (Q: / A:), a tool's README in Markdown and a
    # packaging format's specification in plain text with numbered sections (sealed-20)
    "dnsmasq-faq": ROOT / "benchmarks" / "corpora" / "dnsmasq-faq",
    "etckeeper": ROOT / "benchmarks" / "corpora" / "etckeeper",
    "copyright-format": ROOT / "benchmarks" / "corpora" / "copyright-format",
    # a RAID tool's FAQ in plain text with underlined questions, an upgrade service's README
    # in Markdown and a version-control system's glossary in reStructuredText (sealed-21)
    "mdadm-faq": ROOT / "benchmarks" / "corpora" / "mdadm-faq",
    "unattended-upgrades": ROOT / "benchmarks" / "corpora" / "unattended-upgrades",
    "hg-glossary": ROOT / "benchmarks" / "corpora" / "hg-glossary",
}
# The question sets (benchmarks/questions), in the order they were written: the training
# parts (each sealed part was run once, then joined them) and the sealed part not yet run,
# which nothing is fitted or compared on until it is run once.
TRAINING = ("train", "dev", "sealed", *(f"sealed-{n}" for n in range(2, 21)))
SEALED = "sealed-21"
PARTS = (*TRAINING, SEALED)
# The article's two older sets (tuned on before): training data only.
OLD_SETS = [ROOT / "tests" / "data" / "devset.jsonl", ROOT / "tests" / "data" / "heldout.jsonl"]


def by_document(*parts: str, old: bool = False) -> dict[str, list[Case]]:
    """Cases of the named parts (train / dev / sealed), grouped by document."""
    groups: dict[str, list[Case]] = defaultdict(list)
    for part in parts:
        for case in load_cases(QUESTIONS / f"{part}.jsonl"):
            groups[case.doc or "article"].append(case)
    if old:
        for path in OLD_SETS:
            groups["article"].extend(load_cases(path))
    return dict(sorted(groups.items()))


_BOTS: dict[tuple[str, bool], Briefbot] = {}
_CACHE = Path(tempfile.gettempdir()) / "briefbot-eval-cache"


def bot(doc: str, semantic: bool = True) -> Briefbot:
    key = (doc, semantic)
    if key not in _BOTS:
        _BOTS[key] = Briefbot.from_folder(
            CORPORA[doc], cache_dir=_CACHE / doc, save=True, semantic=semantic
        )
    return _BOTS[key]


def dump(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
