"""The archive to follow: an Atom feed of any filtered timeline, with the same EventFilter as the page, and
a feed of the changes editors make to published events, read from their history."""

import datetime
import re
from html import unescape

from django.contrib.syndication.views import Feed
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, strip_tags

from diplo.views import BadAddress

from . import addresses
from .dates import FuzzyDate
from .filters import EventFilter
from .history import History
from .models import Citation, Event
from .paging import count_events, events_after

# A feed carries the newest this many entries; its subtitle says so, with a link to the rest.
FEED_SIZE = 50


def valid_filter(request):
    """The timeline's EventFilter for this request, valid; else a BadAddress with the page's messages."""
    filterset = EventFilter(request.GET, queryset=Event.objects.published())
    if not filterset.is_valid():
        raise BadAddress(" ".join(error_messages(filterset)))
    return filterset


def error_messages(filterset):
    """Each field's errors as the timeline's form shows them, led by the field's label."""
    form = filterset.form
    found = []
    for name, messages in form.errors.items():
        label = form.fields[name].label if name in form.fields else "The filters"
        found += [f"{label}: {message}" for message in messages]
    return found


# What XML 1.0 cannot hold, so neither can a feed: control characters but tab and newlines, and
# the two non-characters. A typed filter, shown in the feed's title, may hold any of them.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def in_xml(text):
    return NOT_IN_XML.sub("", text)


def plain(phrase):
    """A describe() phrase, HTML with a name isolated in <bdi>, as plain text that XML can hold."""
    return in_xml(unescape(strip_tags(str(phrase))))


def filtered_query(request, filterset):
    """The canonical query of the filters alone: the same events, in the timeline's own order."""
    return addresses.canonical_query(
        request.GET, list(filterset.base_filters), sort=None, **dict.fromkeys(addresses.PAGING)
    )


def at_midnight(day):
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)


# Each request gets a feed object of its own (event_feed, change_feed), so what a feed keeps for the
# request it answers (self.request) is never seen by another thread's.


def event_feed(request):
    return EventFeed()(request)


def change_feed(request):
    return ChangeFeed()(request)


class EventFeed(Feed):
    """/feed/?topic=human-rights: the newest FEED_SIZE events of the filtered timeline, newest first."""

    feed_type = Atom1Feed
    author_name = "Diplo"

    def get_object(self, request):
        self.request = request
        return valid_filter(request)

    def title(self, filterset):
        phrases = [plain(phrase) for phrase in filterset.describe()]
        return "Diplo: UK–China diplomatic events" + (" " + ", ".join(phrases) if phrases else "")

    def link(self, filterset):
        query = filtered_query(self.request, filterset)
        return reverse("timeline") + (f"?{query}" if query else "")

    def feed_url(self, filterset):
        return self.request.get_full_path()

    def subtitle(self, filterset):
        count = count_events(filterset.qs, filtered=True)
        timeline = self.request.build_absolute_uri(self.link(filterset))
        if not count.more and count.number <= FEED_SIZE:
            shown = f"All {count.number:,} of the events these filters select"
        else:
            shown = f"The newest {FEED_SIZE} of the {str(count).lower()} events these filters select"
        return (
            f"{shown}, newest first by the first day each may be (events with no known date last). "
            f"Each entry gives its date as the archive knows it. Every event is on the timeline: {timeline}"
        )

    def items(self, filterset):
        events = events_after(filterset.timeline_parts(), None, FEED_SIZE, newest=True)
        self.updated = last_changes([event.pk for event in events])
        return events

    def item_title(self, event):
        return in_xml(event.title)

    def item_description(self, event):
        return in_xml(format_html("<p>{}</p><p>{}</p>", event.date, event.summary))

    def item_guid(self, event):
        return self.request.build_absolute_uri(event.get_absolute_url())

    def item_updateddate(self, event):
        return self.updated.get(event.pk) or timezone.now()


def last_changes(pks):
    """{event pk: when it last changed}: its last recorded change, or, for an event loaded with the archive
    and not changed since (no history), the publication of the newest source it cites, the day its
    record could first be made; events with neither are left out. Two queries."""
    changed = dict(Event.history.filter(id__in=pks).values("id").annotate(last=Max("history_date")).values_list("id", "last"))
    sourced = (
        Citation.objects.filter(event__in=[pk for pk in pks if pk not in changed])
        .values("event")
        .annotate(last=Max("source__published_latest"))
        .values_list("event", "last")
    )
    return changed | {pk: at_midnight(day) for pk, day in sourced if day is not None}


class ChangeFeed(Feed):
    """/feed/changes/: the newest FEED_SIZE additions and changes to published events, newest first."""

    feed_type = Atom1Feed
    author_name = "Diplo"
    title = "Diplo: events added or changed"

    def get_object(self, request):
        self.request = request
        return None

    def link(self):
        return reverse("timeline")

    def feed_url(self):
        return reverse("change_feed")

    def feed_guid(self):
        # Its own address: its link, the timeline, is the id of the feed of all events.
        return self.request.build_absolute_uri(reverse("change_feed"))

    def subtitle(self):
        return (
            f"The newest {FEED_SIZE} additions and changes editors made to published events, newest first, "
            "from each event's history. Events loaded with the archive and not changed since are not here: "
            f"the feed of all events is {self.request.build_absolute_uri(reverse('event_feed'))}"
        )

    def items(self):
        current = Event.objects.filter(pk=OuterRef("id"))
        return list(
            Event.history.filter(
                history_type__in=["+", "~"],
                is_published=True,
                id__in=Event.objects.published().values("pk"),
            )
            # The version kept just before a first change is no change in itself.
            .exclude(history_change_reason=History.FIRST_VERSION_REASON)
            .annotate(current_slug=Subquery(current.values("slug")))
            .order_by("-history_date", "-history_id")[:FEED_SIZE]
        )

    def item_title(self, version):
        return in_xml(f"{'Added' if version.history_type == '+' else 'Changed'}: {version.title}")

    def item_link(self, version):
        return reverse("event_detail", args=[version.current_slug])

    def item_description(self, version):
        what = "Added to the archive." if version.history_type == "+" else "Changed by an editor."
        reason = version.history_change_reason or ""
        return in_xml(
            format_html("<p>{} {}</p><p>{}</p><p>{}</p>", what, reason, FuzzyDate.of(version, "date"), version.summary)
        )

    def item_guid(self, version):
        return self.request.build_absolute_uri(f"{self.item_link(version)}#change-{version.history_id}")

    def item_guid_is_permalink(self, version):
        return False

    def item_updateddate(self, version):
        return version.history_date
