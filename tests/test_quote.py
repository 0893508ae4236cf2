"""The quote stage: which sentences of a passage make the excerpt."""

from __future__ import annotations

from briefbot.quote import window

TEXT = (
    "The mission began in January with a large contingent of troops. "
    "Officials called it definitely not a peacekeeping mission! "
    "No external enemy existed, and no conflict between communities needed keeping apart. "
    "Later the troops left the capital, and the city returned to its usual routine of "
    "markets, traffic and long evenings in the cafés along the river, where the older "
    "residents still meet every afternoon to play chess, read the papers and argue about "
    "the weather, the prices of bread and the football."
)


def _spans(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for end in [
        i + 1
        for i, c in enumerate(text)
        if c in ".!" and (i + 1 == len(text) or text[i + 1] == " ")
    ]:
        out.append((start, end))
        start = end + 1
    return out


SPANS = _spans(TEXT)


def test_the_next_sentence_joins_when_it_scores_well():
    scores = [0.1, 0.9, 0.5, 0.1]
    assert window(SPANS, scores, len(TEXT), text=TEXT) == (1, 2)


LONG = (
    "The mission began in January with a large contingent of troops flown in overnight from "
    "three bases, and by the morning its units had taken the airport, the main roads and "
    "the government district. "
    "Officials called it definitely not a peacekeeping mission! "
    "No external enemy existed, and no conflict between communities needed keeping apart. "
    "Later the troops left the capital, and the city returned to its usual routine of "
    "markets, traffic and long evenings in the cafés along the river, where the older "
    "residents still meet every afternoon to play chess and argue about the weather."
)


def test_the_quote_stops_at_the_best_sentence_unless_the_next_scores_or_carries_on():
    scores = [0.9, 0.1, 0.5, 0.1]
    assert window(_spans(LONG), scores, len(LONG), text=LONG) == (0, 0)
    carried = LONG.replace("Officials called it", "It was")  # "It was…" carries on
    assert window(_spans(carried), scores, len(carried), text=carried) == (0, 1)


def test_a_best_sentence_too_short_to_answer_alone_takes_the_next():
    listed = "- staff\n" + TEXT  # a list item's name, then what it is
    scores = [0.9, 0.1, 0.1, 0.1, 0.1]
    spans = [(0, 7)] + [(s + 8, e + 8) for s, e in SPANS]
    assert window(spans, scores, len(listed), text=listed) == (0, 1)


def test_a_sentence_pointing_back_brings_the_one_before():
    pointing = TEXT.replace("No external enemy existed", "That is why no enemy existed")
    scores = [0.1, 0.2, 0.9, 0.1]
    assert window(_spans(pointing), scores, len(pointing), text=pointing)[0] == 1


def test_a_short_passage_is_quoted_whole():
    short = "It rained. Then it stopped."
    assert window(_spans(short), [0.1, 0.9], len(short), text=short) == (0, 1)


def test_why_wasnt_this_peacekeeping_quotes_verdict_and_reason(bot):
    excerpt = bot.ask("why wasn't this peacekeeping?").hits[0].excerpt.text.replace("\xa0", " ")
    assert "definitely not a “peacekeeping mission”!" in excerpt
    assert "There is no external enemy, no inter-social conflict, etc." in excerpt
