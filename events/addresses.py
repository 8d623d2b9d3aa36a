"""The canonical address of a filtered list: the parameters that say something (none empty), each
once, always in the same order (the filter form's fields, then paging, then any others by name), so
that one view of the archive has one address to share, cite and cache. The views redirect to it,
and every link the pages build (pagination, chips, suggestions) is made with it."""

from urllib.parse import urlencode

from django.shortcuts import redirect

# Paging follows the filters, in this order.
PAGING = ("after", "before", "page")


def canonical_pairs(query, fields=(), **changes):
    """[(name, value)] of `query` (a QueryDict) with `changes` made (None removes a parameter), in
    canonical order: each parameter once, with the value the form reads (the last one given)."""
    values = {name: query.get(name) for name in query} | changes
    order = [*fields, *(name for name in PAGING if name not in fields)]
    names = [name for name in order if name in values] + sorted(name for name in values if name not in order)
    return [(name, str(values[name])) for name in names if values[name] is not None and str(values[name]).strip()]


def canonical_query(query, fields=(), **changes):
    """The canonical query string, without its "?"; empty if nothing is left."""
    return urlencode(canonical_pairs(query, fields, **changes))


def canonical_url(path, query, fields=(), **changes):
    encoded = canonical_query(query, fields, **changes)
    return f"{path}?{encoded}" if encoded else path


def redirect_to_canonical(request, fields):
    """A redirect (302) to the canonical form of this GET's address, or None if it is in that form.

    The canonical address of a canonical address is itself, so this never loops; an invalid value
    is kept as it was typed, for the page to show it back beside its error.
    """
    if request.method not in ("GET", "HEAD"):
        return None
    canonical = canonical_pairs(request.GET, fields)
    # Compared as decoded pairs: "%20" and "+" say the same, and are not worth a round trip.
    given = [(name, value) for name, values in request.GET.lists() for value in values]
    if given == canonical:
        return None
    return redirect(canonical_url(request.path, request.GET, fields))
