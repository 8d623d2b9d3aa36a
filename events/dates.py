"""Dates known only as precisely as their sources allow.

A fuzzy date is stored in three columns: its precision, and the earliest and
latest day it may be. "October 2024" is (month, 2024-10-01, 2024-10-31); a date
the documents never give is (unknown, None, None), or keeps whatever bound the
documents do give (unknown, None, 2021-12-31: "before the end of 2021").
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models


class Precision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"
    UNKNOWN = "unknown", "Unknown"


def fuzzy_date_fields(label):
    """The three columns of one fuzzy date, to unpack in a model's body."""
    return (
        models.CharField(
            f"{label} precision",
            max_length=7,
            choices=Precision.choices,
            default=Precision.UNKNOWN,
            help_text="How precisely the sources give this date. Never more precise than they are.",
        ),
        models.DateField(
            f"{label}: earliest",
            null=True,
            blank=True,
            help_text="The first day it may be (the 1st of the month for a month-precision date).",
        ),
        models.DateField(
            f"{label}: latest",
            null=True,
            blank=True,
            help_text="The last day it may be (the 31st of December for a year-precision date).",
        ),
    )


def period_bounds(precision, day):
    """The first and last day of the day, month or year that contains `day`."""
    if precision == Precision.DAY:
        return day, day
    if precision == Precision.MONTH:
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    if precision == Precision.YEAR:
        return datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)
    raise ValueError(f"{precision!r} has no period")


@dataclass(frozen=True)
class FuzzyDate:
    precision: str
    earliest: datetime.date | None = None
    latest: datetime.date | None = None

    @classmethod
    def of(cls, instance, prefix):
        return cls(
            getattr(instance, f"{prefix}_precision"),
            getattr(instance, f"{prefix}_earliest"),
            getattr(instance, f"{prefix}_latest"),
        )

    @property
    def is_known(self):
        return self.precision != Precision.UNKNOWN

    def errors(self):
        """What is wrong with these three values, as {suffix: message}."""
        if not self.is_known:
            if self.earliest and self.latest and self.earliest > self.latest:
                return {"latest": "The latest day cannot come before the earliest."}
            return {}
        if self.earliest is None:
            return {"earliest": f"A date known to the {self.precision} needs its earliest day."}
        latest = self.latest or self.earliest
        first, last = period_bounds(self.precision, self.earliest)
        if not first <= latest <= last:
            return {"latest": f"The latest day must fall in the same {self.precision} as the earliest."}
        if latest < self.earliest:
            return {"latest": "The latest day cannot come before the earliest."}
        return {}

    def completed(self):
        """The same date with a missing bound filled in from its precision."""
        if not self.is_known or self.earliest is None:
            return self
        first, last = period_bounds(self.precision, self.earliest)
        if self.precision == Precision.DAY:
            return FuzzyDate(self.precision, self.earliest, self.earliest)
        if self.latest is None:
            return FuzzyDate(self.precision, first, last)
        return self

    def __str__(self):
        if not self.is_known:
            if self.latest and not self.earliest:
                return f"Date unknown (by {format_day(self.latest)})"
            if self.earliest and not self.latest:
                return f"Date unknown (after {format_day(self.earliest)})"
            if self.earliest and self.latest:
                return f"Date unknown (between {format_day(self.earliest)} and {format_day(self.latest)})"
            return "Date unknown"
        earliest, latest = self.earliest, self.latest or self.earliest
        if self.precision == Precision.DAY:
            return format_day(earliest)
        first, last = period_bounds(self.precision, earliest)
        if (earliest, latest) != (first, last):
            return f"Between {format_day(earliest)} and {format_day(latest)}"
        if self.precision == Precision.MONTH:
            return earliest.strftime("%B %Y")
        return str(earliest.year)


def format_day(day):
    return f"{day.day} {day:%B %Y}"


def clean_fuzzy_date(instance, prefix):
    """Fill in a fuzzy date's missing bound and raise its errors against its fields."""
    date = FuzzyDate.of(instance, prefix).completed()
    errors = date.errors()
    if errors:
        raise ValidationError({f"{prefix}_{suffix}": message for suffix, message in errors.items()})
    setattr(instance, f"{prefix}_earliest", date.earliest)
    setattr(instance, f"{prefix}_latest", date.latest)


_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_partial_date(text):
    """'2021', '2021-03' or '2021-03-25' as the (first, last) days it covers.

    Raises ValueError with a message fit to show a person.
    """
    match = _PARTIAL_DATE.match(text.strip())
    if not match:
        raise ValueError("Enter a date as YYYY, YYYY-MM or YYYY-MM-DD.")
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        if day is not None:
            return period_bounds(Precision.DAY, datetime.date(year, month, day))
        if month is not None:
            return period_bounds(Precision.MONTH, datetime.date(year, month, 1))
        return period_bounds(Precision.YEAR, datetime.date(year, 1, 1))
    except ValueError:
        raise ValueError(f"{text.strip()} is not a real date.") from None
