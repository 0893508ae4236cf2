from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefbot import InputError
from briefbot.answers import MAX_QUESTION_CHARS
from briefbot.render import answer_to_json


def test_why_wasnt_this_peacekeeping_ranks_the_right_paragraph_first(bot):
    answer = bot.ask("Why wasn't this peacekeeping?")
    assert answer.answered
    top = answer.hits[0]
    assert top.passage.text.replace("\xa0", " ").startswith(
        "Of course, no matter what Russian and Kazakh authorities might say, this is definitely not"
    )
    assert "peacekeeping" in top.excerpt.matched
    assert top.excerpt.text in top.passage.text


def test_excerpt_is_the_answering_sentence_with_its_matched_words(bot):
    answer = bot.ask("When did Nazarbayev resign?")
    hit = answer.hits[0]
    assert "resigned in 2019" in hit.excerpt.text
    assert hit.passage.text[hit.excerpt.start : hit.excerpt.end] == hit.excerpt.text
    for (a, b), word in zip(hit.excerpt.highlights, hit.excerpt.matched, strict=False):
        assert hit.excerpt.text[a:b] == word or word in hit.excerpt.text


def test_typos_are_corrected_against_the_corpus(bot):
    answer = bot.ask("what did nazarbaev say about ukraine")
    assert ("nazarbaev", "nazarbayev") in answer.corrections
    assert answer.answered
    typo = bot.ask("why wasnt this peacekeping")
    assert ("peacekeping", "peacekeeping") in typo.corrections
    assert typo.hits[0].passage.text.startswith("Of course, no matter what")


def test_dictionary_words_are_not_treated_as_typos(bot):
    assert bot.ask("whats the weather in almaty").corrections == ()


def test_more_pages_continue_the_ranking(bot):
    first = bot.ask("CSTO peacekeeping forces", top=2)
    more = bot.ask("CSTO peacekeeping forces", top=2, offset=2)
    assert [h.rank for h in more.hits] == [3, 4]
    assert not {h.passage.id for h in first.hits} & {h.passage.id for h in more.hits}


@pytest.mark.parametrize(
    "question",
    [
        "which countries are in the csto",
        "how many troops did russia send",
        "why did tokayev call moscow",
    ],
)
def test_pages_of_three_are_the_ranking_of_thirty_cut_in_pieces(bot, question):
    whole = [h.passage.id for h in bot.ask(question, top=30).hits]
    paged: list[int] = []
    for offset in range(0, 30, 3):
        page = bot.ask(question, top=3, offset=offset)
        if not page.answered:
            break
        paged += [h.passage.id for h in page.hits]
    assert paged == whole[: len(paged)] and len(paged) >= 6


def test_limit_to_a_document_and_unknown_document(bot):
    doc = bot.documents[0].id
    assert bot.ask("CSTO", document=doc).answered
    with pytest.raises(InputError, match="Unknown document"):
        bot.ask("CSTO", document="nope")


@pytest.mark.parametrize("question", ["", "   ", "\n\t", "\u200b\u200d", "\x00\x07"])
def test_empty_question_is_an_input_error(bot, question):
    with pytest.raises(InputError, match="empty"):
        bot.ask(question)


def test_reasons_stay_short_whatever_the_question(bot):
    answer = bot.ask("x" * 5000)
    assert not answer.answered and len(answer.reason) < 120
    many = bot.ask("zorblat quintex vormund plimsk drevol naxitor")
    assert not many.answered and "more words" in many.reason and len(many.reason) < 120


def test_long_question_uses_its_first_1000_characters_and_says_so(bot):
    answer = bot.ask("Why wasn't this peacekeeping? " + "x" * 5000)
    assert answer.truncated
    assert any(str(MAX_QUESTION_CHARS) in note for note in answer.notes)


@pytest.mark.parametrize(
    "question",
    [
        "🤔🔥 peacekeeping?",
        "لماذا ليست هذه حفظ سلام؟",
        "peace\u200bkeeping",
        "CSTO\x1b[31m",
        "‮CSTO",
        "ﬁre",
    ],
)
def test_odd_unicode_never_crashes(bot, question):
    answer = bot.ask(question)
    assert answer.answered in (True, False)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(min_size=1, max_size=200))
def test_every_excerpt_is_an_exact_substring_of_its_passage_and_source(bot, question):
    try:
        answer = bot.ask(question, top=5)
    except InputError:
        return
    for hit in answer.hits:
        p = hit.passage
        assert p.document.text[p.start : p.end] == p.text
        assert p.text[hit.excerpt.start : hit.excerpt.end] == hit.excerpt.text
        assert hit.excerpt.text and hit.score > 0
        for a, b in hit.excerpt.highlights:
            assert 0 <= a < b <= len(hit.excerpt.text)
    assert answer.answered == bool(answer.hits or answer.authored)  # or its metadata answers
    assert answer.answered or answer.reason


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.sampled_from(
            "why how who csto tokayev putin peacekeeping troops kazakhstan wasnt the russia nato "
            "occupation intervention protests 3,000 biden zzz".split()
        ),
        min_size=1,
        max_size=8,
    )
)
def test_article_vocabulary_questions_keep_the_json_contract(bot, words):
    data = answer_to_json(bot.ask(" ".join(words)))
    assert set(data) == {"question", "answered", "reason", "byline", "results"}
    assert len(data["results"]) <= 3
    for rank, result in enumerate(data["results"], 1):
        assert result["rank"] == rank
        assert result["quote"] in result["text"]
        assert set(result["source"]) == {
            "document",
            "title",
            "section",
            "paragraph",
            "start",
            "end",
            "url",
            "authors",
        }
        assert isinstance(result["score"], float) and result["score"] > 0


def test_why_question_is_not_pushed_towards_sentences_with_so_or_because(bot):
    top = bot.ask("why did tokayev call moscow").hits[0]
    assert "called Moscow instead" in top.excerpt.text


def test_chat_mentions_and_indefinite_pronouns_ask_nothing(bot):
    pinged = bot.ask("@everyone why wasnt this peacekeeping <@123456789012345678>")
    assert pinged.answered and "peacekeeping" in pinged.hits[0].excerpt.matched
    assert bot.ask("does everyone agree with nazarbayev").answered
    with pytest.raises(InputError, match="empty"):
        bot.ask("@here <@&123456789012345678>")


def test_who_wrote_this_is_answered_by_the_byline(bot):
    doc = bot.corpus.documents[0]
    for question in ("Who wrote this article?", "who translated it", "who wrote this?"):
        top = bot.ask(question).hits[0]
        assert all(name in top.excerpt.text for name in doc.authors)
        assert doc.translator in top.excerpt.text
    on_fb = bot.ask("Who wrote on FB?")  # someone in the article, not its authors
    assert not on_fb.hits or not all(n in on_fb.hits[0].excerpt.text for n in doc.authors)
    byline = bot.ask("what's the byline?")  # a word the article lacks, but no question of it
    assert byline.answered and doc.authors[0] in byline.hits[0].excerpt.text


def test_byline_of_the_document_asked_about(tmp_path):
    from briefbot.engine import Briefbot

    from .helpers import write

    write(
        tmp_path,
        "a.md",
        "---\ntitle: Grain\nauthors: [Ann Lee]\n---\nGrain prices rose.\n\n"
        "Written by Ann Lee for the farm weekly.\n",
    )
    write(
        tmp_path,
        "b.md",
        "---\ntitle: Ships\nauthors: [Bob Ray]\n---\nShips sailed late.\n\n"
        "Story by Bob Ray, harbour desk.\n",
    )
    bot = Briefbot.from_folder(tmp_path, save=False)
    assert "Ann Lee" in bot.ask("who wrote it", document="a").hits[0].excerpt.text
    assert "Bob Ray" in bot.ask("who wrote it", document="b").hits[0].excerpt.text
    assert "Bob Ray" in bot.ask("who wrote the article about ships").hits[0].excerpt.text


def test_tldr_is_answered_with_the_brief_verbatim(bot):
    answer = bot.ask("tldr?", top=3)
    assert answer.answered and 1 <= len(answer.hits) <= 3 and answer.notes
    brief = bot.summarize(None, 3)
    assert [h.excerpt.text for h in answer.hits] == [s.text for s in brief.sentences]
    for hit in answer.hits:
        assert hit.passage.text[hit.excerpt.start : hit.excerpt.end] == hit.excerpt.text
        source = hit.passage.document.text
        assert source[hit.passage.start + hit.excerpt.start :].startswith(hit.excerpt.text)
    more = bot.ask("tldr?", top=3, offset=3)
    assert not more.answered and "brief" in more.reason
    assert len(bot.ask("tldr?", top=1).hits) == 1
    as_json = answer_to_json(answer)
    assert (
        as_json["answered"]
        and [r["rank"] for r in as_json["results"]] == [1, 2, 3][: len(answer.hits)]
    )


def test_copies_of_a_text_are_quoted_once(tmp_path):
    from briefbot import Briefbot
    from tests.helpers import write

    wire = "The harbour crane collapsed on Tuesday after the storm, the port authority said."
    write(tmp_path, "a.md", f"---\ntitle: Port\n---\n{wire}\n\nShips waited outside.\n")
    write(tmp_path, "b.md", f"---\ntitle: Storm\n---\nRain fell all week.\n\n{wire}\n")
    write(
        tmp_path,
        "c.md",
        "---\ntitle: Cranes\n---\nA second crane at the harbour was inspected after the "
        "collapse.\n\nThe crane had been installed in 1998.\n",
    )
    bot = Briefbot.from_folder(tmp_path, save=False, semantic=False)
    answer = bot.ask("when did the harbour crane collapse?", top=3)
    assert answer.answered
    quotes = [h.excerpt.text for h in answer.hits]
    assert quotes[0] == wire  # the first copy, once
    assert len(set(quotes)) == len(quotes) and len(quotes) >= 2
    assert [h.rank for h in answer.hits] == list(range(1, len(quotes) + 1))
    more = bot.ask("when did the harbour crane collapse?", top=1, offset=1)
    assert not more.answered or more.hits[0].excerpt.text != wire
