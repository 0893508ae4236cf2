"""Plain text and reStructuredText: headings by their underlines, literal blocks, markup."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefbot import Briefbot
from briefbot.corpus import load_corpus, load_document
from briefbot.passages import split_passages

RST = """\
.. widget-manual-description: the manual's own comment

=================
 Widget Handbook
=================

.. contents::
   :local:

Widgets are small windows that float above the desktop and show one piece of news.

Installing
==========

Run the installer from the source folder::

   ./configure --prefix=/opt/widget
   make install

   make check

The installer copies every widget to the folder you chose.

.. note:: The installer needs write access to the prefix.

.. _colours:

Colours
-------

.. code-block:: ini
   :caption: widget.ini

   [widget]
   colour = teal

A widget is teal unless its file names another colour.

.. only:: html

   The web edition shows each colour as a swatch.

----------

Removing
========
Delete the folder; nothing else is left behind.
"""

SPHINX_TEXT = """\
Widget — the widget toolkit
***************************

Widget is a small toolkit for drawing widgets.

======================================================================


Installing
==========

The installer copies the files to the prefix.


Configuration options
---------------------

The default colour of a widget is blue.

widget.paint(colour)

   Paint the widget in *colour*. Returns the colour it had before.

   The widget is drawn again at once.

Note:

   A painted widget keeps its colour after a restart.

To paint one now:

   widget paint teal
"""


API = """\
Widgets reference
=================

.. module:: widgets

Helpers such as :func:`arrange` lay widgets out.

.. function:: arrange(items, *, columns=2)

   Lay out *items* in a grid of *columns* columns.

   .. versionadded:: 3.2

   .. versionchanged:: 3.4
      The *columns* parameter was added.

.. py:class:: Widget(parent=None)
   :noindex:

   Base class of every widget.

   .. method:: draw(canvas)

      Paint the widget onto *canvas*.

   Widgets draw nothing until shown.

Widgets are not thread-safe.

>>> arrange([w], columns=1)
<Grid 1x1>

.. doctest::

   >>> Widget().draw(None)

Themes
------

A theme names the colours.
"""


def _passages(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    document = load_document(path)
    return document, split_passages(document)


def test_underlined_headings_are_sections_ranked_by_first_use(tmp_path: Path) -> None:
    document, passages = _passages(tmp_path, "guide.txt", SPHINX_TEXT)
    assert document.title == "Widget — the widget toolkit"
    assert [(p.section, p.text) for p in passages] == [
        (None, "Widget is a small toolkit for drawing widgets."),
        ("Installing", "The installer copies the files to the prefix."),
        ("Installing › Configuration options", "The default colour of a widget is blue."),
        (  # a signature and the description it introduces, all its paragraphs: one passage
            "Installing › Configuration options",
            "widget.paint(colour)\n\n   Paint the widget in *colour*. Returns the colour it had "
            "before.\n\n   The widget is drawn again at once.",
        ),
        (
            "Installing › Configuration options",
            "Note:\n\n   A painted widget keeps its colour after a restart.",
        ),
        ("Installing › Configuration options", "To paint one now:\n\n   widget paint teal"),
    ]  # the transition line is no passage, the headings' underlines no text


def test_restructuredtext_documents_are_read_with_their_markup_left_out(tmp_path: Path) -> None:
    document, passages = _passages(tmp_path, "handbook.rst", RST)
    assert document.title == "Widget Handbook"  # over- and underlined, after a comment
    got = [(p.section, p.kind, p.text) for p in passages]
    assert got == [
        (
            None,
            "text",
            "Widgets are small windows that float above the desktop and show one piece of news.",
        ),
        ("Installing", "text", "Run the installer from the source folder:"),  # as shown
        (
            "Installing",
            "code",
            "./configure --prefix=/opt/widget\n   make install\n\n   make check",
        ),
        ("Installing", "text", "The installer copies every widget to the folder you chose."),
        ("Installing", "text", "The installer needs write access to the prefix."),
        ("Installing › Colours", "code", "[widget]\n   colour = teal"),
        ("Installing › Colours", "text", "A widget is teal unless its file names another colour."),
        ("Installing › Colours", "text", "The web edition shows each colour as a swatch."),
        ("Removing", "text", "Delete the folder; nothing else is left behind."),
    ]
    for p in passages:  # still exact slices of the file
        assert document.text[p.start : p.end] == p.text


def test_an_object_descriptions_body_is_read_in_the_context_of_its_signature(
    tmp_path: Path,
) -> None:
    document, passages = _passages(tmp_path, "widgets.rst", API)
    got = [(p.section, p.text) for p in passages]
    assert got == [
        (None, "Helpers such as :func:`arrange` lay widgets out."),  # no body: no context
        ("arrange(items, *, columns=2)", "Lay out *items* in a grid of *columns* columns."),
        ("arrange(items, *, columns=2)", "versionadded:: 3.2"),
        (
            "arrange(items, *, columns=2)",
            "versionchanged:: 3.4\n      The *columns* parameter was added.",
        ),
        ("Widget(parent=None)", "Base class of every widget."),
        ("Widget(parent=None) › draw(canvas)", "Paint the widget onto *canvas*."),
        ("Widget(parent=None)", "Widgets draw nothing until shown."),  # back out of draw
        (None, "Widgets are not thread-safe."),  # and out of the class
        (None, ">>> arrange([w], columns=1)\n<Grid 1x1>"),
        (None, ">>> Widget().draw(None)"),
        ("Themes", "A theme names the colours."),
    ]
    assert [p.kind for p in passages][-3:] == ["code", "code", "text"]  # doctests are code
    for p in passages:
        assert document.text[p.start : p.end] == p.text
    bot = Briefbot.from_folder(tmp_path, semantic=False, save=False)
    hit = bot.ask("what does draw do?").hits[0]  # its text never names it
    assert hit.passage.text == "Paint the widget onto *canvas*."
    # a role's name is markup, not a word: ":func:" is no answer to "which function"
    assert bot.index.tokenizer.terms(passages[0].text)[:2] == ["helper", "arrang"]


def test_a_plain_text_document_without_underlines_reads_as_before(tmp_path: Path) -> None:
    text = "A Short Note\n\nIt rained all day.\n\nLater\n\nThen it stopped.\n"
    document, passages = _passages(tmp_path, "note.txt", text)
    assert document.title == "A Short Note"
    assert [(p.section, p.text) for p in passages] == [
        (None, "It rained all day."),
        ("Later", "Then it stopped."),
    ]


@pytest.mark.parametrize("name", ["handbook.rst", "handbook.txt"])
def test_a_restructuredtext_corpus_answers_with_its_sections(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / name).write_text(RST, encoding="utf-8")
    assert [d.title for d in load_corpus(folder).documents] == ["Widget Handbook"]
    bot = Briefbot.from_folder(folder, semantic=False, save=False)
    hit = bot.ask("Does the installer need write access?").hits[0]
    assert hit.passage.section == "Installing"
    assert hit.excerpt.text == "The installer needs write access to the prefix."


_LINES = st.sampled_from(
    [
        "",
        "",
        "Title",
        "=====",
        "-----",
        "***",
        ".. note:: Keep it short.",
        ".. function:: paint(colour)",
        ".. versionadded:: 1.0",
        ".. code-block:: sh",
        ".. _target:",
        ".. a comment",
        "   :caption: x",
        "   indented text goes on here.",
        "      more deeply indented",
        "A paragraph ends here::",
        "Run this:",
        "widget.paint(colour)",
        "Plain words in a sentence.",
        "\tTabbed line",
        "é ü — “quoted”",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_LINES, max_size=30))
def test_any_plain_text_splits_into_exact_slices_without_error(tmp_path_factory, lines) -> None:
    text = "Doc\n\n" + "\n".join(lines) + "\n"
    for name in ("doc.txt", "doc.rst"):
        path = tmp_path_factory.mktemp("fuzz") / name
        path.write_text(text, encoding="utf-8")
        document = load_document(path)
        for p in split_passages(document):
            assert p.text and document.text[p.start : p.end] == p.text
            assert p.text == p.text.strip()


def test_footnotes_and_citations_are_text_and_other_explicit_markup_is_not(
    tmp_path: Path,
) -> None:
    text = (
        "Widgets\n=======\n\nWidgets float above the desktop [#]_.\n\n"
        ".. [#] They were called gadgets before version 3.0.\n\n"
        ".. [Lee2001] Ann Lee, *Small Windows*, 2001.\n\n"
        ".. _gadgets:\n\n"
        ".. a comment that is never shown\n\n"
        '.. productionlist::\n   widget: "<" name ">"\n'
    )
    document, passages = _passages(tmp_path, "widgets.rst", text)
    assert [(p.kind, p.text) for p in passages] == [
        ("text", "Widgets float above the desktop [#]_."),
        ("text", "They were called gadgets before version 3.0."),
        ("text", "Ann Lee, *Small Windows*, 2001."),
        ("code", 'widget: "<" name ">"'),  # a grammar is code
    ]
    for p in passages:
        assert document.text[p.start : p.end] == p.text


def test_bibliographic_fields_are_the_documents_metadata_and_a_literal_marker_is_not_text(
    tmp_path: Path,
) -> None:
    text = (
        "=============\nWidget Config\n=============\n\n-------------\nModule: core\n"
        "-------------\n\n:Authors: Ann Lee; Bo Chen\n:Date: $Date: 2004/08/29 09:44:53 $\n"
        ":Revision: 1.2\n\nA BNF like notation: ::\n\n  option : NAME = VALUE\n\n"
        "To set it::\n\n  widget.colour = teal\n\n::\n\n  widget.size = 3\n\n"
        ":abstract: what a widget's file holds\n"
    )
    document, passages = _passages(tmp_path, "config.txt", text)
    assert (document.title, document.authors, document.published) == (
        "Widget Config",
        ("Ann Lee", "Bo Chen"),
        "2004-08-29",
    )
    assert [(p.kind, p.text) for p in passages] == [
        ("text", "A BNF like notation:"),  # " ::" is not shown
        ("code", "option : NAME = VALUE"),
        ("text", "To set it:"),  # "::" after a word is shown as ":"
        ("code", "widget.colour = teal"),
        ("code", "widget.size = 3"),  # "::" alone is no text
        ("text", ":abstract: what a widget's file holds"),  # a field list later is text
    ]
    for p in passages:
        assert document.text[p.start : p.end] == p.text
    # one author written alone, and a comma-separated list under ":Authors:"
    one, _ = _passages(tmp_path, "one.rst", "Title\n=====\n\n:Author: Lee, Ann\n\nText here.\n")
    many, _ = _passages(tmp_path, "many.rst", "Title\n=====\n\n:Authors: Ann, Bo\n\nText.\n")
    assert (one.authors, many.authors) == (("Lee, Ann",), ("Ann", "Bo"))
    # "::" on a line of its own, under the paragraph's last line: nothing of it is shown
    _, alone = _passages(tmp_path, "alone.txt", "Title\n=====\n\nSet it like this\n::\n\n  a = 1\n")
    assert [p.text for p in alone] == ["Set it like this", "a = 1"]
    # a field list that is not at the top gives no metadata
    later, _ = _passages(tmp_path, "later.rst", "Title\n=====\n\nText.\n\n:Author: Ann\n")
    assert later.authors == ()


def test_a_subtitle_is_no_section_and_a_definitions_paragraphs_one_passage(tmp_path: Path) -> None:
    text = (
        "=============\nWidget Config\n=============\n\n-------------\nModule: core\n"
        "-------------\n\nOptions\n=======\n\nwidget.colour\n  The colour of a widget.\n\n"
        "  Default: teal\n\nwidget.size\n  Its size in inches.\n"
    )
    _, passages = _passages(tmp_path, "config.txt", text)
    assert [(p.section, p.text) for p in passages] == [
        # indented: the definition's second paragraph, not a heading
        ("Options", "widget.colour\n  The colour of a widget.\n\n  Default: teal"),
        ("Options", "widget.size\n  Its size in inches."),
    ]
    # a second heading in a style used again is a section, not a subtitle
    text = "Guide\n=====\n\nSetup\n-----\n\nRun it.\n\nUsage\n-----\n\nUse it.\n"
    _, passages = _passages(tmp_path, "guide.txt", text)
    assert [p.section for p in passages] == ["Setup", "Usage"]


FAQ_TEXT = """Frequently Asked Questions

Table of Contents

  o 1. Setup
      ? 1.1. How do I install the widget?
      ? 1.2. Can the widget run without a
        network?
  o 2. Colours
      ? 2.1. Why is my widget teal?

1. Setup

1.1. How do I install the widget?

Run the installer as root.

1.2. Can the widget run without a
network?

Yes, it keeps its last settings.

MS Name/IP address     Stratum Poll
===================================
^* example.org               2    6

2. Colours

2.1. Why is my widget teal?

Teal is the default colour. An example file could be

colour teal

Steps:

1. Open the file

2. Save it
"""


def test_numbered_headings_are_sections_and_the_table_of_contents_no_passage(
    tmp_path: Path,
) -> None:
    _, passages = _passages(tmp_path, "faq.txt", FAQ_TEXT)
    got = [(p.section, p.text) for p in passages]
    setup, colours = "1. Setup", "2. Colours › 2.1. Why is my widget teal?"
    assert got == [  # the first line is the title
        (None, "Table of Contents"),  # its entries are no passage: they are the sections
        (f"{setup} › 1.1. How do I install the widget?", "Run the installer as root."),
        (
            f"{setup} › 1.2. Can the widget run without a network?",
            "Yes, it keeps its last settings.",
        ),
        (  # columns over a rule: a table, not a heading
            f"{setup} › 1.2. Can the widget run without a network?",
            "MS Name/IP address     Stratum Poll\n===================================\n"
            "^* example.org               2    6",
        ),
        (colours, "Teal is the default colour. An example file could be"),
        (colours, "colour teal"),  # a title-like line here is no heading: the document numbers them
        (colours, "Steps:"),
        (colours, "1. Open the file"),  # a numbered list, not headings: no "1.1" under it
        (colours, "2. Save it"),
    ]


def test_a_sphinx_pages_roles_authors_and_consecutive_directives(tmp_path: Path) -> None:
    text = (
        ":mod:`widgets` --- Drawing small windows\n"
        "========================================\n\n"
        ".. module:: widgets\n   :synopsis: Draw small windows.\n\n"
        ".. moduleauthor:: Ann Lee <ann@example.org>\n"
        ".. sectionauthor:: Bo Chen <bo@example.org>\n"
        ".. sectionauthor:: Ann Lee <ann@example.org>\n\n"
        "Using :class:`Widget`\n---------------------\n\n"
        "This module draws small windows.\n"
    )
    document, passages = _passages(tmp_path, "widgets.rst", text)
    assert document.title == "widgets --- Drawing small windows"  # the role's text
    assert document.authors == ("Ann Lee", "Bo Chen")  # each once, without the address
    assert [(p.section, p.text) for p in passages] == [
        ("Using Widget", "This module draws small windows.")  # no directive is text
    ]


def test_short_lines_are_content_unless_they_are_a_pages_navigation(tmp_path: Path) -> None:
    text = (
        "Widget Notes\n============\n\nAn example file:\n\nserver widget.example.org\n"
        "driftfile /var/lib/widget\nport 123\n\nwidget.chroot\n  root of the widget\n\n"
        ":write\n\t:next\n\n- red\n- teal\n\nContact Us\nJanuary 2022\nTranslate »\n"
    )
    _, passages = _passages(tmp_path, "notes.txt", text)
    assert [p.text for p in passages] == [
        "An example file:",
        "server widget.example.org\ndriftfile /var/lib/widget\nport 123",  # a file's lines
        "widget.chroot\n  root of the widget",  # an option over its description
        ":write\n\t:next",  # commands
        "- red\n- teal",  # a list
    ]  # the last block is a web page's navigation: short capitalised lines, no sentence


def test_a_definitions_paragraphs_join_its_term_while_the_passage_stays_short(
    tmp_path: Path,
) -> None:
    long = "It is one of the widget's settings and " * 12
    text = (
        "Options\n=======\n\nwidget.colour\n  The colour.\n\n  Default: teal\n\n"
        "  Since 2.0.\n\nwidget.size\n  Its size::\n\n    size = 3\n\n"
        f"widget.name\n  {long.strip()}\n\n  Default: none\n\nSee also:\n\n"
        "  - widget.colour\n\n  - widget.size\n"
    )
    _, passages = _passages(tmp_path, "options.txt", text)
    assert [p.text for p in passages] == [
        "widget.colour\n  The colour.\n\n  Default: teal\n\n  Since 2.0.",
        "widget.size\n  Its size:",  # a literal block ends the definition
        "size = 3",
        f"widget.name\n  {long.strip()}",  # long: its next paragraph a passage of its own
        "Default: none",
        "See also:\n\n  - widget.colour\n\n  - widget.size",  # a lead-in and its list
    ]


MANUAL_CHAPTER = """\
*usr_03.txt*\tFor Widget version 2.0.

\t\t  Moving around

Widgets move when you drag them.
Short lines like these are text.

==============================================================================
*03.1*\tDragging a widget

Hold the left button and move the mouse.  To drag by keys: >

\tctrl-arrow

==============================================================================
*03.2*\tDropping  it

Let go of the button.
"""


def test_a_rule_over_a_title_line_is_a_heading_and_bare_lines_are_no_sections(
    tmp_path: Path,
) -> None:
    """A plain-text manual opens its chapters with a rule over a title line and no
    underline; with those headings found, a short line ending in a colon and a marker
    ("To drag by keys: >") is no section of its own."""
    document, passages = _passages(tmp_path, "usr_03.txt", MANUAL_CHAPTER)
    sections = [p.section for p in passages]
    assert "*03.1* Dragging a widget" in sections  # spaces squashed, tags kept
    assert "*03.2* Dropping it" in sections
    assert not any(s and s.startswith("To drag") for s in sections)
    assert not any("=====" in p.text for p in passages)
    for p in passages:
        assert document.text[p.start : p.end] == p.text


def test_a_closing_example_marker_introduces_code_and_is_not_shown(tmp_path: Path) -> None:
    """Vim's help format ends the line before an indented example with " >": the example
    is code, introduced by the line, and the marker is markup, like reStructuredText's
    "::" (the introducing passage ends on its colon, so its quote goes on into the code)."""
    _, passages = _passages(tmp_path, "usr_03.txt", MANUAL_CHAPTER)
    got = [(p.kind, p.text) for p in passages if p.section == "*03.1* Dragging a widget"]
    assert got == [
        ("text", "Hold the left button and move the mouse.  To drag by keys:"),
        ("code", "ctrl-arrow"),
    ]
    # without an indented block after it, a closing ">" is text
    document, plain = _passages(
        tmp_path, "notes.txt", "Notes\n\nHere arrows point right: >\n\nNext line.\n"
    )
    assert [p.text for p in plain] == ["Here arrows point right: >", "Next line."]


QA_FAQ = """\
Widget FAQ

Q: Why does the widget open a second port?
   Is this a backdoor?

A: The second port receives the replies. Queries leave from it
   and the answers come back to it.

   It is no security hole: only replies are accepted there.

Q: Will it run on other systems?

A: Yes, on BSD and Solaris too.

Notes that follow no question stay text.
"""


def test_a_plain_text_faqs_questions_head_their_answers(tmp_path: Path) -> None:
    """A "Q:" paragraph right before an "A:" one is a heading: the answer's paragraphs
    are its section (the question's words, without "Q:"), and the question itself is no
    passage of its own to be ranked instead of its answer."""
    document, passages = _passages(tmp_path, "FAQ.txt", QA_FAQ)
    got = [(p.section, p.text.split("\n")[0]) for p in passages]
    assert got == [
        (
            "Why does the widget open a second port? Is this a backdoor?",
            "A: The second port receives the replies. Queries leave from it",
        ),
        (
            "Why does the widget open a second port? Is this a backdoor?",
            "It is no security hole: only replies are accepted there.",
        ),
        ("Will it run on other systems?", "A: Yes, on BSD and Solaris too."),
        ("Will it run on other systems?", "Notes that follow no question stay text."),
    ]
    for p in passages:
        assert document.text[p.start : p.end] == p.text


RENDERED_SPEC = (
    "Widget file format\n\n"
    "   Table of Contents\n\n"
    "   1. Fields\n\n"
    "                1.1. Colour\n\n"
    "                1.2. Size\n\n"
    "1.\xa0Fields\n\n"
    "   Every widget file holds fields, one a line.\n\n"
    "  1.1.\xa0Colour\n\n"
    "   The colour of the widget, one of the named colours.\n\n"
    "  1.2.\xa0Size\n\n"
    "   The size in points; twelve when the field is left out.\n"
)


def test_a_rendered_documents_outdented_numbered_headings_are_sections(tmp_path: Path) -> None:
    """A text rendering indents its paragraphs (three spaces here) and sets its numbered
    headings to the left of them, a no-break space after the number; its table of
    contents' lines, as far in as the paragraphs or further, are no headings, and a
    numbered heading is no term over the paragraph indented under it."""
    document, passages = _passages(tmp_path, "spec.txt", RENDERED_SPEC)
    by_section = {p.section: p.text for p in passages if p.section and "›" in p.section}
    assert by_section == {
        "1. Fields › 1.1. Colour": "The colour of the widget, one of the named colours.",
        "1. Fields › 1.2. Size": "The size in points; twelve when the field is left out.",
    }
    assert [p.text for p in passages if p.section == "1. Fields"] == [
        "Every widget file holds fields, one a line."
    ]
    for p in passages:
        assert document.text[p.start : p.end] == p.text
