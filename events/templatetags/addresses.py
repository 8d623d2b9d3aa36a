"""Links to other views of the list on the page, always in the canonical form (events/addresses.py)."""

from django import template

from events.addresses import canonical_query

register = template.Library()


@register.simple_tag(takes_context=True)
def canonical_querystring(context, **changes):
    """This page's canonical address with `changes` made (None removes a parameter), as
    {% querystring %} would give it, but with empty parameters left out and the rest in order."""
    request = context["request"]
    filterset = context.get("filterset")
    fields = list(filterset.base_filters) if filterset is not None else []
    encoded = canonical_query(request.GET, fields, **changes)
    return f"?{encoded}" if encoded else request.path


@register.simple_tag(takes_context=True)
def feed_querystring(context):
    """The filters of this page, as the query of its feed or calendar: no paging, and no order, as a
    feed is always newest first. "?..." or nothing."""
    request = context["request"]
    fields = list(context["filterset"].base_filters)
    encoded = canonical_query(request.GET, fields, sort=None, after=None, before=None, page=None)
    return f"?{encoded}" if encoded else ""
