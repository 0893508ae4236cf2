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


def test_a_why_question_takes_the_reason_in_the_next_sentence():
    scores = [0.1, 0.9, 0.5, 0.1]
    assert window(SPANS, scores, len(TEXT), explains=True, text=TEXT) == (1, 2)


def test_a_fact_question_stops_at_the_best_sentence_unless_the_next_carries_on():
    scores = [0.9, 0.1, 0.5, 0.1]
    assert window(SPANS, scores, len(TEXT), explains=False, text=TEXT) == (0, 0)
    carried = TEXT.replace("Officials called it", "It was")  # "It was…" carries on
    assert window(_spans(carried), scores, len(carried), explains=False, text=carried) == (0, 1)
    assert window(SPANS, [0.1, 0.9, 0.05, 0.1], len(TEXT), explains=True, text=TEXT) == (1, 1)


def test_a_sentence_pointing_back_brings_the_one_before():
    pointing = TEXT.replace("No external enemy existed", "That is why no enemy existed")
    scores = [0.1, 0.2, 0.9, 0.1]
    assert window(_spans(pointing), scores, len(pointing), explains=False, text=pointing)[0] == 1


def test_a_short_passage_is_quoted_whole():
    short = "It rained. Then it stopped."
    assert window(_spans(short), [0.1, 0.9], len(short), explains=False, text=short) == (0, 1)


def test_why_wasnt_this_peacekeeping_quotes_verdict_and_reason(bot):
    excerpt = bot.ask("why wasn't this peacekeeping?").hits[0].excerpt.text.replace("\xa0", " ")
    assert "definitely not a “peacekeeping mission”!" in excerpt
    assert "There is no external enemy, no inter-social conflict, etc." in excerpt
