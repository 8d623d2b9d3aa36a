"""The site's main navigation: one link per section of the archive, in the order base.html shows them."""

from typing import NamedTuple

from django import template

register = template.Library()


class Section(NamedTuple):
    list_url_name: str  # the section's link; on that page it is the current page
    label: str
    detail_url_name: str  # on one record's page, the link says the visitor is in its section


SECTIONS = (
    Section("timeline", "Timeline", "event_detail"),
    Section("person_list", "People", "person_detail"),
    Section("organization_list", "Organizations", "organization_detail"),
    Section("sanction_list", "Sanctions", "sanction_detail"),
    Section("source_list", "Sources", "source_detail"),
    Section("topic_list", "Topics", "topic_detail"),
)


@register.simple_tag
def site_sections():
    return SECTIONS
