"""The filtered timeline as an iCalendar file (/calendar.ics?topic=taiwan), for calendar programs.

Each event with a known date is an all-day event over every day it may be: a day is that day, a month
the whole month (DTSTART its first day, DTEND the day after its last, as iCalendar's all-day events
end), a year the whole year, "14–16 October 2024" those three days. An event whose date is unknown,
even with a bound ("by 17 October 2024"), has no day to put it on and is left out; the calendar's
description says how many, and where to see them. The file holds the newest CALENDAR_SIZE events and
says so when there are more: a calendar program reads the whole file at once.
"""

import datetime

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from .dates import Precision
from .feeds import filtered_query, plain, valid_filter
from .paging import COUNT_LIMIT, count_at_most, events_after

CALENDAR_SIZE = COUNT_LIMIT


def event_calendar(request):
    filterset = valid_filter(request)
    dated, _ = filterset.timeline_parts()
    known = [part.exclude(date_precision=Precision.UNKNOWN) for part in dated]
    found = events_after((known, filterset.qs.none()), None, CALENDAR_SIZE + 1, newest=True)
    events = found[:CALENDAR_SIZE]
    query = filtered_query(request, filterset)
    timeline = request.build_absolute_uri(reverse("timeline") + (f"?{query}" if query else ""))
    phrases = [plain(phrase) for phrase in filterset.describe()]
    name = "Diplo: UK–China diplomatic events" + (" " + ", ".join(phrases) if phrases else "")
    calendar = Calendar.new(
        name=name,
        description=description(filterset, events, len(found) > CALENDAR_SIZE, timeline),
        prodid="-//Diplo//UK-China diplomatic events//EN",
        uid=timeline,  # the same filters, the same calendar
        url=timeline,
    )
    stamp = timezone.now()
    for event in events:
        page = request.build_absolute_uri(event.get_absolute_url())
        calendar.add_component(
            CalendarEvent.new(
                uid=page,
                url=page,
                summary=event.title,
                description=f"{event.date}. {event.summary}",
                location=event.place or None,
                start=event.date_earliest,
                # All-day events end the day after their last day.
                end=(event.date_latest or event.date_earliest) + datetime.timedelta(days=1),
                stamp=stamp,
            )
        )
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="diplo-events.ics"'
    return response


def description(filterset, events, cut, timeline):
    """What the calendar holds and what it leaves out, and where to see the rest."""
    parts = []
    if cut:
        total = count_at_most(filterset.qs.exclude(date_precision=Precision.UNKNOWN))
        parts.append(
            f"The newest {CALENDAR_SIZE:,} of the {str(total).lower()} events with a known date these filters "
            "select: narrow the filters for the others."
        )
    else:
        parts.append(f"All {len(events):,} events with a known date these filters select.")
    unknown = count_at_most(filterset.qs.filter(date_precision=Precision.UNKNOWN))
    if unknown.number:
        parts.append(
            f"{unknown} event{'s' if unknown.more or unknown.number != 1 else ''} whose date is unknown "
            f"{'is' if unknown.number == 1 and not unknown.more else 'are'} left out, as a calendar needs a day "
            "to put an event on."
        )
    parts.append(f"Every event is on the timeline: {timeline}")
    return " ".join(parts)
