"""Bringing in a document: from a saved page, a text, a file or an address to a Source.

Three steps, the same in the admin ("Add a document") and in `manage.py add_document`:

1. The original is taken in as bytes (`Original`): pasted, uploaded, read from a file or
   fetched (events/fetch.py), each refused past settings.DIPLO_DOCUMENT_MAX_BYTES before it is
   read whole.
2. `extract` finds the main text and what the page says of itself (title, author, outlet,
   canonical address, date) with trafilatura, drops the site's boilerplate, and says what it
   dropped and what to check: nothing is left out silently. `warnings_for` finds what an editor
   must see before saving: a source already in the archive at the same address or with nearly
   the same text, and a text that is not in English.
3. Only once an editor has checked and corrected all that does `save_document` store the Source
   and, beside it, its original byte for byte (SourceOriginal), in one transaction.
"""

import functools
import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import slugify

from .dates import FuzzyDate, Precision
from .fetch import describe_size, fetch
from .models import Source, SourceOriginal
from .text import normalized

# Fewer words than this is a page with no article on it (a home page, a list of links, an error).
MINIMUM_WORDS = 30
# The archive is in English; a text another language is this sure of needs an editor's word.
LANGUAGE_CERTAINTY = 0.9
# Share of the three-word phrases of the longer of two texts that the shorter has too, from which
# they are nearly the same document: an edited copy, or the same article with its boilerplate
# (each seed file, boilerplate and all, shares 68% or more with its source's text). Measured
# against the longer, so that a text quoting one paragraph of another is not its duplicate.
NEAR_DUPLICATE_SHARE = 0.6

SUFFIXES = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain"}

# Paragraphs that are the site talking, not the document: donation appeals, sign-up prompts,
# share buttons, "Read more" links, sidebar headings. Matched at a paragraph's start (or as the
# whole paragraph), so an article that quotes "subscribe" in a sentence keeps it.
BOILERPLATE = re.compile(
    r"""^(?:
        .{0,40}your\ support\ helps\ us\ to\ tell\ the\ story
      | (?:support|donate)\ (?:now|today|us)\b
      | stay\ up\ to\ date\ with\ notifications
      | notifications\ can\ be\ managed
      | thank\ you\ for\ registering
      | please\ refresh\ (?:the|your)
      | (?:sign\ up|subscribe)\ (?:to|for)\b
      | enter\ your\ email\ address
      | share\ (?:this|on)\b
      | (?:read\ more|subscribe|social\ media|site\ search|recent\ posts|advertisement)\W*$
    )""",
    re.IGNORECASE | re.VERBOSE,
)


class DocumentError(Exception):
    """Why a document cannot be added, in words fit to show an editor. Nothing is saved."""


@dataclass(frozen=True)
class Original:
    """A document exactly as it was received."""

    content: bytes
    content_type: str
    origin: str  # the address it came from, the file's name, or "pasted"
    received_at: object = field(default_factory=timezone.now)

    @property
    def sha256(self):
        return hashlib.sha256(self.content).hexdigest()

    @property
    def is_html(self):
        return "html" in self.content_type.lower()


def looks_like_html(content):
    start = content[:2048].lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html", b"<?xml")) or any(
        tag in start for tag in (b"<head", b"<body", b"<p>", b"<div", b"<article")
    )


def too_large(size, what="The file"):
    limit = describe_size(settings.DIPLO_DOCUMENT_MAX_BYTES)
    return f"{what} is {describe_size(size)}, larger than the {limit} a document may be; nothing was kept of it."


def original_from_upload(upload):
    """An uploaded .html, .htm or .txt file, refused by its declared size before it is read."""
    suffix = "." + upload.name.rpartition(".")[2].lower() if "." in upload.name else ""
    if suffix not in SUFFIXES:
        raise DocumentError(f"“{upload.name}” is not a .html, .htm or .txt file: save the page as one of those.")
    if upload.size > settings.DIPLO_DOCUMENT_MAX_BYTES:
        raise DocumentError(too_large(upload.size, f"“{upload.name}”"))
    return Original(content=upload.read(), content_type=SUFFIXES[suffix], origin=upload.name)


def original_from_path(path):
    """A .html, .htm or .txt file on disk (for the management command), refused by its size before it is read."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DocumentError(f"{path} is not a .html, .htm or .txt file.")
    try:
        size = path.stat().st_size
        if size > settings.DIPLO_DOCUMENT_MAX_BYTES:
            raise DocumentError(too_large(size, str(path)))
        content = path.read_bytes()
    except OSError as error:
        raise DocumentError(f"{path} cannot be read: {error.strerror}.") from None
    return Original(content=content, content_type=SUFFIXES[suffix], origin=path.name)


def original_from_paste(text):
    content = text.encode()
    if len(content) > settings.DIPLO_DOCUMENT_MAX_BYTES:
        raise DocumentError(too_large(len(content), "The pasted text"))
    kind = "text/html" if looks_like_html(content) else "text/plain"
    return Original(content=content, content_type=f"{kind}; charset=utf-8", origin="pasted")


def original_from_url(url):
    fetched = fetch(url)
    kind = fetched.content_type.split(";")[0].strip().lower()
    if kind and kind not in ("text/html", "application/xhtml+xml", "text/plain"):
        raise DocumentError(f"{fetched.url} is {kind}, not a web page or a text: only those can be added.")
    content_type = fetched.content_type or ("text/html" if looks_like_html(fetched.content) else "text/plain")
    return Original(content=fetched.content, content_type=content_type, origin=fetched.url)


@dataclass
class Extracted:
    """What a document says of itself, for an editor to check."""

    text: str
    title: str = ""
    author: str = ""
    outlet: str = ""
    url: str = ""
    published: FuzzyDate = field(default_factory=lambda: FuzzyDate(Precision.UNKNOWN))
    removed: list = field(default_factory=list)  # the paragraphs dropped as boilerplate or repeats
    language: str = "en"
    language_certainty: float = 1.0

    @property
    def is_english(self):
        return self.language == "en" or self.language_certainty < LANGUAGE_CERTAINTY

    def notes(self, original):
        """The source's notes: where it came from, what was dropped, and what to check."""
        lines = [f"Added from {original.origin} ({original.content_type.split(';')[0]}, sha256 {original.sha256[:12]}…)."]
        if original.is_html:
            lines.append(f"Main text and metadata extracted by trafilatura {trafilatura().__version__}; the original is kept.")
        if self.published.is_known:
            lines.append("The date is the page's own metadata: check it against the page.")
        if self.removed:
            dropped = "; ".join(f"“{shortened(paragraph)}”" for paragraph in self.removed)
            lines.append(f"Removed: {dropped}.")
        return " ".join(lines)


def shortened(text, length=80):
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def trafilatura():
    """The trafilatura package, imported when a document is first added: with lxml and its other
    dependencies it is some 45 MB and a second of every web worker's first request, which the
    admin's URLs import (events/admin_documents.py), though few workers ever add a document."""
    import trafilatura

    return trafilatura


@functools.cache
def extraction_config():
    from trafilatura.settings import use_config

    config = use_config()
    # htmldate's extensive search guesses a date from any date-like text on the page; the
    # archive takes only a date the page states as its own (a date is only as precise as its source).
    config.set("DEFAULT", "EXTENSIVE_DATE_SEARCH", "off")
    return config


def extract(original):
    """The main text and metadata of `original`. Raises DocumentError when there is no article."""
    if not original.content.strip():
        raise DocumentError("The document is empty: there is nothing to add.")
    if original.is_html:
        extracted = extract_html(original)
    else:
        extracted = Extracted(text=decoded(original.content))
    refuse_what_is_not_text(extracted.text)
    paragraphs, extracted.removed = without_boilerplate(extracted.text)
    extracted.text = "\n\n".join(paragraphs)
    if len(re.findall(r"\w+", extracted.text)) < MINIMUM_WORDS:
        raise DocumentError(
            "No article text was found in this document (fewer than "
            f"{MINIMUM_WORDS} words once the site's menus and boilerplate are left out): "
            "is it an article, or a home page, a list of links or an error page?"
        )
    if not extracted.title and not original.is_html:
        extracted.title = headline_of(paragraphs)
    extracted.language, extracted.language_certainty = language_of(extracted.text)
    return extracted


def extract_html(original):
    document = trafilatura().bare_extraction(
        original.content,
        url=original.origin if original.origin.startswith(("http://", "https://")) else None,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
        config=extraction_config(),
    )
    if document is None or not (document.text or "").strip():
        raise DocumentError(
            "No article text was found on this page: it may be a home page, a list of links or an "
            "error page. Save the article's own page, or paste its text."
        )
    published = FuzzyDate(Precision.UNKNOWN)
    if document.date:
        try:
            published = FuzzyDate.parse(document.date)
        except ValueError:
            pass  # a date htmldate could not make whole is no date; the editor sees it unknown
    return Extracted(
        text=normalized(document.text),
        title=(document.title or "").strip(),
        author=(document.author or "").strip(),
        outlet=(document.sitename or "").strip(),
        url=document.url or (original.origin if original.origin.startswith(("http://", "https://")) else ""),
        published=published,
    )


def refuse_what_is_not_text(text):
    """Binary data read as text comes out as NUL characters (which PostgreSQL cannot store in
    text) or as U+FFFD, the character that stands for bytes no encoding could read."""
    if "\x00" in text:
        raise DocumentError("The document holds NUL characters: it is a binary file, not a page or a text.")
    if text.count("\ufffd") > max(len(text) // 100, 3):
        raise DocumentError("Much of the document cannot be read as text in any encoding: is it a binary file?")


def decoded(content):
    try:
        return normalized(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise DocumentError("The text is not in UTF-8: save it as UTF-8 text and try again.") from None


def without_boilerplate(text):
    """(The paragraphs of `text` to keep, the paragraphs dropped): boilerplate, and a paragraph
    repeated right after itself (a headline or a caption shown twice)."""
    kept, removed = [], []
    for paragraph in (part.strip() for part in re.split(r"\n", text)):
        if not paragraph:
            continue
        if BOILERPLATE.match(paragraph) or (kept and paragraph == kept[-1]):
            removed.append(paragraph)
        else:
            kept.append(paragraph)
    return kept, removed


def headline_of(paragraphs):
    """A plain text's first paragraph if it reads as a headline (short, not a sentence), else ""."""
    first = paragraphs[0] if paragraphs else ""
    if len(first.split()) <= 25 and not first.endswith((".", "!", "?", "”", '"', ":")):
        return first
    return ""


@functools.cache
def language_identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def language_of(text):
    """(The language `text` is most likely in, as an ISO 639-1 code, how sure that is from 0 to 1)."""
    language, certainty = language_identifier().classify(text[:20000])
    return language, float(certainty)


# Duplicates

TRACKING_PARAMETER = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|mc_cid|mc_eid|ocid|cmpid|at_medium|at_campaign)$", re.I)


def normalized_url(url):
    """`url` as the same page's other addresses would be: scheme and host in lower case, no
    default port, no fragment, no tracking parameters, the rest of the query sorted, and no
    trailing slash."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    scheme = parts.scheme.lower()
    if port and not (scheme, port) in {("http", 80), ("https", 443)}:
        host = f"{host}:{port}"
    query = sorted((key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMETER.match(key))
    # http and https are one page: a site moving to https does not make its articles new.
    return urlunsplit(("https" if scheme in ("http", "https") else scheme, host, parts.path.rstrip("/"), urlencode(query), ""))


@dataclass(frozen=True)
class Duplicate:
    source: Source
    reason: str


# At most this many sources are compared with a new document, so a check costs the same however
# large the archive; past it, the editor is told what was not compared and how to look.
COMPARED_BY_ADDRESS = 200
COMPARED_BY_TEXT = 20


def same_address(url, exclude=None):
    """(The sources whose address is `url` once both are normalised, whether more sources than
    were compared may share its host and last path segment)."""
    if not url:
        return [], False
    wanted = normalized_url(url)
    parts = urlsplit(wanted)
    candidates = Source.objects.exclude(url="").filter(url__icontains=parts.hostname or "").exclude(pk=exclude)
    last_segment = parts.path.rsplit("/", 1)[-1]
    if last_segment:
        candidates = candidates.filter(url__icontains=last_segment)
    candidates = list(candidates.only("pk", "slug", "title", "url").order_by("pk")[: COMPARED_BY_ADDRESS + 1])
    found = [source for source in candidates[:COMPARED_BY_ADDRESS] if normalized_url(source.url) == wanted]
    return found, len(candidates) > COMPARED_BY_ADDRESS


def phrases(text, limit=20000):
    """The three-word phrases of `text`'s first `limit` words, in lower case: bounded, whatever its length."""
    words = re.findall(r"\w+", text.lower())[:limit]
    return {tuple(words[index : index + 3]) for index in range(len(words) - 2)}


def probes(text, count=5):
    """Up to `count` runs of words from across `text`, long enough that a source containing one
    is likely to share more: each the longest stretch of a sentence without punctuation."""
    runs = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        run = max(re.split(r"[^\w ]+", sentence), key=len).strip()
        if len(run.split()) >= 6:
            runs.append(run[:200].rsplit(" ", 1)[0] if len(run) > 200 else run)
    if len(runs) <= count:
        return runs
    step = len(runs) / count
    return [runs[int(index * step)] for index in range(count)]


def nearly_same_text(text, exclude=None):
    """(The sources whose text shares most of its three-word phrases with `text`, each with the
    share; whether more sources than were compared contain one of the runs compared).

    Only sources that contain one of a few runs of `text`'s words are compared, so the cost is
    bounded by `probes` and COMPARED_BY_TEXT, not by the number of sources.
    """
    runs = probes(text)
    if not runs:
        return [], False
    condition = Q()
    for run in runs:
        condition |= Q(text__contains=run)
    candidates = list(
        Source.objects.filter(condition).exclude(pk=exclude).only("pk", "slug", "title", "text").order_by("pk")[
            : COMPARED_BY_TEXT + 1
        ]
    )
    mine = phrases(text)
    found = []
    for source in candidates[:COMPARED_BY_TEXT]:
        theirs = phrases(source.text)
        longer = max(len(mine), len(theirs))
        share = len(mine & theirs) / longer if longer else 0
        if share >= NEAR_DUPLICATE_SHARE:
            found.append((source, share))
    return found, len(candidates) > COMPARED_BY_TEXT


def duplicates_of(url, text, exclude=None):
    """(What in the archive this document may already be, each with why; what was not compared,
    in sentences for the editor)."""
    at_address, more_at_address = same_address(url, exclude)
    found = [Duplicate(source, "is already in the archive at the same address") for source in at_address]
    similar, more_similar = nearly_same_text(text, exclude)
    for source, share in similar:
        if not any(duplicate.source.pk == source.pk for duplicate in found):
            found.append(Duplicate(source, f"has nearly the same text ({share:.0%} of the longer text's wording in common)"))
    not_compared = []
    if more_at_address:
        not_compared.append(
            f"More than {COMPARED_BY_ADDRESS} sources have an address like this one; only the first "
            f"{COMPARED_BY_ADDRESS} were compared with it: search the sources for its address to see them all."
        )
    if more_similar:
        not_compared.append(
            f"More than {COMPARED_BY_TEXT} sources share passages with this text; only the first "
            f"{COMPARED_BY_TEXT} were compared with it: search the sources for a sentence of it to see them all."
        )
    return found, not_compared


def warnings_for(url, text, language=None):
    """What an editor must see, and accept, before this document is saved: duplicates and language."""
    duplicates, not_compared = duplicates_of(url, text)
    warnings = [(f"“{duplicate.source.title}” {duplicate.reason}.", duplicate.source) for duplicate in duplicates]
    warnings += [(sentence, None) for sentence in not_compared]
    language, certainty = language or language_of(text)
    if language != "en" and certainty >= LANGUAGE_CERTAINTY:
        warnings.append(
            (
                f"The text looks like it is not in English (language “{language}”, {certainty:.0%} sure); "
                "the archive is in English, and its quotes are checked word for word against the text.",
                None,
            )
        )
    return warnings


# Saving


def free_slug(title):
    base = slugify(title)[:100] or "document"
    slug, number = base, 1
    while Source.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def save_document(original, fields, user=None):
    """Stores the Source made of `fields` (the checked form's values) and its original, in one
    transaction: both, or neither. Raises django's ValidationError if the source is refused."""
    with transaction.atomic():
        fields = dict(fields)
        published = fields.pop("published", None) or FuzzyDate(Precision.UNKNOWN)
        source = Source(slug=free_slug(fields["title"]), **fields, **published.as_fields("published"))
        source.full_clean()
        source._history_user = user
        source._change_reason = f"Added from a document: {original.origin}"
        source.save()
        kept = SourceOriginal(
            source=source,
            content=original.content,
            content_type=original.content_type[:100],
            sha256=original.sha256,
            origin=original.origin[:500],
            received_at=original.received_at,
        )
        kept._history_user = user
        kept.save()
    return source


def page_after_adding(source):
    """Where an editor goes once a document is saved: the page to work on it, where the site has
    one, else its admin page."""
    try:
        return reverse("work_on_source", args=[source.slug])
    except NoReverseMatch:
        return reverse("admin:events_source_change", args=[source.pk])
