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


def test_acronym_and_expansion_find_each_other(bot):
    by_acronym = bot.ask("how many members does the csto have")
    assert "six members" in by_acronym.hits[0].passage.text
    by_name = bot.ask("What is the Commonwealth of Independent States?")
    assert "Commonwealth of Independent States (CIS)" in by_name.hits[0].passage.text
    assert any(
        "CSTO" in h.passage.text for h in bot.ask("collective security treaty organization").hits
    )


def test_both_spellings_of_a_name_match(bot):
    kassym = {h.passage.id for h in bot.ask("Kassym-Jomart", top=5).hits}
    kassim = {h.passage.id for h in bot.ask("Kassim-Jomart", top=5).hits}
    assert kassym == kassim and len(kassym) == 2


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("What did Joe Biden say about Kazakhstan?", "Biden"),
        ("what did biden say about kazakhstan", "Biden"),
        ("whta did biden say abot tokayev", "Biden"),
        ("Did the unrest affect bitcoin mining?", "Bitcoin"),
        ("who won the champions league final", "“league”"),
    ],
)
def test_questions_about_what_the_article_never_mentions_abstain(bot, question, named):
    answer = bot.ask(question)
    assert not answer.answered and answer.hits == ()
    assert answer.reason.startswith("The article does not mention")
    assert named in answer.reason


def test_a_number_question_without_a_number_in_the_article_abstains(bot):
    answer = bot.ask("How many people died in the protests?")
    assert not answer.answered
    assert answer.reason


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
    assert answer.answered == bool(answer.hits)
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
    assert set(data) == {"question", "answered", "reason", "results"}
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


def test_who_is_questions_prefer_the_defining_sentence(bot):
    top = bot.ask("who is tokayev").hits[0]
    assert top.excerpt.text.replace("\xa0", " ").startswith(
        "Kassym-Jomart Tokayev is a Soviet diplomat"
    )


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("who is tokayev", "definition"),
        ("What is the CSTO?", "definition"),
        ("What is the population of Kazakhstan?", "quantity"),
        ("how many troops were sent", "quantity"),
        ("how long will they stay", "duration"),
        ("When did Nazarbayev resign?", "date"),
        ("who announced the decision to send troops", "person"),
        ("why wasnt this peacekeeping", "reason"),
        ("which countries are in the csto", "place"),
        ("tell me about the csto", None),
    ],
)
def test_expected_answer_types(question, kind):
    from briefbot.qtype import expected_type

    assert expected_type(question) == kind


def test_why_question_is_not_pushed_towards_sentences_with_so_or_because(bot):
    top = bot.ask("why did tokayev call moscow").hits[0]
    assert "called Moscow instead" in top.excerpt.text


def test_chat_mentions_and_indefinite_pronouns_ask_nothing(bot):
    pinged = bot.ask("@everyone why wasnt this peacekeeping <@123456789012345678>")
    assert pinged.answered and "peacekeeping" in pinged.hits[0].excerpt.matched
    assert bot.ask("does everyone agree with nazarbayev").answered
    with pytest.raises(InputError, match="empty"):
        bot.ask("@here <@&123456789012345678>")


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Who wrote this article?", True),
        ("who wrote it", True),
        ("who are the authors of this piece", True),
        ("who translated the article", True),
        ("what are the names of the authors", True),
        ("whats the byline", True),
        ("Who wrote the treaty?", False),
        ("who is the author of the constitution", False),
        ("Who wrote on FB?", False),
        ("what did the author say about NATO", False),
    ],
)
def test_authorship_questions_are_told_from_questions_about_other_writing(question, asks):
    from briefbot.qtype import asks_authorship

    assert asks_authorship(question) is asks


def test_who_wrote_this_is_answered_by_the_byline(bot):
    doc = bot.corpus.documents[0]
    for question in ("Who wrote this article?", "who translated it", "who wrote this?"):
        top = bot.ask(question).hits[0]
        assert all(name in top.excerpt.text for name in doc.authors)
        assert doc.translator in top.excerpt.text
    assert not all(name in bot.ask("Who wrote on FB?").hits[0].excerpt.text for name in doc.authors)
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


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("which countries are in the csto", "countries"),
        ("which of the countries sent troops", "countries"),
        ("what other countries sent troops", "countries"),
        ("which two countries helped", "countries"),
        ("what do you think, which countries helped?", "countries"),
        ("Besides Russia, what kind of cities did they take?", "cities"),
        ("In which city did Samus set up an office?", "city"),
        ("what is the csto", None),
        ("what did russia send", None),
        ("What set off the unrest?", None),
    ],
)
def test_the_kind_of_thing_a_which_question_asks_for(question, kind):
    from briefbot.qtype import kind_asked

    assert kind_asked(question) == kind


def test_names_know_what_kind_of_thing_they_name(bot):
    index = bot.index
    country = index.tokenizer.term("country")
    assert country in index.name_kinds("armenia") and country in index.name_kinds("kazakhstan")
    assert country not in index.name_kinds("moscow") and index.name_kinds("tokayev") == ()


def test_which_countries_is_answered_by_country_names_not_by_the_word(bot):
    from briefbot.answers import _Instances

    top = bot.ask("which countries are in the csto").hits[0]
    assert "Armenia, Belarus, Kazakhstan" in top.excerpt.text
    # the question's own country is not an answer to "besides Russia, which countries"
    passage = next(p for p in bot.index.passages if p.text.startswith("The Russia-NATO"))
    countries = _Instances(bot.index, bot.index.tokenizer.term("countries"), frozenset())
    assert countries.among(passage, (0, len(passage.text)))  # Russia, US
    others = _Instances(bot.index, bot.index.tokenizer.term("countries"), frozenset({"russia"}))
    assert others.among(passage, (0, len(passage.text)))  # US
    span = (0, passage.text.index(" talks"))
    assert countries.among(passage, span) and not others.among(passage, (0, 11))
    # "which countries" asks for a list: the members' sentence names six, "Russia-US" one
    assert others.count(passage, span) == 1
    members = top.passage
    assert countries.count(members, (top.excerpt.start, top.excerpt.end)) == 6


def test_forms_of_a_name_find_each_other(bot):
    terms = {
        t
        for c in bot.index.analyze("what did russia and the kazakh people do").concepts
        for t in c.terms
    }
    assert {"russian", "kazakhstan"} <= terms
    assert "cis" not in {t for c in bot.index.analyze("kyrgyzstan").concepts for t in c.terms}
    assert bot.ask("when did the first troops arrive in kazakstan").answered


def test_a_name_the_dictionary_knows_but_the_article_lacks_is_not_answered(bot):
    answer = bot.ask("What is the capital of Australia?")
    assert not answer.answered and "Australia" in answer.reason


def test_a_typed_answer_may_be_in_the_sentence_after_the_match(bot):
    top = bot.ask("when was the csto created").hits[0]
    assert "created in 1992" in top.excerpt.text and top.excerpt.text in top.passage.text


@pytest.mark.parametrize(
    ("question", "left"),
    [
        ("According to the authors, what was the real motive?", ", what was the real motive?"),
        ("what does the article say about nato", "what does say about nato"),
        ("In the authors' view, is it an occupation?", ", is it an occupation?"),
        (
            "according to international law was it legal",
            "according to international law was it legal",
        ),
        ("Who wrote this article?", "Who wrote this article?"),
        ("according to the article", "according to the article"),
        (
            "What can the CSTO do according to Article 4?",
            "What can the CSTO do according to Article 4?",
        ),
        ("What is in the text of Article 4?", "What is in the text of Article 4?"),
    ],
)
def test_words_pointing_at_the_document_are_not_searched_for(question, left):
    from briefbot.qtype import without_framing

    assert without_framing(question) == left


def test_according_to_the_authors_does_not_match_according_to_the_law(bot):
    top = bot.ask(
        "According to the authors, what was the real motive behind deploying CSTO forces?"
    )
    assert not top.hits[0].excerpt.text.startswith("According to")


def test_everyday_words_weigh_less_than_topic_words(bot):
    from briefbot import thesaurus
    from briefbot.query import _plainness

    assert thesaurus.commonness("came") > thesaurus.commonness("parliament") >= 0
    assert _plainness("come") < 1.0 == _plainness("parliament") == _plainness("kremlin")
    # "need", "sign", "come" are everyday words: the parliament passage still answers
    answer = bot.ask(
        "Does Kazakhstan need its parliament to sign off before foreign soldiers come in?"
    )
    assert answer.answered and "parliamentary approval" in answer.hits[0].excerpt.text


def test_a_compound_the_article_never_uses_is_not_answered_by_its_words(bot):
    # "secretary general" is one thing; a passage about a general, or a chair, is no answer
    answer = bot.ask("Who is the secretary general of the CSTO?")
    assert not answer.answered and "secretary general" in answer.reason
    state = bot.ask("What did the US State Department say about Russian troops?")
    assert not state.answered and "State Department" in state.reason
    # compounds the article does use are found as usual, in any number
    for question in ("who is the armenian prime minister", "what did the prime ministers say"):
        assert bot.index.questions._missing_compounds(question) == []
        assert bot.ask(question).answered


@pytest.mark.parametrize(
    "question",
    [
        "Was the Russian deployment swift?",  # Swift the writer; swift the adjective
        "What basic rights do Kazakh citizens have?",
        "Did the troops add to the tension?",
        "Thank you! Which countries are in the CSTO?",  # "thank you" is no compound noun
        "How did police officers react to the protests?",  # its words still count
        "Is Russia giving up on Ukraine?",
        "Tell me about the police. Officers of which army came?",  # not written together
    ],
)
def test_everyday_words_are_not_taken_for_names_or_compounds(bot, question):
    assert bot.ask(question).answered


def test_name_kinds_come_from_names_only():
    from briefbot import thesaurus

    assert "country" in thesaurus.kinds("armenia") and "language" in thesaurus.kinds("ukrainian")
    for word in ("swift", "march", "basic", "eu", "western"):
        assert thesaurus.kinds(word) == ()


def test_the_excerpt_is_the_sentence_with_the_question_s_rarest_words(bot):
    # "protests" is in several of the paragraph's sentences, "airport" in one: that one
    top = bot.ask("did the protesters take over the airport").hits[0]
    assert "capture Almaty airport" in top.excerpt.text


@pytest.mark.parametrize(
    ("question", "gist"),
    [
        ("tldr?", True),
        ("TL;DR pls", True),
        ("what's the main point of the article", True),
        ("what is this about?", True),
        ("summarize it", True),
        ("what is the main point of article 4", False),
        ("summary of the csto", False),
        ("what is the point of nato", False),
    ],
)
def test_questions_for_the_gist_are_told_apart(question, gist):
    from briefbot.qtype import asks_gist

    assert asks_gist(question) is gist


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
