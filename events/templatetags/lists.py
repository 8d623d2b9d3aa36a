"""Lists of records written in Python: a page of 50 sanctions, or an organization's 100, each through an
`{% include %}` of its template, spent most of the page's time in the template engine."""

from django import template
from django.utils.html import format_html, format_html_join

from .claims import claim_mark

register = template.Library()


@register.filter
def sanction_items(sanctions):
    """An <li> for each sanction, with its target (and imposed_by) selected and its status log prefetched."""
    return format_html_join("\n", "{}", ((sanction_item(sanction),) for sanction in sanctions))


def sanction_item(sanction):
    latest = sanction.latest_status_change
    return format_html(
        '<li class="sanction">\n  <a href="{}">{}</a>\n  <span class="status status-{}">{}</span>{}\n'
        '  <span class="meta">announced {}{}</span>\n</li>',
        sanction.get_absolute_url(),
        str(sanction),
        sanction.status,
        sanction.get_status_display(),
        format_html(' <span class="meta">as of {}</span>', latest.when) if latest else "",
        str(sanction.announced) if sanction.announced.is_known else "on a date not known",
        format_html(" · <bdi>{}</bdi>", sanction.measures) if sanction.measures else "",
    )


@register.filter
def participation_items(participations):
    """An <li> for each of an actor's participations (paging.actor_events): the event's date and title,
    the actor's role and office, and the marks of a claim no quote states."""
    return format_html_join("\n", "{}", ((participation_item(participation),) for participation in participations))


def participation_item(participation):
    event = participation.event
    return format_html(
        '<li><span class="event-date">{}</span> <bdi><a href="{}">{}</a></bdi> <span class="role">({}{})</span>{}</li>',
        event.date,
        event.get_absolute_url(),
        event.title,
        participation.get_role_display().lower(),
        format_html(", as <bdi>{}</bdi>", participation.office.title) if participation.office else "",
        claim_mark(participation),
    )
