"""A quote that differs from its source only in its quotation marks, dashes or spaces is refused
with a message that says so and gives the source's exact text to copy."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from events.models import Citation
from events.text import typographic_difference

from .factories import make_event, make_source
from .helpers import html_of

SOURCE_TEXT = "Mr Lammy said: “We will not stay silent” – and China’s envoy  left the room."


def test_straight_quotation_marks_for_curly_ones_are_named_with_the_sources_text():
    assert typographic_difference('"We will not stay silent"', SOURCE_TEXT) == (
        ["quotation marks"],
        "“We will not stay silent”",
    )


def test_a_hyphen_for_a_dash_and_one_space_for_two_are_named_together_with_the_quotation_marks():
    differing, passage = typographic_difference("silent\" - and China's envoy left", SOURCE_TEXT)

    assert differing == ["quotation marks", "dashes", "spaces"]
    assert passage == "silent” – and China’s envoy  left"


def test_a_quote_with_other_words_is_no_near_miss():
    assert typographic_difference("We shall not stay silent", SOURCE_TEXT) is None


def test_a_near_miss_found_twice_is_no_near_miss():
    assert typographic_difference("it's here", "it’s here and it‘s here") is None


@pytest.mark.django_db
def test_saving_such_a_quote_says_what_differs_and_gives_the_exact_text():
    source = make_source(SOURCE_TEXT)
    citation = Citation(source=source, event=make_event(), quote="\"We will not stay silent\" - and")

    with pytest.raises(ValidationError) as refused:
        citation.full_clean()

    assert refused.value.message_dict["quote"] == [
        "This quote differs from the source only in its quotation marks and dashes; "
        "the source has: ““We will not stay silent” – and” — copy that exact text into the quote."
    ]


@pytest.mark.django_db
def test_the_admin_shows_the_message_and_saves_nothing(editor, client):
    source, event = make_source(SOURCE_TEXT), make_event()

    response = client.post(
        reverse("admin:events_citation_add"),
        {"source": source.pk, "event": event.pk, "quote": "China's envoy left the room"},
    )

    assert response.status_code == 200
    assert (
        "This quote differs from the source only in its quotation marks and spaces; "
        "the source has: “China’s envoy  left the room”"
    ) in html_of(response)
    assert not Citation.objects.exists()
