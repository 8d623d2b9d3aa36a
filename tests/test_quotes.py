"""The source page's text as HTML (events/quotes.py), called directly: no database, no client."""

from events.models import Citation, Event
from events.quotes import highlight_quotes, paragraph_spans

MEETING = Event(pk=7, slug="the-meeting", title="The <meeting>")
BACKLINK = (
    ' <span class="supports">↩ <a href="/events/the-meeting/">event'
    '<span class="visually-hidden">: The &lt;meeting&gt;</span></a></span>'
)


def quoting(pk, quote, event=MEETING):
    return Citation(pk=pk, quote=quote, event=event)


def highlighted(text, citations):
    paragraphs, unplaced = highlight_quotes(text, citations)
    return [str(paragraph) for paragraph in paragraphs], [citation.pk for citation in unplaced]


def test_a_quote_is_marked_with_its_anchor_and_followed_by_a_link_to_its_record():
    paragraphs, unplaced = highlighted("He said: we met.", [quoting(1, "we met")])

    assert paragraphs == [f'He said: <mark class="quote" id="quote-1">we met</mark>{BACKLINK}.']
    assert unplaced == []


def test_the_text_is_escaped_and_a_quote_not_in_it_is_returned_unplaced():
    paragraphs, unplaced = highlighted("Then <we> left.", [quoting(2, "not there")])

    assert paragraphs == ["Then &lt;we&gt; left."]
    assert unplaced == [2]


def test_a_quote_running_into_the_next_paragraph_is_marked_again_there_without_its_id():
    paragraphs, _ = highlighted("One two.\n\nThree four.", [quoting(3, "two.\n\nThree")])

    assert paragraphs == [
        'One <mark class="quote" id="quote-3">two.</mark>',
        f'<mark class="quote">Three</mark>{BACKLINK} four.',
    ]


def test_quotes_that_overlap_without_nesting_close_and_reopen_the_later_mark():
    other = Event(pk=8, slug="other", title="Other")

    paragraphs, _ = highlighted("a b c d", [quoting(4, "a b c"), quoting(5, "b c d", event=other)])

    assert paragraphs == [
        '<mark class="quote" id="quote-4">a <mark class="quote" id="quote-5">b c</mark></mark>'
        f'{BACKLINK}<mark class="quote"> d</mark>'
        ' <span class="supports">↩ <a href="/events/other/">event'
        '<span class="visually-hidden">: Other</span></a></span>'
    ]


def test_paragraphs_are_separated_by_blank_lines_even_with_spaces_on_them():
    text = "First\nstill first\n  \t\nSecond\n\n\n"

    assert [text[start:end] for start, end in paragraph_spans(text)] == ["First\nstill first", "Second"]
