"""``briefbot summary`` and ``briefbot topics``, invoked through ``main([...])``."""

from __future__ import annotations

import json

import pytest

from briefbot.cli import build_parser, main

from .helpers import ARTICLE, CORPUS

SOURCE_KEYS = ["document", "title", "section", "paragraph", "start", "end", "url", "authors"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["--corpus", str(CORPUS), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_summary_json_contract(capsys):
    code, out, err = run(capsys, "summary", "CSTO", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert list(data) == ["topic", "found", "reason", "sentences"]
    assert data["topic"] == "CSTO" and data["found"] is True and data["reason"] is None
    assert len(data["sentences"]) == 5
    article = ARTICLE.read_text(encoding="utf-8")
    for sentence in data["sentences"]:
        assert list(sentence) == ["text", "source"]
        source = sentence["source"]
        assert list(source) == SOURCE_KEYS
        assert article[source["start"] : source["end"]] == sentence["text"]
        assert source["document"] == "occupation-not-yet-intervention-already"
        assert source["title"] == "Occupation (Not yet), Intervention (Already)"
        assert source["authors"] == ["Mykhailo Samus", "Serhiy Sydorenko"]
        assert source["url"].startswith("https://www.newgeopolitics.org/")
        assert isinstance(source["paragraph"], int) and source["section"]
    starts = [s["source"]["start"] for s in data["sentences"]]
    assert starts == sorted(starts)


def test_summary_without_topic_is_a_brief(capsys):
    code, out, _ = run(capsys, "summary", "--json", "--sentences", "3")
    data = json.loads(out)
    assert code == 0 and data["topic"] is None and data["found"] is True
    assert len(data["sentences"]) == 3


def test_summary_of_an_unknown_topic(capsys):
    code, out, _ = run(capsys, "summary", "--json", "Putin's dog")
    data = json.loads(out)
    assert code == 0
    assert data == {
        "topic": "Putin's dog",
        "found": False,
        "reason": "The article does not discuss Putin's dog. Did you mean Putin?",
        "sentences": [],
    }
    code, out, _ = run(capsys, "summary", "basketball")
    assert code == 0 and out.startswith("The article does not discuss basketball.")


def test_summary_text_is_numbered_quotes_with_attribution(capsys):
    code, out, err = run(capsys, "summary", "occupation", "--sentences", "2")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "What the article says about occupation:"
    assert "1. “Furthermore, it cannot be called an occupation" in out
    assert "2. “" in out and "3. “" not in out
    assert "› Intervention by invitation › ¶ 23 · Mykhailo Samus, Serhiy Sydorenko" in out
    assert "#:~:text=" in out


@pytest.mark.parametrize("value", ["0", "11", "-3", "five", "2.5"])
def test_sentences_outside_1_to_10_is_rejected(capsys, value):
    with pytest.raises(SystemExit) as info:
        main(["summary", "CSTO", "--sentences", value])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert "argument --sentences:" in err[-1] and "1 to 10" in err[-1]


@pytest.mark.parametrize("topic", ["", "   ", "\u200b"])
def test_empty_topic_is_one_line_and_exit_2(capsys, topic):
    code, out, err = run(capsys, "summary", topic)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("briefbot: error: The topic is empty")


def test_huge_topic_is_one_line_and_exit_2(capsys):
    code, out, err = run(capsys, "summary", "Tokayev " * 100)
    assert code == 2 and out == "" and err.count("\n") == 1 and "too long" in err


def test_topics_text(capsys):
    code, out, err = run(capsys, "topics")
    assert code == 0 and err == ""
    assert out.startswith("Sections:\n  No surprise to see Russian troops in Kazakhstan (4 ¶)\n")
    assert "Names and terms" in out
    for name in ("CSTO (", "Tokayev (", "peacekeeping (", "occupation ("):
        assert name in out


def test_topics_json(capsys):
    code, out, _ = run(capsys, "topics", "--json")
    data = json.loads(out)
    assert code == 0 and list(data) == ["topics"]
    kinds = {t["kind"] for t in data["topics"]}
    assert kinds == {"section", "term"}
    assert all(list(t) == ["name", "kind", "passages"] for t in data["topics"])
    assert {"name": "The role of the CSTO", "kind": "section", "passages": 5} in data["topics"]


def test_summary_and_topics_have_help_text():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in ("summary", "topics"):
        assert sub.choices[name].description
        assert any(c.dest == name and c.help for c in sub._choices_actions)
