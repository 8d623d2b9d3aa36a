"""A record's page address (get_absolute_url) is what reverse() gives, made from a prefix reversed once."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from events.models import Event, Organization, Person, Sanction, Source, Topic, page_url


@pytest.fixture
def script_prefix():
    yield set_script_prefix
    set_script_prefix("/")


@pytest.mark.parametrize("prefix", ["/", "/diplo/"])
def test_each_record_page_address_is_the_one_reverse_gives_under_any_script_prefix(script_prefix, prefix):
    script_prefix(prefix)
    records = [
        (Event(slug="foreign-secretary-meets-wang-yi"), "event_detail", "foreign-secretary-meets-wang-yi"),
        (Person(slug="david-lammy"), "person_detail", "david-lammy"),
        (Organization(slug="gen_government-1"), "organization_detail", "gen_government-1"),
        (Topic(slug="human-rights"), "topic_detail", "human-rights"),
        (Source(slug="independent-2024-10-18"), "source_detail", "independent-2024-10-18"),
        (Sanction(pk=12), "sanction_detail", 12),
    ]
    for record, name, key in records:
        assert record.get_absolute_url() == reverse(name, args=[key])
        assert record.get_absolute_url().startswith(prefix)


def test_a_key_no_page_address_can_hold_is_refused_as_reverse_refuses_it():
    with pytest.raises(NoReverseMatch):
        page_url("person_detail", "not a slug/../")
    with pytest.raises(NoReverseMatch):
        Person(slug="").get_absolute_url()
    with pytest.raises(NoReverseMatch):
        Sanction().get_absolute_url()  # not saved: no number yet
