"""Text as the archive keeps it, and what makes a quote of it.

A source's text and a citation's quote are compared character for character, so both are kept
in one form whichever way they arrive: browsers send a textarea's line breaks as CRLF, files
may end lines with a lone CR, and the same accented letter can be one code point or two. Every
line break is stored as LF and every string in Unicode's NFC form, by `NormalizedTextField`
(for the model, whatever saves it) and `NormalizedCharField` (for the forms that edit it).

A quote must stand for one passage of its source: at least `MINIMUM_QUOTE_WORDS` words, found
in the text exactly once (`quote_problem`).
"""

import re
import unicodedata

from django import forms
from django.db import models

LINE_BREAK = re.compile(r"\r\n?")

MINIMUM_QUOTE_WORDS = 3
WORD = re.compile(r"\w+")

# Why a quote cannot stand for a passage of its source's text (see quote_problem).
TOO_SHORT = "is too short"
NOT_IN_TEXT = "is not in the text"
NOT_UNIQUE = "is found more than once in the text"


def normalized(text):
    """`text` with every line break as LF and in Unicode's NFC form."""
    return unicodedata.normalize("NFC", LINE_BREAK.sub("\n", text))


def quote_problem(quote, text):
    """Why `quote` cannot cite `text` (TOO_SHORT, NOT_IN_TEXT or NOT_UNIQUE), or None if it can.

    A quote of fewer than three words ("a", "the UK") is found in almost any text and backs
    nothing; one found twice leaves its reader, and the highlighting, to guess which is meant.
    """
    if len(WORD.findall(quote)) < MINIMUM_QUOTE_WORDS:
        return TOO_SHORT
    return placement_problem(quote, text)


def placement_problem(quote, text):
    """NOT_IN_TEXT or NOT_UNIQUE if `quote` is not found in `text` exactly once, else None."""
    first = text.find(quote)
    if first < 0:
        return NOT_IN_TEXT
    # From the next character, so a second occurrence overlapping the first counts too.
    if text.find(quote, first + 1) >= 0:
        return NOT_UNIQUE
    return None


# Characters that print alike, by what they are: a quote copied from a page, or typed, often has
# the other form ("it's" for "it’s", "-" for "–", two spaces for one).
TYPOGRAPHIC_KINDS = {
    "quotation marks": ("'", "'‘’‚‛′ʼ`´\"“”„‟″«»‹›"),
    "dashes": ("-", "-‐‑‒–—―−"),
}
SPACES = "spaces"


def folded(text, kinds):
    """`text` with the characters of each of `kinds` made one (a run of spaces one space), and for
    each character of the result the (start, end) of what it stands for in `text`."""
    table = {}
    for kind in kinds:
        if kind in TYPOGRAPHIC_KINDS:
            plain, chars = TYPOGRAPHIC_KINDS[kind]
            table.update(dict.fromkeys(chars, plain))
    chars, spans = [], []
    position = 0
    while position < len(text):
        char = text[position]
        if SPACES in kinds and char.isspace():
            end = position
            while end < len(text) and text[end].isspace():
                end += 1
            chars.append(" ")
            spans.append((position, end))
            position = end
            continue
        chars.append(table.get(char, char))
        spans.append((position, position + 1))
        position += 1
    return "".join(chars), spans


def typographic_difference(quote, text):
    """(what differs, the text's passage) if `quote` is found once in `text` once their quotation
    marks, dashes and spaces are made alike, but not as it is; else None. What differs is a list
    of those kinds, such as ["quotation marks"]."""
    every_kind = [*TYPOGRAPHIC_KINDS, SPACES]
    folded_text, spans = folded(text, every_kind)
    folded_quote = folded(quote, every_kind)[0]
    first = folded_text.find(folded_quote)
    if not folded_quote.strip() or first < 0 or folded_text.find(folded_quote, first + 1) >= 0:
        return None
    passage = text[spans[first][0] : spans[first + len(folded_quote) - 1][1]]
    # A kind differs if making all the others alike is not enough.
    differing = [
        kind
        for kind in every_kind
        if folded(quote, [other for other in every_kind if other != kind])[0]
        != folded(passage, [other for other in every_kind if other != kind])[0]
    ]
    return differing, passage


class NormalizedCharField(forms.CharField):
    """A form's text field whose value is `normalized`: a textarea sent back unchanged by a
    browser, with CRLF line breaks, is then unchanged."""

    def to_python(self, value):
        value = super().to_python(value)
        return normalized(value) if isinstance(value, str) else value


class NormalizedTextField(models.TextField):
    """A TextField whose value is always stored `normalized`, however it is saved."""

    def to_python(self, value):
        # TextField's get_prep_value calls this too, so every write passes here: save(),
        # bulk_create(), update() and loaddata alike.
        value = super().to_python(value)
        return normalized(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        # The saved instance holds what was stored, as after clean().
        value = self.to_python(super().pre_save(model_instance, add))
        setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": NormalizedCharField, **kwargs})
