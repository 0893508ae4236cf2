"""Topic summaries and topics (issue 3), checked against our own reading of the article.

The quality expectations below come from reading
``corpus/occupation-not-yet-intervention-already.md``: for each topic, the sentences that
are about it, one key sentence a summary of it must not miss, and the sentences that say
the same thing as each other (a summary holds at most one of each such group).
"""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefbot import Briefbot, InputError
from briefbot.question import MAX_TOPIC_CHARS
from briefbot.summaries import Summary, Topic, summarize, topics

from .helpers import write

# -- what the article says, by our reading ---------------------------------------------------
# Sentences are named by their opening words (unique in the article).

RELEVANT = {
    "CSTO": [
        "On January 6, the first CSTO military units",
        "On the one hand, the CSTO military operation",
        "On the other hand, if Putin plays his cards right",
        "The Collective Security Treaty Organization currently has six members",
        "It was created in 1992 as a follow-up",
        "From the very beginning, Ukraine refused to participate in this organization",
        "The CSTO has been increasing its capacity",
        "It has Russian military bases in Kyrgyzstan",
        "Moscow controls the organization",
        "The CSTO’s rotating chair",
        "Formally, all CSTO member states are equal",
        "Moscow has long argued that the CSTO",
        "However, the CSTO has been largely inactive",
        "For example, Kyrgyzstan’s acting premier",
        "In autumn 2020, the CSTO refused",
        "In both cases, CSTO officials",
        "Thus, the Russian-led CSTO intervention",
        "The CSTO Charter and its rules",
        "Article 4 of the CSTO Collective Security Treaty",
        "Article 4 was used to bring CSTO troops",
        "Present CSTO chair",
        "“In light of the threats",
        "However, there was no “external interference”",
        "In truth, it is highly likely that CSTO forces",
        "According to international law",
        "In fact, Putin also underlined",
        "First, Ukraine is not a member of the CSTO",
        "The whole world was stunned",
        "Despite the fact that it is formally a CSTO contingent",
        "So, this can be qualified as a Russian intervention",
        "The CSTO maintains that the “peacekeepers”",
        "In addition, Russia will use the CSTO operation",
        "And, this is where Russia might present the CSTO",
        "On the other side, the fact that Ukraine is not a CSTO member",
    ],
    "Tokayev": [
        "According to international law, the President of Kazakhstan Kassim-Jomart Tokayev",
        "It also reflects a high-level power struggle",
        "By its intervention, Russia is signaling",
        "So, could the events in Kazakhstan have been planned",
        "Kassym-Jomart Tokayev is a Soviet diplomat",
        "In 1991, he trained at the Diplomatic Academy",
        "At the time, both the KGB and the GRU",
        "Tokayev rose quickly",
        "In 2019, when Nazarbayev decided to step down",
        "It is not known whether Tokayev",
        "But, in December 2021, Navalny’s investigators",
        "The whole world was stunned by Tokayev’s announcement",
        "Tokayev did not try to quell the riots",
        "Today, Russia seems to be stabilizing and ensuring the Tokayev regime",
        "Tokayev’s policies will be beneficial",
        "However, some units may remain",
    ],
    "Ukraine": [
        "Political experts have long discussed",
        "Kazakh analysts have also wondered whether the Donbas or Crimea",
        "In fact, former Kazakh president Nazarbayev also said that “Ukraine’s fate",
        "From the very beginning, Ukraine refused",
        "Social media often compare the events in Kazakhstan with Russia’s military invasion",
        "This is a fallacy!",
        "First, Ukraine is not a member of the CSTO",
        "Secondly, unlike the Ukrainian constitution",
        "In addition, the Ukrainian people rose in protest",
        "Yanukovych quickly lost legitimacy",
        "And, this is where Russia might present the CSTO",
        "On the other side, the fact that Ukraine is not a CSTO member",
        "Of course, this does not mean that NATO will agree",
        "On the other hand, some experts declare",
        "This is a total misconception",
        "Putin will maintain pressure on Ukraine.",
        "These developments constitute additional challenges for Ukraine.",
    ],
    "peacekeeping": [
        "Moscow has long argued that the CSTO can perform peacekeeping missions",
        "“In light of the threats",
        "According to international law",
        "In fact, Putin also underlined",
        "However, there was no “external interference”",
        "Of course, no matter what Russian and Kazakh authorities might say",
        "There is no external enemy",
        "The CSTO maintains that the “peacekeepers”",
        "And, this is where Russia might present the CSTO",
    ],
    "occupation": [
        "On the one hand, the CSTO military operation poses a challenge",
        "Of course, no matter what Russian and Kazakh authorities might say",
        "Furthermore, it cannot be called an occupation",
        "But, it can definitely be called military intervention.",
        "The fact that Russian troops and its allies were invited",
        "However, it is more than probable that this intervention will turn into an occupation.",
        "It is not a certainty, but it cannot be excluded.",
        "Everything will depend on the development of events",
        "However, some units may remain",
    ],
    "Nazarbayev": [
        "In fact, former Kazakh president Nazarbayev",
        "Nonetheless, although Kazakhstan has always been part",
        "In Kazakhstan, protesters rose first",
        "It also reflects a high-level power struggle",
        "For decades, Nursultan Nazarbayev",
        "He officially resigned in 2019",
        "His family and allies still control",
        "In 1991, he trained at the Diplomatic Academy",
        "In 2019, when Nazarbayev decided to step down",
        "Today, Russia seems to be stabilizing and ensuring the Tokayev regime",
    ],
}

# The one thing a summary of the topic must say.
KEY = {
    "CSTO": "The Collective Security Treaty Organization currently has six members",
    "Tokayev": "Kassym-Jomart Tokayev is a Soviet diplomat",
    "Ukraine": "Putin will maintain pressure on Ukraine.",
    "peacekeeping": "Of course, no matter what Russian and Kazakh authorities might say",
    "occupation": "However, it is more than probable that this intervention will turn into an",
    "Nazarbayev": "For decades, Nursultan Nazarbayev",
}

# Sentences that say the same thing (about the topic): at most one of each group.
SAME = [
    ["The CSTO Charter and its rules", "Article 4 of the CSTO Collective Security Treaty"],
    ["The CSTO’s rotating chair", "Present CSTO chair"],
    ["Formally, all CSTO member states are equal", "Moscow controls the organization"],
    ["Despite the fact that it is formally a CSTO contingent", "So, this can be qualified"],
    ["By its intervention, Russia is signaling", "Today, Russia seems to be stabilizing"],
    ["He officially resigned in 2019", "In 2019, when Nazarbayev decided to step down"],
    ["Political experts have long discussed", "Kazakh analysts have also wondered"],
    ["Furthermore, it cannot be called an occupation", "It is not a certainty"],
]

TOPICS = list(RELEVANT)


def _opening(text: str, openings: list[str]) -> str | None:
    flat = text.replace("\xa0", " ")
    return next((o for o in openings if flat.startswith(o)), None)


@pytest.fixture(scope="module")
def index(bot: Briefbot):
    return bot.index


# -- sentence splitting on this article's text ------------------------------------------------


def _sentences_of(index, opening: str) -> list[str]:
    for passage in index.passages:
        if passage.text.replace("\xa0", " ").startswith(opening):
            return [passage.text[s:e] for s, e in index.sentences(passage)]
    raise AssertionError(f"no paragraph starts with {opening!r}")


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        (  # an exclamation mark inside closing quotes ends the sentence; "etc." ends the next
            "Of course, no matter what",
            [
                "Of course, no matter what Russian and Kazakh authorities might say, this is "
                "definitely not a “peacekeeping mission”!",
                "There is no external enemy, no inter-social conflict, etc.",
            ],
        ),
        (  # a quote closing after its period, then a short exclamation
            "Social media often compare",
            [
                "Social media often compare the events in Kazakhstan with Russia’s military "
                "invasion of Crimea and the Donbas after the Revolution of Dignity, allegedly “at "
                "the request of the legitimate president Viktor Yanukovych.”",
                "This is a fallacy!",
            ],
        ),
        (  # "i.e." does not end a sentence
            "Article 4 of the CSTO",
            [
                "Article 4 of the CSTO Collective Security Treaty is a near facsimile of Article 5 "
                "of the NATO Washington Treaty and depends on the principle of collective "
                "defence, i.e. an attack against one Ally is considered as an attack against all "
                "Allies."
            ],
        ),
        (  # "etc." inside a sentence, and "6, 000"
            "The Russia-NATO, Russia-US talks",
            [
                "The Russia-NATO, Russia-US talks, etc. are in full swing in Geneva.",
                "And, this is where Russia might present the CSTO as a facsimile of NATO, a "
                "military force that can ensure stability in Europe through its “peacekeeping "
                "missions”, especially anywhere in the post-Soviet space, notably in Ukraine.",
                "This flurry of political events shows that Russia is stepping up talks, meetings "
                "and negotiations with the West, building new relations with the United States "
                "and NATO, etc.",
            ],
        ),
        (
            "On the other hand, some experts",
            [
                "On the other hand, some experts declare that Russia is now more focused on "
                "Kazakhstan, and not Ukraine.",
                "This is a total misconception as 6, 000 paratroopers deployed to Kazakhstan "
                "means little from the military point of view.",
                "Putin will maintain pressure on Ukraine.",
            ],
        ),
        (  # a parenthesis with years, and "3,000"
            "Russia agreed immediately",
            [
                "Russia agreed immediately and dispatched up to 3,000 Russian paratroopers to "
                "Kazakhstan.",
                "Despite the fact that it is formally a CSTO contingent, the other states "
                "dispatched only a symbolic number of troops, and not immediately.",
            ],
        ),
    ],
)
def test_sentence_splitting_on_the_article(index, paragraph, expected):
    got = [s.replace("\xa0", " ") for s in _sentences_of(index, paragraph)]
    assert got == expected


def test_every_sentence_span_is_a_slice_of_its_passage(index):
    for passage in index.passages:
        spans = index.sentences(passage)
        assert spans, passage.paragraph
        rebuilt = "".join(passage.text[s:e] for s, e in spans)
        assert re.sub(r"\s", "", rebuilt) == re.sub(r"\s", "", passage.text)
        assert all(a < b for a, b in spans)
        assert all(spans[k][1] <= spans[k + 1][0] for k in range(len(spans) - 1))


# -- quality on the article ------------------------------------------------------------------


@pytest.mark.parametrize("topic", TOPICS)
def test_every_sentence_is_about_the_topic(index, topic):
    summary = summarize(index, topic)
    assert summary.found and summary.reason is None
    assert len(summary.sentences) >= 3
    for sentence in summary.sentences:
        assert _opening(sentence.text, RELEVANT[topic]), f"off-topic for {topic}: {sentence.text}"


@pytest.mark.parametrize("topic", TOPICS)
def test_at_least_three_paragraphs_are_cited(index, topic):
    summary = summarize(index, topic)
    assert len({s.passage.paragraph for s in summary.sentences}) >= 3


@pytest.mark.parametrize("topic", TOPICS)
def test_the_key_sentence_is_there(index, topic):
    texts = [s.text.replace("\xa0", " ") for s in summarize(index, topic).sentences]
    assert any(t.startswith(KEY[topic]) for t in texts), texts


@pytest.mark.parametrize("topic", [*TOPICS, None])
def test_no_two_sentences_say_the_same_thing(index, topic):
    texts = [s.text for s in summarize(index, topic).sentences]
    for group in SAME:
        hits = [t for t in texts if _opening(t, group)]
        assert len(hits) <= 1, hits


@pytest.mark.parametrize("topic", [*TOPICS, None])
@pytest.mark.parametrize("n", [5, 10])
def test_no_two_sentences_share_most_of_their_words(index, topic, n):
    texts = [s.text for s in summarize(index, topic, n).sentences]
    assert len(set(texts)) == len(texts)
    for a, b in itertools.combinations(texts, 2):
        wa, wb = set(re.findall(r"\w+", a.lower())), set(re.findall(r"\w+", b.lower()))
        assert len(wa & wb) / min(len(wa), len(wb)) < 0.6, (a, b)


@pytest.mark.parametrize("topic", TOPICS)
def test_more_sentences_stay_on_the_topic(index, topic):
    summary = summarize(index, topic, 10)
    for sentence in summary.sentences:
        assert _opening(sentence.text, RELEVANT[topic]), f"off-topic for {topic}: {sentence.text}"


@pytest.mark.parametrize("topic", [*TOPICS, None, "The role of the CSTO", "Putin"])
def test_sentences_are_verbatim_attributed_and_in_article_order(index, topic):
    summary = summarize(index, topic, 10)
    assert summary.sentences
    keys = []
    for s in summary.sentences:
        doc = s.passage.document
        assert doc.text[s.start : s.end] == s.text
        assert s.passage.start <= s.start < s.end <= s.passage.end
        assert s.text in s.passage.text
        assert s.text == s.text.strip()
        keys.append((s.passage.id, s.start))
    assert keys == sorted(keys)


def test_the_topic_is_matched_however_it_is_written(index):
    expected = [s.text for s in summarize(index, "CSTO").sentences]
    for variant in ("csto", "Collective Security Treaty Organization", "ＣＳＴＯ", "CS\u200bTO"):
        assert [s.text for s in summarize(index, variant).sentences] == expected, variant
    tokayev = [s.text for s in summarize(index, "Tokayev").sentences]
    for typo in ("tokayv", "Tokayevv", "Tokayév"):
        summary = summarize(index, typo)
        assert summary.found and [s.text for s in summary.sentences] == tokayev, typo
    assert summarize(index, "peacekeepers").found


def test_no_topic_gives_a_brief_across_sections(index):
    summary = summarize(index, None)
    assert summary.topic is None and summary.found and len(summary.sentences) == 5
    sections = {s.passage.section for s in summary.sentences}
    assert len(sections) >= 4
    assert "Mykhailo Samus" not in sections  # the authors' biography is not the article
    longer = summarize(index, None, 10)
    assert len({s.passage.section for s in longer.sentences}) >= 5
    assert all("Mykhailo" not in s.text for s in longer.sentences)
    # the article's thesis, in its title, is there
    assert any("occupation" in s.text for s in summary.sentences)


def test_a_section_heading_summarises_that_section(index):
    summary = summarize(index, "The role of the CSTO")
    assert summary.found and len(summary.sentences) == 5
    assert {s.passage.section for s in summary.sentences} == {"The role of the CSTO"}
    assert len({s.passage.paragraph for s in summary.sentences}) >= 4
    assert summarize(index, "the role of the csto").sentences == summary.sentences
    endgame = summarize(index, "endgame")  # a word only the heading has
    assert endgame.found
    assert all(s.passage.section.startswith("What’s the endgame") for s in endgame.sentences)


# -- topics the article does not discuss -----------------------------------------------------


def test_an_unknown_topic_is_not_summarised(index):
    summary = summarize(index, "basketball")
    assert summary == Summary(
        "basketball", False, summary.reason, (), summary.suggestions, subject="the article"
    )
    assert summary.reason.startswith("The article does not discuss basketball.")
    assert summary.suggestions  # the most discussed topics, when nothing is close


def test_an_unknown_topic_suggests_the_closest_topics(index):
    summary = summarize(index, "Putin's dog")
    assert not summary.found and not summary.sentences
    assert summary.reason == "The article does not discuss Putin's dog. Did you mean Putin?"
    assert summary.suggestions[0] == "Putin"
    assert "Nazarbayev" in summarize(index, "Nazarbayev's horse").suggestions


@pytest.mark.parametrize("topic", ["Joe Biden", "climate change", "the Olympic Games"])
def test_unrelated_topics_are_not_discussed(index, topic):
    summary = summarize(index, topic)
    assert not summary.found and summary.sentences == ()
    assert summary.reason.startswith(f"The article does not discuss {topic}.")


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("topic", ["", "   ", "\u200b\u200d", "\n\t"])
def test_an_empty_topic_is_a_clear_error(index, topic):
    with pytest.raises(InputError, match="The topic is empty"):
        summarize(index, topic)


@pytest.mark.parametrize("topic", ["the", "what about", "🙂🙂", "?!"])
def test_a_topic_without_words_is_a_clear_error(index, topic):
    with pytest.raises(InputError, match="has no words to look for"):
        summarize(index, topic)


def test_a_huge_topic_is_a_clear_error(index):
    with pytest.raises(InputError, match=f"too long .*limit is {MAX_TOPIC_CHARS}"):
        summarize(index, "CSTO " * 1000)
    assert summarize(index, "x" * MAX_TOPIC_CHARS) is not None  # the limit itself is fine


@pytest.mark.parametrize("n", [0, 11, -1, True, 2.5, "5", None])
def test_max_sentences_outside_1_to_10_is_rejected(index, n):
    with pytest.raises(InputError, match="from 1 to 10"):
        summarize(index, "CSTO", n)


def test_a_topic_that_is_not_text_is_rejected(index):
    with pytest.raises(InputError, match="must be text"):
        summarize(index, b"CSTO")  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(topic=st.text(max_size=220), n=st.integers(1, 10))
def test_any_topic_is_answered_verbatim_or_rejected_clearly(index, topic, n):
    try:
        summary = summarize(index, topic, n)
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert isinstance(summary, Summary)
    assert summary.found == bool(summary.sentences)
    assert summary.found or summary.reason
    assert len(summary.sentences) <= n
    for s in summary.sentences:
        assert s.passage.document.text[s.start : s.end] == s.text


@settings(max_examples=60, deadline=None)
@given(topic=st.sampled_from(TOPICS + ["Putin", "NATO", "Moscow"]), junk=st.text(max_size=5))
def test_topics_with_stray_characters_never_crash(index, topic, junk):
    try:
        summary = summarize(index, junk + topic + junk)
    except InputError:
        return
    for s in summary.sentences:
        assert s.passage.document.text[s.start : s.end] == s.text


# -- the topic list ---------------------------------------------------------------------------


def test_topics_are_headings_then_names_and_concepts(index):
    found = topics(index)
    sections = [t.name for t in found if t.kind == "section"]
    headings = [
        line[3:].strip()
        for line in index.corpus.documents[0].text.splitlines()
        if line.startswith("## ")
    ]
    assert sections == headings
    assert found[: len(sections)] == tuple(t for t in found if t.kind == "section")
    terms = {t.name: t.passages for t in found if t.kind == "term"}
    for name in (
        "CSTO",
        "Tokayev",
        "Nazarbayev",
        "Ukraine",
        "Putin",
        "NATO",
        "Moscow",
        "Kremlin",
        "peacekeeping",
        "occupation",
        "intervention",
    ):
        assert name in terms, name
    # names as the phrase they stand in; a name's parts fold into the better-known name
    assert "Revolution of Dignity" in terms and "Central Asia" in terms
    for absent in ("Kassim", "Jomart", "Nursultan", "Vladimir", "Nikol", "Dignity"):
        assert absent not in terms
    # never sentence-openers, stopwords, months or the words of an acronym's expansion
    for absent in (
        "However",
        "The",
        "First",
        "January",
        "Collective",
        "Organization",
        "Studies",
        "Network",
    ):
        assert absent not in terms
    assert terms["CSTO"] >= 15 and terms["occupation"] == 2
    assert all(isinstance(t, Topic) and t.passages > 0 for t in found)


def test_topics_are_computed_once_per_index(index):
    assert topics(index) is topics(index)


def test_every_term_topic_has_a_summary(index):
    for topic in topics(index):
        summary = summarize(index, topic.name)
        assert summary.found, topic


def test_the_engine_offers_summaries_and_topics(bot):
    expected = summarize(bot.index, "CSTO", 2).sentences
    assert bot.summarize("CSTO", max_sentences=2).sentences == expected
    assert bot.topics() == topics(bot.index)


# -- other corpora ------------------------------------------------------------------------------


def test_small_and_multi_document_corpora(tmp_path):
    write(tmp_path, "a.md", "# Apples\n\nApples are red. Apples grow on trees in Kent.\n")
    write(
        tmp_path,
        "b.txt",
        "Pears\n\nPears are green. Pears ripen after they are picked, which growers like.\n\n"
        "Some growers in Kent keep both apples and pears in cold stores over winter.\n",
    )
    bot = Briefbot.from_folder(tmp_path)
    brief = bot.summarize()
    assert brief.found and {s.passage.doc_id for s in brief.sentences} == {"a", "b"}
    kent = bot.summarize("Kent")
    assert kent.found and all("Kent" in s.text for s in kent.sentences)
    assert not bot.summarize("bananas").found
    for s in brief.sentences + kent.sentences:
        assert s.passage.document.text[s.start : s.end] == s.text


def test_a_one_sentence_corpus(tmp_path):
    write(tmp_path, "one.txt", "Tokayev called Moscow.\n")
    bot = Briefbot.from_folder(tmp_path)
    assert bot.topics() is bot.topics()
    summary = bot.summarize("Tokayev")
    assert not summary.sentences or summary.sentences[0].text == "Tokayev called Moscow."
    assert bot.summarize().found in (True, False)


def test_a_misspelt_topic_is_shown_with_the_articles_spelling(bot):
    summary = bot.summarize("tokayv", max_sentences=2)
    assert summary.found and summary.topic == "tokayv" and summary.title == "Tokayev"


def test_an_index_too_large_to_sum_up_whole_goes_document_by_document(tmp_path, monkeypatch):
    from briefbot import summaries
    from briefbot.corpus import load_corpus
    from briefbot.index import PassageIndex

    from .helpers import write

    for name, animal in (("seals", "Seals"), ("walrus", "Walruses")):
        write(
            tmp_path,
            f"{name}.md",
            f"# {animal}\n\n## Food\n\n{animal} eat fish and clams every day.\n\n"
            f"{animal} dive deep for food.\n\n## Travel\n\n{animal} migrate north in spring.\n",
        )
    whole = PassageIndex.build(load_corpus(tmp_path))
    sections = [t for t in summaries.topics(whole) if t.kind == "section"]
    monkeypatch.setattr(summaries, "WHOLE_CORPUS_SENTENCES", 0)
    large = PassageIndex.build(load_corpus(tmp_path))
    assert not summaries.summed_whole(large)
    assert summaries.topics(large) == tuple(sections)  # the sections, counted the same
    refused = summaries.summarize(large, "food")
    assert not refused.found and "name one document" in refused.reason
    one = summaries.summarize(large, "food", document="walrus")
    assert one.found and all(s.passage.doc_id == "walrus" for s in one.sentences)
    assert summaries.topics(large, "seals")  # a document's own topics
    brief = summaries.summarize(large, None, 2, document="seals")
    assert brief.found and {s.passage.doc_id for s in brief.sentences} == {"seals"}


def test_the_brief_is_made_of_sentences_not_headings_or_list_items(tmp_path):
    write(
        tmp_path,
        "bees.txt",
        "Keeping Bees\n============\n\n"
        "important rules for keeping bees healthy in every hive\n\n"
        "Bees are kept healthy by checking every hive once a week in summer.\n\n"
        "- healthy bees need clean water near the hive\n\n"
        "A hive that is checked often loses fewer bees over the winter.\n",
    )
    index = Briefbot.from_folder(tmp_path, save=False, semantic=False).index
    texts = [s.text for s in summarize(index, None, 5).sentences]
    assert texts and all(t.rstrip().endswith(".") for t in texts)
    # a document of such lines alone still has a brief
    write(tmp_path, "bees.txt", "Keeping Bees\n============\n\nrules for keeping bees healthy\n")
    only = Briefbot.from_folder(tmp_path, save=False, semantic=False).index
    assert [s.text for s in summarize(only, None, 5).sentences] == [
        "rules for keeping bees healthy"
    ]
