"""How a record's page is cited and read by machines: its "Cite this" block (a plain citation,
BibTeX and CSL-JSON, the last two also downloadable) and its schema.org JSON-LD.

Every record kind is cited the same way: the archive is the author, the record's title the title,
its kind ("Event record") the genre, the date it was last changed the date, and its page the URL.
The JSON-LD says only what the record says: a date known to the month is written as a month, and a
date known only to lie between two days is left out, since schema.org has no way to say "between".
"""

import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .dates import Precision, format_day
from .models import Event, Organization, Participation, Person, Sanction, Source, Topic

ARCHIVE = "Diplo"

# Each kind of record: the name its citation gives it, and the start of its citation key.
KINDS = {
    Event: ("Event record", "event"),
    Person: ("Person record", "person"),
    Organization: ("Organization record", "organization"),
    Sanction: ("Sanction record", "sanction"),
    Source: ("Source record", "source"),
    Topic: ("Topic record", "topic"),
}

BIBTEX_TYPE = "application/x-bibtex; charset=utf-8"
CSL_JSON_TYPE = "application/vnd.citationstyles.csl+json; charset=utf-8"


def title_of(record):
    if isinstance(record, Event | Source):
        return record.title
    if isinstance(record, Person):
        return record.styled_name
    if isinstance(record, Sanction):
        return f"Sanction by {record.get_imposing_country_display()} on {record.target}"
    return record.name


@dataclass(frozen=True)
class CiteThis:
    """What the "Cite this" block of one record's page shows, and its downloads hold."""

    record: object
    url: str  # absolute: the page's own address, without its query
    accessed: object  # a date: today, where the reader is citing it

    @property
    def title(self):
        return title_of(self.record)

    @property
    def genre(self):
        return KINDS[type(self.record)][0]

    @property
    def key(self):
        identifier = self.record.pk if isinstance(self.record, Sanction) else self.record.slug
        return f"diplo-{KINDS[type(self.record)][1]}-{identifier}"

    @property
    def bibtex_path(self):
        return f"{self.record.get_absolute_url()}cite.bib"

    @property
    def csl_path(self):
        return f"{self.record.get_absolute_url()}cite.json"

    @property
    def changed(self):
        """The day the record was last changed, or loaded if it has not changed since."""
        return timezone.localdate(self.record.modified)

    @property
    def changed_words(self):
        """"last changed 18 October 2024", or "as loaded on 18 October 2024"."""
        if self.record.changed_since_loaded:
            return f"last changed {format_day(self.changed)}"
        return f"as loaded on {format_day(self.changed)}"

    @property
    def plain_parts(self):
        """The plain citation in three parts, so that a page can isolate the title's direction."""
        title = self.title if self.title[-1:] in ".?!" else f"{self.title}."
        return (
            f"{ARCHIVE}. “",
            title,
            f"” {self.genre}, {self.changed_words}. {self.url} (accessed {format_day(self.accessed)}).",
        )

    @property
    def plain(self):
        return "".join(self.plain_parts)

    @property
    def bibtex(self):
        fields = [
            ("author", f"{{{ARCHIVE}}}"),
            ("title", f"{{{bibtex_text(self.title)}}}"),
            ("howpublished", bibtex_text(self.genre)),
            ("year", str(self.changed.year)),
            ("date", self.changed.isoformat()),
            ("url", self.url),
            ("urldate", self.accessed.isoformat()),
            ("note", bibtex_text(self.changed_words[0].upper() + self.changed_words[1:])),
        ]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        return f"@misc{{{self.key},\n{body}\n}}\n"

    @property
    def csl(self):
        """The record as one CSL-JSON item (a file of them holds a list)."""
        return {
            "id": self.key,
            "type": "webpage",
            "title": self.title,
            "author": [{"literal": ARCHIVE}],
            "container-title": ARCHIVE,
            "genre": self.genre,
            "URL": self.url,
            "issued": date_parts(self.changed),
            "accessed": date_parts(self.accessed),
            "note": self.changed_words[0].upper() + self.changed_words[1:],
        }

    @property
    def csl_json(self):
        return json.dumps([self.csl], ensure_ascii=False, indent=2) + "\n"


def cite_this(request, record):
    return CiteThis(record, request.build_absolute_uri(record.get_absolute_url()), timezone.localdate())


def date_parts(day):
    return {"date-parts": [[day.year, day.month, day.day]]}


# Characters BibTeX or LaTeX read as commands; braces become commands with balanced braces of
# their own, since BibTeX counts every brace, escaped or not.
BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


# Unicode's direction controls (embeddings, overrides, isolates): invisible, meaningless to BibTeX,
# and in a title typed in the admin able to reverse the rest of its line wherever it is shown.
DIRECTION_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def bibtex_text(text):
    text = " ".join(text.translate(DIRECTION_CONTROLS).split())
    return "".join(BIBTEX_ESCAPES.get(character, character) for character in text)


# JSON-LD


def schema_date(date):
    """An ISO 8601 date as precise as `date` (a FuzzyDate) is, or None where it is only known to lie
    somewhere between two days, or not at all."""
    if not date.is_known:
        return None
    whole = date.completed()
    if whole != type(date).containing(date.earliest, date.precision):
        return None
    if date.precision == Precision.DAY:
        return date.earliest.isoformat()
    if date.precision == Precision.MONTH:
        return date.earliest.strftime("%Y-%m")
    return str(date.earliest.year)


def thing(kind, name, url=None, **more):
    found = {"@type": kind, "name": name, **more}
    if url:
        found["url"] = url
    return {key: value for key, value in found.items() if value not in (None, "", [])}


def actor_ld(actor, absolute):
    if isinstance(actor, Person):
        return thing("Person", actor.styled_name, absolute(actor))
    return thing("Organization", actor.name, absolute(actor))


# Who an event's participants are to schema.org: those who held it, those who acted in it, and
# those it was about or addressed to.
ORGANIZERS = {Participation.Role.HOST}
PERFORMERS = {
    Participation.Role.VISITOR,
    Participation.Role.SPEAKER,
    Participation.Role.AUTHOR,
    Participation.Role.SIGNATORY,
    Participation.Role.PARTY,
}


def source_ld(source, absolute):
    kind = "NewsArticle" if source.kind == Source.Kind.NEWS_ARTICLE else "CreativeWork"
    return thing(
        kind,
        source.title,
        source.url or absolute(source),
        headline=source.title,
        author=source.author,
        publisher=thing("Organization", source.outlet) if source.outlet else None,
        datePublished=schema_date(source.published),
        sameAs=absolute(source) if source.url else None,
    )


def linked_data(request, record):
    """The schema.org description of `record`, from what its page's query read already."""

    def absolute(other):
        return request.build_absolute_uri(other.get_absolute_url())

    url = absolute(record)
    if isinstance(record, Event):
        participations = record.participations.all()
        sources = {citation.source_id: citation.source for citation in record.citations.all()}
        place = None
        if record.place or record.country:
            address = {"@type": "PostalAddress", "addressCountry": record.country} if record.country else None
            place = thing("Place", record.place or record.get_country_display(), address=address)
        about = [thing("Thing", topic.name, absolute(topic)) for topic in record.topics.all()]
        about += [
            actor_ld(each.actor, absolute)
            for each in participations
            if each.role not in ORGANIZERS | PERFORMERS
        ]
        found = thing(
            "Event",
            record.title,
            url,
            description=record.summary,
            startDate=schema_date(record.date),
            location=place,
            about=about,
            organizer=[actor_ld(each.actor, absolute) for each in participations if each.role in ORGANIZERS],
            performer=[actor_ld(each.actor, absolute) for each in participations if each.role in PERFORMERS],
            citation=[source_ld(source, absolute) for source in sources.values()],
        )
    elif isinstance(record, Person | Organization):
        kind = "Person" if isinstance(record, Person) else "Organization"
        names = [alias.name for alias in record.aliases.all()]
        extra = {}
        if isinstance(record, Person):
            names += [record.native_name] if record.native_name else []
            extra = {"honorificPrefix": record.honorific}
        elif record.parent:
            extra = {"parentOrganization": thing("Organization", record.parent.name, absolute(record.parent))}
        found = thing(
            kind,
            record.name,
            url,
            alternateName=names,
            description=record.description,
            sameAs=[link for _, _, link in record.external_links()],
            **extra,
        )
    elif isinstance(record, Sanction):
        found = thing(
            "Action",
            title_of(record),
            url,
            description=record.reason or record.measures,
            agent=actor_ld(record.imposed_by, absolute) if record.imposed_by else None,
            object=actor_ld(record.target, absolute),
            citation=[source_ld(citation.source, absolute) for citation in record.citations.all()],
        )
    elif isinstance(record, Source):
        found = source_ld(record, absolute)
        found["@id"] = url
    else:
        found = thing(
            "DefinedTerm",
            record.name,
            url,
            description=record.description,
            inDefinedTermSet=thing("DefinedTermSet", f"{ARCHIVE}’s topics"),
        )
    found.setdefault("@id", url)
    return {"@context": "https://schema.org", **found}


# JSON inside a <script> element ends at the first "</script", whatever the JSON means: these
# characters are written as escapes, which JSON reads as the same characters, so no text of a
# record can end the element or open a comment (nor, with quotes, look like markup to a checker).
SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026", ord("'"): "\\u0027"}


def json_ld_script(data):
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))

