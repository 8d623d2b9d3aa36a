"""The source page's text as HTML: paragraphs with every cited quote marked, anchored and linked
back to the record it supports. Pure functions of the text and its citations."""

import re

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")


def paragraph_spans(text):
    """(start, end) of each paragraph of `text`, paragraphs being separated by blank lines."""
    start = 0
    for separator in PARAGRAPH_BREAK.finditer(text):
        if text[start : separator.start()].strip():
            yield start, separator.start()
        start = separator.end()
    if text[start:].strip():
        yield start, len(text)


def supported_record(citation):
    """(kind, title, url) of the record a citation supports, for the link beside its quote."""
    if citation.event_id:
        return "event", citation.event.title, citation.event.get_absolute_url()
    if citation.sanction_id:
        return "sanction", str(citation.sanction), citation.sanction.get_absolute_url()
    if citation.office_id:
        office = citation.office
        return "office", f"{office.title}, {office.person}", office.person.get_absolute_url()
    return None


def backlinks(citations):
    """One small group of links after quotes that end together, to the records they support."""
    links, seen = [], set()
    for citation in citations:
        kind, title, url = supported_record(citation)
        if url not in seen:
            seen.add(url)
            links.append(format_html('<a href="{}">{}<span class="visually-hidden">: {}</span></a>', url, kind, title))
    return format_html(' <span class="supports">↩ {}</span>', mark_safe(" · ".join(links)))


def highlight_quotes(text, citations):
    """The text as a list of safe HTML paragraphs, each cited quote inside <mark id="quote-<pk>">.

    A quote is marked where it first occurs. Quotes nest as marks inside marks; where
    two overlap without nesting, or a quote runs on into the next paragraph, its mark is
    closed and opened again, the id staying on its first part. A link to the record a
    quote supports follows its end. Returns (paragraphs, citations whose quote isn't in the text).
    """
    # Text and quotes are stored with LF line breaks (events/text.py), so they match as they are.
    spans, unplaced = {}, []
    for citation in citations:
        start = text.find(citation.quote) if citation.quote.strip() else -1
        if start < 0:
            unplaced.append(citation)
        else:
            spans[citation] = (start, start + len(citation.quote))

    paragraphs = list(paragraph_spans(text))
    last_paragraph = {}
    for number, (first, last) in enumerate(paragraphs):
        for citation, (start, end) in spans.items():
            if start < last and first < end:
                last_paragraph[citation] = number

    anchored, html = set(), []
    for number, (first, last) in enumerate(paragraphs):
        # Each quote's part within this paragraph.
        parts = {
            citation: (max(start, first), min(end, last))
            for citation, (start, end) in spans.items()
            if start < last and first < end
        }
        ending_here = {citation for citation in parts if last_paragraph[citation] == number}
        html.append(mark_paragraph(text, first, last, parts, ending_here, anchored))
    return html, unplaced


def mark_paragraph(text, first, last, parts, ending_here, anchored):
    """The paragraph text[first:last] as safe HTML, with a mark round each quote's part of it in `parts`.

    A quote in `ending_here` ends in this paragraph, so its backlinks follow its part. `anchored`
    holds the quotes whose mark already carries their id, in this paragraph or an earlier one.
    """
    paragraph = MarkedParagraph(anchored)
    position = first
    for cut in sorted({last, *(bound for part in parts.values() for bound in part)}):
        paragraph.add_text(text[position:cut])
        position = cut
        ending = [citation for citation in paragraph.open_marks if parts[citation][1] == cut]
        if ending:
            reopen = paragraph.close_marks(ending)
            finished = [citation for citation in ending if citation in ending_here]
            if finished:
                paragraph.add_html(backlinks(finished))
            for citation in reopen:
                paragraph.open_mark(citation)
        starting = [citation for citation, (start, end) in parts.items() if start == cut and end > cut]
        for citation in sorted(starting, key=lambda citation: (-parts[citation][1], citation.pk)):
            paragraph.open_mark(citation)
    return paragraph.html()


class MarkedParagraph:
    """A paragraph's HTML as it is written from left to right, and the marks open at the point reached."""

    def __init__(self, anchored):
        self.anchored = anchored  # quotes whose first mark, the one with their id, is written
        self.open_marks = []  # the quotes marked at this point, outermost first
        self.pieces = []

    def add_text(self, text):
        self.pieces.append(mark_safe(escape(text).replace("\n", "<br>")))

    def add_html(self, html):
        self.pieces.append(html)

    def open_mark(self, citation):
        if citation in self.anchored:
            self.pieces.append(mark_safe('<mark class="quote">'))
        else:
            self.pieces.append(format_html('<mark class="quote" id="{}">', citation.anchor))
            self.anchored.add(citation)
        self.open_marks.append(citation)

    def close_marks(self, ending):
        """Closes the marks of the `ending` quotes, and every mark opened inside them, as HTML must.

        Returns the quotes closed that go on, whose marks are to be opened again, outermost first.
        """
        lowest = min(self.open_marks.index(citation) for citation in ending)
        closed = self.open_marks[lowest:]
        del self.open_marks[lowest:]
        self.pieces.extend(mark_safe("</mark>") for _ in closed)
        return [citation for citation in closed if citation not in ending]

    def html(self):
        return mark_safe("".join(self.pieces))
