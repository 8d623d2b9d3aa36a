"""The filtered timeline as an iCalendar file (/calendar.ics?topic=taiwan), for calendar programs.

Each event with a known date is an all-day event over every day it may be: a day is that day, a month
the whole month (DTSTART its first day, DTEND the day after its last, as iCalendar's all-day events
end), a year the whole year, "14–16 October 2024" those three days. An event whose date is unknown,
even with a bound ("by 17 October 2024"), has no day to put it on and is left out; the calendar's
description says how many, and where to see them. Every other event the filters select is in the
file, newest first, streamed CHUNK events at a time (each chunk read after the last, as the
timeline's pages are), so a calendar of a whole archive never sits in the worker's memory.
"""

import datetime

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from .dates import Precision
from .feeds import filtered_query, plain, valid_filter
from .paging import count_at_most, events_after

CHUNK = 500
END = b"END:VCALENDAR\r\n"


def event_calendar(request):
    filterset = valid_filter(request)
    query = filtered_query(request, filterset)
    timeline = request.build_absolute_uri(reverse("timeline") + (f"?{query}" if query else ""))
    phrases = [plain(phrase) for phrase in filterset.describe()]
    name = "Diplo: UK–China diplomatic events" + (" " + ", ".join(phrases) if phrases else "")
    calendar = Calendar.new(
        name=name,
        description=description(filterset, timeline),
        prodid="-//Diplo//UK-China diplomatic events//EN",
        uid=timeline,  # the same filters, the same calendar
        url=timeline,
    )
    # The calendar's own lines, then each event's as it is read, then the calendar's end.
    head = calendar.to_ical()
    assert head.endswith(END)
    response = StreamingHttpResponse(
        written(request, filterset, head[: -len(END)]), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="diplo-events.ics"'
    return response


def written(request, filterset, head):
    yield head
    stamp = timezone.now()
    for chunk in dated_chunks(filterset):
        yield b"".join(calendar_event(request, event, stamp).to_ical() for event in chunk)
    yield END


def dated_chunks(filterset):
    """The events with a known date that `filterset` selects, newest first, CHUNK at a time."""
    dated, _ = filterset.timeline_parts()
    parts = ([part.exclude(date_precision=Precision.UNKNOWN) for part in dated], filterset.qs.none())
    last = None
    while True:
        chunk = events_after(parts, last, CHUNK, newest=True)
        if chunk:
            yield chunk
        if len(chunk) < CHUNK:
            return
        last = chunk[-1]


def calendar_event(request, event, stamp):
    page = request.build_absolute_uri(event.get_absolute_url())
    return CalendarEvent.new(
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


def description(filterset, timeline):
    """What the calendar holds and what it leaves out, and where to see the rest."""
    known = count_at_most(filterset.qs.exclude(date_precision=Precision.UNKNOWN))
    if known.more:
        parts = [f"All of the events with a known date these filters select ({str(known).lower()}), newest first."]
    else:
        parts = [f"All {events(known.number)} with a known date these filters select, newest first."]
    unknown = count_at_most(filterset.qs.filter(date_precision=Precision.UNKNOWN))
    if unknown.number:
        were = "is" if unknown.number == 1 and not unknown.more else "are"
        parts.append(
            f"{unknown} event{'s' if unknown.more or unknown.number != 1 else ''} whose date "
            f"is unknown {were} left out, as a calendar needs a day to put an event on."
        )
    parts.append(f"Every event is on the timeline: {timeline}")
    return " ".join(parts)


def events(number):
    return "1 event" if number == 1 else f"{number:,} events"
