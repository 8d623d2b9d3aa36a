"""Adds a document to the archive from a file or a URL, as the admin's "Add a document" does.

    manage.py add_document article.html                 # prints what it found; saves nothing
    manage.py add_document article.html --yes           # saves it, with its original
    manage.py add_document https://example.org/a --kind press_release --yes

It prints the title, author, outlet, address, date and text it extracted, what it left out,
and any warning (a source already at that address or with nearly the same text, a text not in
English). Without --yes nothing is saved and it says so (exit status 1); with a warning, --yes
also needs --save-anyway. Give --title where the document has no headline of its own (the
title is then marked as written by the archive).
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from events import ingest
from events.fetch import FetchError
from events.models import Source


class Command(BaseCommand):
    help = "Adds a document (a .html/.txt file or a URL) as a source, after showing what was extracted."

    def add_arguments(self, parser):
        parser.add_argument("document", help="A .html, .htm or .txt file, or an http(s) URL.")
        parser.add_argument("--kind", choices=Source.Kind.values, default=Source.Kind.NEWS_ARTICLE)
        parser.add_argument("--title", help="The title, where the document has no headline (written by the archive).")
        parser.add_argument("--yes", action="store_true", help="Save it: without this, nothing is saved.")
        parser.add_argument("--save-anyway", action="store_true", help="Save it despite a duplicate or language warning.")

    def handle(self, document, kind, title, yes, save_anyway, **options):
        try:
            if document.startswith(("http://", "https://")):
                original = ingest.original_from_url(document)
            else:
                original = ingest.original_from_path(Path(document))
            extracted = ingest.extract(original)
        except (ingest.DocumentError, FetchError) as error:
            raise CommandError(f"{error} Nothing was saved.") from None

        self.show(original, extracted, kind, title)
        warnings = ingest.warnings_for(extracted.url, extracted.text, (extracted.language, extracted.language_certainty))
        for message, source in warnings:
            where = f" (/admin/events/source/{source.pk}/change/)" if source else ""
            self.stdout.write(f"Warning: {message}{where}")

        if not (title or extracted.title):
            raise CommandError("No title was found in the document: give one with --title. Nothing was saved.")
        if not yes:
            raise CommandError("Nothing was saved: check the above, then run again with --yes to save it.")
        if warnings and not save_anyway:
            raise CommandError("Nothing was saved because of the warnings above: add --save-anyway to save it all the same.")
        fields = {
            "title": title or extracted.title,
            "title_by_archive": bool(title),
            "kind": kind,
            "outlet": extracted.outlet,
            "author": extracted.author,
            "url": extracted.url,
            "published": extracted.published,
            "text": extracted.text,
            "notes": extracted.notes(original),
        }
        try:
            source = ingest.save_document(original, fields)
        except ValidationError as error:
            problems = "; ".join(f"{name}: {' '.join(texts)}" for name, texts in error.message_dict.items())
            raise CommandError(f"The source was refused ({problems}). Nothing was saved.") from None
        self.stdout.write(f"Saved “{source.title}” as source {source.pk} (/sources/{source.slug}/), with its original.")

    def show(self, original, extracted, kind, title):
        write = self.stdout.write
        write(f"From:      {original.origin} ({original.content_type}, {ingest.describe_size(len(original.content))})")
        write(f"Title:     {title or extracted.title or '(none found)'}")
        write(f"Kind:      {Source.Kind(kind).label}")
        write(f"Author:    {extracted.author or '(none found)'}")
        write(f"Outlet:    {extracted.outlet or '(none found)'}")
        write(f"URL:       {extracted.url or '(none found)'}")
        write(f"Published: {extracted.published}")
        write(f"Language:  {extracted.language} ({extracted.language_certainty:.0%} sure)")
        for paragraph in extracted.removed:
            write(f"Left out:  {ingest.shortened(paragraph)}")
        write("Text:")
        write(extracted.text)
        write("")
