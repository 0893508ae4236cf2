"""Answer quality must not regress (README, "Answer quality"): on the evaluation's
forty-seven documents (benchmarks/questions: train, dev and the sealed parts run so far,
the questions the weights are fitted on, each document its own corpus) and on the article's
two older question sets. The levels are those measured when the weights were last fitted
(benchmarks/levels.py), rounded down; raise them as the engine improves. (A sealed part
stays out until it is measured, once.)"""

from __future__ import annotations

import sys

import pytest

from briefbot import Briefbot
from briefbot.evaluate import evaluate, load_cases

from .helpers import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import evalsets  # noqa: E402

# document: (hit@1, hit@3, quote@1, most answerable questions refused, least share of the
# unanswerable ones refused); printed by benchmarks/levels.py
LEVELS = {
    "apache-auth": (0.70, 0.81, 0.66, 0, 0.66),
    "apache-caching": (0.55, 0.77, 0.51, 2, 0.44),
    "apt-guide-interface": (0.88, 0.96, 0.77, 1, 0.22),
    "article": (0.68, 0.84, 0.66, 2, 0.20),
    "bash-expansion": (0.70, 0.85, 0.70, 2, 0.44),
    "bind9-intro": (0.85, 0.96, 0.74, 0, 0.33),
    "borg-quickstart": (0.55, 0.85, 0.51, 1, 0.22),
    "chrony-faq": (0.51, 0.74, 0.51, 0, 0.44),
    "cmake-find-package": (0.77, 0.77, 0.70, 0, 0.33),
    "copyright-format": (0.77, 0.85, 0.74, 0, 0.00),
    "cups-network-printers": (0.74, 0.92, 0.74, 0, 0.44),
    "debian-faq-pkgtools": (0.77, 0.92, 0.59, 1, 0.33),
    "debian-history-detailed": (0.85, 0.92, 0.77, 2, 0.11),
    "debian-manifesto": (0.75, 0.93, 0.71, 2, 0.58),
    "debian-project": (0.82, 0.94, 0.68, 0, 0.36),
    "debian-reference-i18n": (0.81, 0.96, 0.77, 0, 0.11),
    "developer-duties": (0.72, 0.86, 0.71, 3, 0.27),
    "direnv": (0.66, 0.81, 0.66, 1, 0.22),
    "dnsmasq-faq": (0.70, 0.88, 0.62, 1, 0.33),
    "etckeeper": (0.74, 0.77, 0.74, 2, 0.22),
    "ffmpeg-faq": (0.85, 0.96, 0.85, 0, 0.44),
    "filter-repo": (0.70, 0.85, 0.70, 1, 0.22),
    "fish-tutorial": (0.66, 0.74, 0.66, 1, 0.22),
    "gettext-faq": (0.77, 0.92, 0.74, 1, 0.11),
    "git-lfs-transfers": (0.74, 0.88, 0.59, 1, 0.22),
    "git-tutorial": (0.77, 0.88, 0.66, 0, 0.55),
    "gitfaq": (0.60, 0.87, 0.55, 0, 0.40),
    "go-memory-model": (0.74, 0.88, 0.74, 1, 0.33),
    "handbook-cron-atd": (0.74, 0.85, 0.70, 2, 0.22),
    "kernel-bootconfig": (0.77, 0.88, 0.77, 0, 0.55),
    "lighttpd-configuration": (0.62, 0.81, 0.59, 1, 0.22),
    "maint-guide-start": (0.70, 0.88, 0.70, 2, 0.22),
    "mutt-optional-features": (0.62, 0.81, 0.62, 0, 0.33),
    "nano-faq": (0.77, 0.85, 0.70, 2, 0.33),
    "ninja-manual": (0.77, 0.85, 0.74, 0, 0.66),
    "node-security": (0.81, 0.92, 0.81, 0, 0.11),
    "node-timers": (0.66, 0.74, 0.66, 0, 0.00),
    "node-writing-tests": (0.85, 0.92, 0.85, 0, 0.22),
    "pam-unix": (0.92, 1.00, 0.92, 0, 0.00),
    "postfix-address-rewriting": (0.85, 1.00, 0.81, 0, 0.22),
    "postgresql-pg-hba-conf": (0.81, 0.85, 0.74, 2, 0.66),
    "postgresql-routine-vacuuming": (0.74, 0.88, 0.70, 0, 0.66),
    "quilt-guide": (0.77, 0.92, 0.70, 0, 0.33),
    "rclone-filtering": (0.62, 0.77, 0.55, 1, 0.44),
    "restic-restore": (0.62, 0.70, 0.62, 3, 0.11),
    "rsyslog-filters": (0.66, 0.85, 0.62, 0, 0.55),
    "rust-ownership": (0.81, 0.85, 0.81, 0, 0.11),
    "sqlite-appfileformat": (0.88, 0.92, 0.77, 1, 0.11),
    "sqlite-quirks": (0.74, 0.92, 0.66, 0, 0.22),
    "sqlite-wal": (0.77, 0.85, 0.66, 0, 0.44),
    "tig-manual": (0.81, 0.85, 0.77, 2, 0.44),
    "users-and-groups": (0.92, 0.96, 0.88, 1, 0.22),
    "valgrind-massif": (0.66, 0.85, 0.55, 1, 0.44),
    "vim-usr07": (0.70, 0.88, 0.59, 0, 0.22),
    "zlib-usage": (0.66, 0.74, 0.48, 1, 0.33),
    "zsh-faq-differences": (0.59, 0.85, 0.51, 0, 0.33),
}
OLD = {"devset.jsonl": (0.77, 0.90), "heldout.jsonl": (0.80, 0.93)}


@pytest.fixture(scope="module")
def groups():
    return evalsets.by_document(*evalsets.TRAINING)


@pytest.mark.parametrize("doc", sorted(LEVELS))
def test_quality_on_each_document(doc, groups, tmp_path_factory):
    bot = Briefbot.from_folder(
        evalsets.CORPORA[doc], cache_dir=tmp_path_factory.mktemp(doc), save=False
    )
    report = evaluate(bot, groups[doc])
    hit1, hit3, quote1, refused, unanswerable = LEVELS[doc]
    summary = "\n".join(report.misses)
    assert report.hit_at_1 >= hit1, summary
    assert report.hit_at_3 >= hit3, summary
    assert report.quote_at_1 >= quote1, summary
    assert report.wrongly_refused <= refused, summary
    assert report.refusal_accuracy >= unanswerable, summary


@pytest.mark.parametrize("name", sorted(OLD))
def test_quality_on_the_article_s_older_sets(bot, name):
    report = evaluate(bot, load_cases(ROOT / "tests" / "data" / name))
    hit1, hit3 = OLD[name]
    assert report.hit_at_1 >= hit1 and report.hit_at_3 >= hit3, "\n".join(report.misses)
