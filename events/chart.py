"""The chart above the timeline: how many of the filtered events fall in each year (or month), as bars
drawn on the server in SVG, each a link to the timeline narrowed to its period.

How an event is counted. A date is a range of possible days, and a bar's link lists the events whose
possible days overlap its period (EventQuerySet.overlapping), those that only may be in it marked
apart. So each bar is drawn in two parts that add up to what its link lists:

- solid: the events certainly in its period (every possible day inside it), each counted in one bar;
- hatched: the events that only may be in it, as their possible days reach beyond it ("2024" in a
  chart by month, "by 17 October 2024"); such an event is hatched in every bar it may fall in.

The bars' solid parts, the events hatched (each once) and the events with no known date (a bar of
their own, at the end) add up to the filtered count, and the chart says so.

One grouped query reads it all: the filtered events counted by the months of their first and last
possible days, each cut to the date filter's range (a day outside it is no certainty inside it). Each
filter's chart is then kept for an hour, or until any record changes, and says when it was counted.
"""

import datetime
import itertools
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import addresses, caching, freshness, paging
from .dates import Precision, period_bounds, plausible_days
from .models import ArchiveVersion

# A chart spanning at most this many months has a bar per month; a longer one, a bar per year.
MONTHLY_UP_TO = 24
# How long a filter's chart is kept: its grouped query reads every event the filters select (seconds at a
# million events), and a chart is never read back once any record has changed (counted_figures).
CHART_SECONDS = 3600
# The grouped rows fetched at a time.
ROWS_AT_ONCE = 2000

# The drawing's proportions, in the SVG's own units: the page scales it to its width.
BAR_WIDTH, GAP, PLOT_HEIGHT, LABEL_SPACE, TOP_SPACE = 40, 8, 160, 36, 18


@dataclass
class Bar:
    label: str  # on the axis: "2024", "Oct"
    name: str  # in words: "2024", "October 2024", "No known date"
    url: str
    certain: int = 0
    maybe: int = 0
    year_label: str = ""  # under a month's label, where the year begins or changes
    undated: bool = False
    # Where it is drawn, set by EventsOverTime.lay_out.
    x: int = 0
    middle: int = 0
    count_y: int = 0
    solid_y: int = 0
    solid_height: int = 0
    hatched_y: int = 0
    hatched_height: int = 0

    @property
    def listed(self):
        """How many events its link lists."""
        return self.certain + self.maybe


@dataclass
class EventsOverTime:
    figures: "Figures"  # what it counted: by month or year, the total, those spanning bars, the undated
    bars: list  # [Bar], made from the figures only to be drawn (drawn()): [] until then
    counted_at: datetime.datetime | None = None  # set when read back from an earlier count
    unplaced: paging.Tally | None = None  # the events a date filter leaves out as nothing is known of their date
    width: int = 0
    height: int = PLOT_HEIGHT + LABEL_SPACE + TOP_SPACE
    axis_y: int = PLOT_HEIGHT + TOP_SPACE
    plot_top: int = TOP_SPACE
    plot_height: int = PLOT_HEIGHT
    bar_width: int = BAR_WIDTH
    label_y: int = PLOT_HEIGHT + TOP_SPACE + 14
    year_label_y: int = PLOT_HEIGHT + TOP_SPACE + 30

    @property
    def in_bars(self):
        """The events counted in one bar each: solid in their period's, or the bar of no known date."""
        return sum(bar.certain for bar in self.bars)

    @property
    def dated_bars(self):
        return [bar for bar in self.bars if not bar.undated]

    def lay_out(self):
        tallest = max((bar.listed for bar in self.bars), default=0) or 1
        for position, bar in enumerate(self.bars):
            bar.x = GAP + position * (BAR_WIDTH + GAP)
            bar.middle = bar.x + BAR_WIDTH // 2
            bar.solid_height = round(PLOT_HEIGHT * bar.certain / tallest)
            bar.hatched_height = round(PLOT_HEIGHT * bar.listed / tallest) - bar.solid_height
            bar.solid_y = self.axis_y - bar.solid_height
            bar.hatched_y = bar.solid_y - bar.hatched_height
            bar.count_y = bar.hatched_y - 4
        self.width = GAP + len(self.bars) * (BAR_WIDTH + GAP)
        return self


def month_index(day):
    return day.year * 12 + day.month - 1


def day_of(index):
    return datetime.date(index // 12, index % 12 + 1, 1)


def grouped_rows(events, first, last, unplaced=None):
    """(([(first month, last month, events)], unplaced count or None), the archive's version): `events` counted
    by the months of their first and last possible days, a day before `first` or after `last` (the date filter's
    ends) read as no day (None); and, in the same query, paging.count_at_most of `unplaced` if given (the events
    a date filter leaves out as nothing is known of their date), and the archive's version the counts are of
    (events/freshness.py), so the chart costs the page no query of its own.

    The database groups by the days themselves, straight off the chart's index, and the months are made
    here: grouping by months in SQL needs a sort (1.35 s against 0.45 s for the whole archive of a million
    events on SQLite), and truncating with Django's functions is a Python function per row on SQLite."""
    grouped = events.order_by().values("date_earliest", "date_latest").annotate(events=Count("pk"))
    bounded = unplaced.order_by().values("pk")[: paging.COUNT_LIMIT + 1] if unplaced is not None else None
    parts, params = [], []
    for queryset in (grouped, bounded):
        try:
            sql, part_params = queryset.query.get_compiler(using=events.db).as_sql() if queryset is not None else (None, ())
        except EmptyResultSet:  # a filter that lets nothing through
            sql, part_params = None, ()
        parts.append(sql)
        params.extend(part_params)
    grouped_sql, bounded_sql = parts
    selects = []
    if grouped_sql:
        selects.append(f"SELECT 0, g.* FROM ({grouped_sql}) AS g")
    if bounded_sql:
        selects.append(f"SELECT 1, NULL, NULL, COUNT(*) FROM ({bounded_sql}) AS u")
    connection = connections[events.db]
    selects.append(f"SELECT 2, NULL, NULL, number FROM {connection.ops.quote_name(ArchiveVersion._meta.db_table)}")
    months, unplaced_count, version = {}, (0 if unplaced is not None else None), 0
    as_text = low = high = month = None
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        # Summed as they are fetched: the whole archive's rows are some 80,000 pairs of dates, about 20 MB
        # as Python objects, which a worker would keep as its high-water mark for the rest of its life.
        while rows := cursor.fetchmany(ROWS_AT_ONCE):
            for part, earliest, latest, number in rows:
                if part == 1:
                    unplaced_count = number
                    continue
                if part == 2:
                    version = number
                    continue
                if as_text is None and (earliest is not None or latest is not None):
                    # SQLite gives its dates as ISO text where it cannot tell the column's type (as at a
                    # million events), which compares and cuts to a month ("2024-10") as the dates would,
                    # at a fraction of parsing the some 80,000 of them.
                    as_text = isinstance(earliest if earliest is not None else latest, str)
                    low = (first.isoformat() if as_text else first) if first else None
                    high = (last.isoformat() if as_text else last) if last else None
                    month = (lambda day: day[:7]) if as_text else (lambda day: day.replace(day=1))
                start = month(earliest) if earliest is not None and (low is None or earliest >= low) else None
                end = month(latest) if latest is not None and (high is None or latest <= high) else None
                months[start, end] = months.get((start, end), 0) + number
    if as_text:
        months = {(_first_of(start), _first_of(end)): number for (start, end), number in months.items()}
    return ([(start, end, number) for (start, end), number in months.items()], unplaced_count), version


def _first_of(month):
    """The first day of a month given as SQLite's text ("2024-10"), or None."""
    return datetime.date(int(month[:4]), int(month[5:7]), 1) if month is not None else None


# What the cache keeps of a filter's chart (Figures, as a tuple), and the shape it is read back in.
FIGURES_SHAPE = (bool, object, [(int, int)], int, int, int)


@dataclass
class Figures:
    """All a filter's chart needs to be drawn, kept in the cache (a few hundred numbers, where the rows
    counted are some 80,000 at a million events, and drawing from those took 0.3 s a request)."""

    monthly: bool
    first_period: int | None  # the first bar's year, or month_index; None without a dated bar
    bars: list  # [(certain, maybe)], a bar each, the periods in order from first_period
    spanning: int
    undated: int  # 0 with a date range, which leaves such events out of the chart
    total: int

    def as_tuple(self):
        return (self.monthly, self.first_period, self.bars, self.spanning, self.undated, self.total)


def figures(rows, first, last, has_range):
    """The Figures of the grouped_rows `rows` of a filter with the date range [first, last] (None where
    open), `has_range` if it has one."""
    undated = 0 if has_range else sum(number for start, end, number in rows if start is None and end is None)
    ranges = [
        (start and month_index(start), end and month_index(end), number)
        for start, end, number in rows
        if has_range or start is not None or end is not None
    ]
    known = [index for start, end, _ in ranges for index in (start, end) if index is not None]
    low = month_index(first) if first else min(known, default=None)
    high = month_index(last) if last else max(known, default=None)
    if low is None or high is None:  # nothing dated, and no range asked for: only a bar of no known date
        low = high = low if low is not None else high
    if low is not None:
        # No stored date is outside the plausible days, so neither is a bar: a range typed as 0001 to
        # 9999 draws the years an event can be in, not ten thousand.
        earliest_day, latest_day = plausible_days()
        low, high = max(low, month_index(earliest_day)), min(high, month_index(latest_day))
    total = sum(number for _, _, number in rows)
    if low is None or low > high:
        return Figures(False, None, [], 0, undated, total)
    monthly = high - low + 1 <= MONTHLY_UP_TO
    step = (lambda index: index) if monthly else (lambda index: index // 12)
    first_period, count = step(low), step(high) - step(low) + 1
    certain, maybe = [0] * count, [0] * (count + 1)  # maybe: each span's start added, its end taken away
    spanning = 0
    for start, end, number in ranges:
        start_period = step(start) - first_period if start is not None else None
        end_period = step(end) - first_period if end is not None else None
        if start_period is not None and start_period == end_period:
            # At this granularity an event whose first and last months are in one year is certain in its year.
            if 0 <= start_period < count:
                certain[start_period] += number
            continue
        spanning += number
        begins = max(start_period if start_period is not None else 0, 0)
        ends = min(end_period if end_period is not None else count - 1, count - 1)
        if begins <= ends:
            maybe[begins] += number
            maybe[ends + 1] -= number
    hatched = list(itertools.accumulate(maybe))[:count]
    return Figures(monthly, first_period, list(zip(certain, hatched, strict=True)), spanning, undated, total)


def counted_figures(filterset, unplaced):
    """(Figures of the filterset's events, the unplaced count or None, when they were counted if read from
    the cache, else None).

    Each filter's figures are kept for CHART_SECONDS: their query reads every event the filters select.
    They are kept with the archive's version they counted, and read back only while that is still the
    version, so a change to any record is never shown in a chart counted before it. Read back from the
    cache, the unplaced count is not in them (None): the page counts those itself."""
    first, last = filterset.date_range()
    key = "events-over-time-figures-" + filterset.counts_key()
    using = filterset.qs.db
    kept = caching.read(key, (FIGURES_SHAPE, datetime.datetime, int))
    if kept is not None:
        found, counted_at, version = kept
        if version == freshness.current(using):
            return Figures(*found), None, counted_at
    (rows, unplaced_count), version = grouped_rows(filterset.qs_read_whole(), first, last, unplaced)
    # Read with the counts, the version saves the page's other caches (items, counts) a query of their own.
    freshness.remember(version, using)
    found = figures(rows, first, last, filterset.has_date_range())
    caching.keep(key, (found.as_tuple(), timezone.now(), version), CHART_SECONDS)
    return found, unplaced_count, None


def events_over_time(filterset, unplaced=None):
    """The chart of a valid EventFilter's events (EventsOverTime), its bars not yet laid out (drawn()
    does that, unless it keeps the drawing); with `unplaced` (a queryset), its `unplaced` is
    paging.count_at_most of it, read in the same query (None if the chart was read from the cache)."""
    found, unplaced_count, counted_at = counted_figures(filterset, unplaced)
    chart = EventsOverTime(found, [], counted_at)
    if unplaced_count is not None:
        chart.unplaced = paging.bounded_tally(unplaced_count)
    return chart


def bars_of(found, filterset):
    """The Bars of Figures `found`, each linking to the timeline narrowed to its period."""
    first, last = filterset.date_range()
    timeline = reverse("timeline")
    bars = []
    for offset, (certain, maybe) in enumerate(found.bars):
        bar = period_bar(timeline, found.first_period + offset, found.monthly, first, last, filterset)
        bar.certain, bar.maybe = certain, maybe
        bars.append(bar)
    if found.monthly:
        for previous, bar in zip([None, *bars], bars, strict=False):
            if previous is None or bar.name[-4:] != previous.name[-4:]:
                bar.year_label = bar.name[-4:]
    if found.undated:
        url = addresses.canonical_url(
            timeline,
            filterset.form.data,
            list(filterset.base_filters),
            date="unknown",
            date_from=None,
            date_to=None,
            **dict.fromkeys(addresses.PAGING),
        )
        bars.append(Bar("Unknown", "No known date", url, certain=found.undated, undated=True))
    return bars


def drawn(chart, filterset):
    """The chart's HTML (templates/_events_over_time.html); "" without a bar. Once the chart is read
    from the cache, its drawing is kept too, under the same filters, sort (its links keep it), version
    and time of counting: laying out and drawing some 80 bars, each with its link, took 60 ms a page
    at a million events."""
    if not chart.figures.bars and not chart.figures.undated:
        return ""

    def draw():
        chart.bars = bars_of(chart.figures, filterset)
        return render_to_string("_events_over_time.html", {"chart": chart.lay_out()})

    if chart.counted_at is None:  # counted now: the next request reads it back, and says when it was counted
        return draw()
    drawn_from = (filterset.counts_key(sorted_too=True), freshness.current(filterset.qs.db), chart.counted_at.timestamp())
    return caching.drawn_from("events-over-time-html", drawn_from, draw, CHART_SECONDS)


def period_bar(timeline, period, monthly, first, last, filterset):
    """The bar of one year or month (`period`, a year or a month_index), its link the timeline with the
    date filter narrowed to it: to the part of it in the filter's range, if the range cuts it."""
    if monthly:
        start = day_of(period)
        label, name = start.strftime("%b"), start.strftime("%B %Y")
        begins, ends = period_bounds(Precision.MONTH, start)
        typed = start.strftime("%Y-%m")
    else:
        start = datetime.date(period, 1, 1)
        label = name = typed = str(period)
        begins, ends = period_bounds(Precision.YEAR, start)
    date_from = typed if not first or first <= begins else first.isoformat()
    date_to = typed if not last or last >= ends else last.isoformat()
    url = addresses.canonical_url(
        timeline,
        filterset.form.data,
        list(filterset.base_filters),
        date_from=date_from,
        date_to=date_to,
        date=None,
        **dict.fromkeys(addresses.PAGING),
    )
    return Bar(label, name, url)
