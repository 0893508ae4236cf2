from __future__ import annotations

import io
import json

import pytest

from briefbot.cli import build_parser, main

from .helpers import CORPUS, write


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["--corpus", str(CORPUS), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_prints_quotes_with_attribution(capsys):
    code, out, err = run(capsys, "ask", "Why wasn't this peacekeeping?")
    assert code == 0 and err == ""
    first = out.split("\n\n")[0].replace("\xa0", " ")
    assert first.startswith(
        "1. “Of course, no matter what Russian and Kazakh authorities might say"
    )
    assert "matched: peacekeeping" in out
    assert "Occupation (Not yet), Intervention (Already) › Intervention by invitation › ¶ 22" in out
    assert "Mykhailo Samus, Serhiy Sydorenko (translated by Euromaidan Press)" in out
    assert (
        "https://www.newgeopolitics.org/2022/01/11/occupation-not-yet-intervention-already/#:~:text="
        in out
    )


def test_ask_color_highlights_matched_words(capsys):
    code, out, _ = run(capsys, "ask", "--color", "always", "peacekeeping mission")
    assert code == 0 and "\033[1mpeacekeeping\033[0m" in out


def test_ask_json_contract(capsys):
    code, out, _ = run(capsys, "ask", "--json", "--top", "2", "What is the CSTO?")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["question", "answered", "reason", "byline", "results"]
    assert data["answered"] is True and data["reason"] is None and len(data["results"]) == 2
    result = data["results"][0]
    assert list(result) == ["rank", "score", "text", "quote", "matched", "source"]
    assert result["quote"] in result["text"]
    source = result["source"]
    text = (CORPUS / f"{source['document']}.md").read_text(encoding="utf-8")
    assert text[source["start"] : source["end"]] == result["text"]
    assert source["authors"] == ["Mykhailo Samus", "Serhiy Sydorenko"]


def test_ask_json_not_answered(capsys):
    code, out, _ = run(capsys, "ask", "--json", "What did Joe Biden say?")
    data = json.loads(out)
    assert code == 0 and data["answered"] is False and data["results"] == []
    assert "Biden" in data["reason"]


def test_ask_stdin_one_json_line_per_question_in_order(capsys, monkeypatch):
    questions = ["Why wasn't this peacekeeping?", "", "who is tokayev", "What did Biden say?"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(questions) + "\n"))
    code, out, _ = run(capsys, "ask", "--json", "-")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [d["question"] for d in lines] == questions
    assert [d["answered"] for d in lines] == [True, False, True, False]
    assert "empty" in lines[1]["reason"]


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_is_one_line_and_exit_2(capsys, question):
    code, out, err = run(capsys, "ask", question)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "empty" in err


def test_bad_top_is_rejected_by_the_parser(capsys):
    with pytest.raises(SystemExit) as info:
        main(["ask", "--top", "0", "x"])
    assert info.value.code == 2
    assert "--top" in capsys.readouterr().err


def test_missing_corpus_is_one_line_exit_1(capsys, tmp_path):
    code = main(["--corpus", str(tmp_path / "none"), "ask", "CSTO"])
    _, err = capsys.readouterr()
    assert code == 1 and err.count("\n") == 1 and "corpus folder not found" in err


def test_non_utf8_document_is_one_line_naming_the_file(capsys, tmp_path):
    bad = write(tmp_path, "bad.txt", b"\xff\xfe broken")
    code = main(["--corpus", str(tmp_path), "ask", "CSTO"])
    _, err = capsys.readouterr()
    assert code == 1 and err.count("\n") == 1 and str(bad) in err and "UTF-8" in err
    assert "Traceback" not in err


def test_bad_file_among_good_ones_is_a_warning(capsys, tmp_path):
    write(
        tmp_path,
        "good.txt",
        "Walrus Notes\n\nThe walrus migrates north.\n\nIce melts.\n\nHerds gather.\n",
    )
    write(tmp_path, "bad.txt", b"\xff\xfe broken")
    code = main(["--corpus", str(tmp_path), "ask", "where does the walrus migrate"])
    out, err = capsys.readouterr()
    assert code == 0 and "walrus migrates north" in out
    assert "warning" in err and "bad.txt" in err


def test_many_bad_files_are_named_a_few_at_a_time_and_all_by_sources(capsys, tmp_path):
    from briefbot.cli import SHOWN_PROBLEMS

    write(tmp_path, "good.txt", "Walrus Notes\n\nThe walrus migrates north.\n\nIce melts.\n")
    for i in range(SHOWN_PROBLEMS + 3):
        write(tmp_path, f"bad{i}.txt", b"\xff\xfe broken")
    code = main(["--corpus", str(tmp_path), "ask", "where does the walrus migrate"])
    out, err = capsys.readouterr()
    assert code == 0 and "walrus migrates north" in out
    lines = err.strip().splitlines()
    assert len(lines) == SHOWN_PROBLEMS + 1 and "3 more files were not indexed" in lines[-1]
    assert main(["--corpus", str(tmp_path), "sources"]) == 0
    out, err = capsys.readouterr()
    assert not err and all(f"bad{i}.txt" in out for i in range(SHOWN_PROBLEMS + 3))
    assert "good" in out and "2 paragraphs" in out
    assert main(["--corpus", str(tmp_path), "sources", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["not_indexed"]) == SHOWN_PROBLEMS + 3
    assert [d["paragraphs"] for d in data["documents"]] == [2]


def test_eval_reports_metrics_and_misses(capsys, tmp_path):
    cases = tmp_path / "set.jsonl"
    cases.write_text(
        json.dumps(
            {
                "q": "Why wasn't this peacekeeping?",
                "expect": ["no external enemy"],
                "quote": "There is no external enemy",
                "kind": "why",
            }
        )
        + "\n"
        + json.dumps({"q": "Who is the CSTO chair?", "expect": ["no such snippet anywhere"]})
        + "\n"
        + json.dumps({"q": "What did Biden say?", "expect_none": True})
        + "\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "eval", str(cases))
    assert code == 0
    assert "hit@1: 0.500" in out and "quote@1: 1.000" in out and "unanswerable refused:" in out
    assert "Who is the CSTO chair?" in out
    assert "why" in out and "unanswerable" in out  # per kind of question
    code, out, _ = run(capsys, "eval", "--json", str(cases))
    report = json.loads(out)
    assert report["hit@1"] == 0.5 and report["answerable"] == 2 and report["unanswerable"] == 1
    assert report["kinds"]["why"]["hit@1"] == 1.0 and report["kinds"]["why"]["quote@1"] == 1.0


def test_eval_bad_file_is_one_line(capsys, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    code, _, err = run(capsys, "eval", str(bad))
    assert code == 2 and "bad.jsonl:1" in err and err.count("\n") == 1


def test_every_command_has_help_text():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    helps = {a.dest: a.help for a in sub._choices_actions}
    assert set(helps) == set(sub.choices)
    assert all(helps.values())


def test_repl_answers_lines_until_eof(capsys, monkeypatch):
    monkeypatch.setattr(
        "sys.stdin", io.StringIO("Why wasn't this peacekeeping?\n\n/quit\nnever reached\n")
    )
    code, out, _ = run(capsys, "repl")
    assert code == 0
    assert "peacekeeping" in out and "never reached" not in out


def test_settings_are_honoured_by_ask_and_the_repl(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIEFBOT_TOP", "1")
    code, out, _ = run(capsys, "ask", "--json", "What is the CSTO?")
    assert code == 0 and len(json.loads(out)["results"]) == 1
    code, out, _ = run(capsys, "ask", "--json", "--top", "2", "What is the CSTO?")
    assert len(json.loads(out)["results"]) == 2  # the option wins over the setting
    monkeypatch.setattr("sys.stdin", io.StringIO("What is the CSTO?\n"))
    code, out, _ = run(capsys, "repl")
    assert code == 0 and "Excerpt 1" in out and "Excerpts 1–" not in out
    monkeypatch.setenv("BRIEFBOT_MAX_QUESTION_CHARS", "20")
    code, out, err = run(capsys, "ask", "Which countries are members of the CSTO?")
    assert code == 2 and out == "" and err.strip().endswith("keep it to 20 or fewer.")
    monkeypatch.setattr("sys.stdin", io.StringIO("Which countries are members of the CSTO?\n"))
    code, out, _ = run(capsys, "repl")
    assert "keep it to 20 or fewer" in out


@pytest.mark.parametrize(("name", "value"), [("BRIEFBOT_TOP", "0"), ("BRIEFBOT_TOP", "many")])
def test_an_invalid_setting_is_one_line(capsys, monkeypatch, tmp_path, name, value):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(name, value)
    code, out, err = run(capsys, "ask", "What is the CSTO?")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith(f"briefbot: error: {name}: ")


def test_ask_keeps_to_the_document_and_top_holds_on_stdin(
    capsys, monkeypatch, tmp_path, lexical_only
):
    import shutil

    from .helpers import ARTICLE

    folder = tmp_path / "two"
    folder.mkdir()
    shutil.copy(ARTICLE, folder / ARTICLE.name)
    write(
        folder,
        "troops.md",
        "---\ntitle: Troops\n---\nRussian troops entered Kazakhstan in January.\n\n"
        "The troops left Kazakhstan in the same month.\n",
    )
    argv = ["--corpus", str(folder), "ask", "--json", "--document", "troops"]
    assert main([*argv, "When did the Russian troops enter Kazakhstan?"]) == 0
    found = json.loads(capsys.readouterr().out)["results"]
    assert found and {r["source"]["document"] for r in found} == {"troops"}
    monkeypatch.setattr("sys.stdin", io.StringIO("What is the CSTO?\nWho is Tokayev?\n"))
    assert main(["--corpus", str(CORPUS), "ask", "--json", "--top", "1", "-"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 2 and [len(d["results"]) for d in lines] == [1, 1]


def test_the_repl_context_button_shows_the_hit_asked_for(capsys, monkeypatch):
    from briefbot import Briefbot
    from briefbot.repl import handle_line

    engine = Briefbot.from_folder(CORPUS)
    answer = engine.ask("Why did Russia send troops?")
    handle_line(engine, "Why did Russia send troops?")
    for n in (1, 2, 3):
        shown = handle_line(engine, f"/context {n}")
        start = answer.hits[n - 1].passage.text.split()[:4]
        assert shown and " ".join(start) in shown.replace("\xa0", " "), n


def test_version_has_one_home(capsys):
    import briefbot

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"briefbot {briefbot.__version__}\n"
    from importlib.metadata import version

    assert version("briefbot") == briefbot.__version__


def test_an_interrupted_build_says_so_and_keeps_the_saved_index(capsys, tmp_path, monkeypatch):
    import briefbot.index

    write(tmp_path, "walrus.md", "# Walrus Notes\n\nThe walrus migrates north.\n\nIce melts.\n")
    assert main(["--corpus", str(tmp_path), "index"]) == 0
    saved = sorted(p.name for p in (tmp_path / ".briefbot-index" / "index").iterdir())
    write(tmp_path, "more.md", "# Seals\n\nSeals swim south.\n")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(briefbot.index, "build_arrays", interrupted)
    capsys.readouterr()
    assert main(["--corpus", str(tmp_path), "index"]) == 130
    err = capsys.readouterr().err
    assert err.strip() == "briefbot: interrupted" and "Traceback" not in err
    assert sorted(p.name for p in (tmp_path / ".briefbot-index" / "index").iterdir()) == saved
    monkeypatch.undo()
    assert main(["--corpus", str(tmp_path), "ask", "where does the walrus migrate"]) == 0
