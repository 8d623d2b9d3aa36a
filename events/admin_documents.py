"""The admin's "Add a document": extract, review, then save (events/ingest.py does the work).

Between the two steps the original is held in the editor's session, not in the archive: nothing
is saved until the editor confirms, and what is saved then is the original exactly as it was
received, not a copy sent back by the browser (which would turn its line breaks into CRLF).
"""

import base64
import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from . import ingest
from .admin import is_a_key
from .dates import ACCEPTED_FORMS, FuzzyDate
from .fetch import FetchError
from .models import Source
from .text import NormalizedCharField

# Documents held for review in one session (several tabs); extracting another past this forgets
# the oldest. Their bytes together are also held to one document's limit, since the session is
# read on every page the editor opens until they are saved.
HELD_DOCUMENTS = 3
SESSION_KEY = "documents_for_review"
# What a multipart form adds around the file it carries: its other fields and boundaries.
FORM_OVERHEAD = 64 * 1024


class DocumentForm(forms.Form):
    """Step one: where the document comes from, one of three ways."""

    url = forms.URLField(
        label="URL",
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "vURLField"}),
        help_text="The article's address; the server fetches it.",
    )
    upload = forms.FileField(label="File", required=False, help_text="A page saved as .html or .htm, or a .txt file.")
    pasted = forms.CharField(
        label="Or paste it",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80}),
        help_text="The page's HTML source, or the article's plain text.",
    )
    kind = forms.ChoiceField(choices=Source.Kind.choices, initial=Source.Kind.NEWS_ARTICLE)

    def clean(self):
        cleaned_data = super().clean()
        given = [name for name in ("url", "upload", "pasted") if cleaned_data.get(name)]
        if len(given) != 1 and not self.errors:
            raise ValidationError(
                "Give the document one way: a URL, a file or pasted text." if given else "Give a URL, a file or pasted text."
            )
        return cleaned_data

    def original(self):
        """The document as received. Raises DocumentError or FetchError."""
        if self.cleaned_data["url"]:
            return ingest.original_from_url(self.cleaned_data["url"])
        if self.cleaned_data["upload"]:
            return ingest.original_from_upload(self.cleaned_data["upload"])
        return ingest.original_from_paste(self.cleaned_data["pasted"])


class ReviewForm(forms.Form):
    """Step two: what was extracted, for the editor to correct before anything is saved."""

    original = forms.CharField(widget=forms.HiddenInput)  # the sha256 of the original held in the session
    title = forms.CharField(max_length=300, widget=forms.TextInput(attrs={"class": "vTextField"}))
    title_by_archive = forms.BooleanField(
        label="Title written by the archive", required=False, help_text=Source._meta.get_field("title_by_archive").help_text
    )
    kind = forms.ChoiceField(choices=Source.Kind.choices)
    outlet = forms.CharField(
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
        help_text=Source._meta.get_field("outlet").help_text,
    )
    author = forms.CharField(
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
        help_text=Source._meta.get_field("author").help_text,
    )
    url = forms.URLField(
        label="URL", max_length=500, required=False, assume_scheme="https", widget=forms.URLInput(attrs={"class": "vURLField"})
    )
    published = forms.CharField(
        label="Published",
        required=False,
        help_text=f"As precisely as the document gives it: {ACCEPTED_FORMS}. Blank if it gives none.",
    )
    text = NormalizedCharField(
        strip=False, widget=forms.Textarea(attrs={"rows": 24, "cols": 100}), help_text=Source._meta.get_field("text").help_text
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4, "cols": 100}))
    save_anyway = forms.BooleanField(
        label="Save anyway", required=False, help_text="I have read the warnings above and this document should still be added."
    )

    def __init__(self, *args, warnings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings = list(warnings)

    def clean_published(self):
        text = self.cleaned_data["published"].strip()
        try:
            return FuzzyDate.parse(text or None)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError("A source needs its text: it is what citations are checked against.")
        return text

    def clean(self):
        cleaned_data = super().clean()
        if self.warnings and not cleaned_data.get("save_anyway"):
            self.add_error("save_anyway", "Read the warnings above, then tick “Save anyway” to add it all the same.")
        return cleaned_data

    def source_fields(self):
        return {name: self.cleaned_data[name] for name in ("title", "title_by_archive", "kind", "outlet", "author", "url", "published", "text", "notes")}

    def add_model_errors(self, error):
        for name, texts in error.message_dict.items():
            if name.startswith("published"):
                name = "published"
            self.add_error(name if name in self.fields else None, texts)


def hold(request, original):
    held = request.session.get(SESSION_KEY, {})
    held.pop(original.sha256, None)
    held[original.sha256] = {
        "content": base64.b64encode(original.content).decode(),
        "content_type": original.content_type,
        "origin": original.origin,
        "received_at": original.received_at.isoformat(),
    }
    kept, size = {}, 0
    for sha256, document in reversed(list(held.items())[-HELD_DOCUMENTS:]):
        size += len(document["content"]) * 3 // 4
        if kept and size > settings.DIPLO_DOCUMENT_MAX_BYTES:
            break
        kept[sha256] = document
    request.session[SESSION_KEY] = dict(reversed(list(kept.items())))


def held(request, sha256):
    """The original held under `sha256` for this session, or None if it is no longer there."""
    kept = request.session.get(SESSION_KEY, {}).get(sha256)
    if kept is None:
        return None
    return ingest.Original(
        content=base64.b64decode(kept["content"]),
        content_type=kept["content_type"],
        origin=kept["origin"],
        received_at=datetime.datetime.fromisoformat(kept["received_at"]),
    )


def forget(request, sha256):
    held = request.session.get(SESSION_KEY, {})
    held.pop(sha256, None)
    request.session[SESSION_KEY] = held


def add_document_view(model_admin):
    """The view behind "Add a document" on the sources' list, for `model_admin` (SourceAdmin)."""

    @csrf_exempt  # checked below, once the size is known: CSRF's check reads the whole body
    def view(request):
        if not model_admin.has_add_permission(request):
            raise PermissionDenied
        declared = request.META.get("CONTENT_LENGTH") or "0"
        limit = model_admin.document_limit()
        if request.method == "POST" and declared.isdigit() and int(declared) > limit + FORM_OVERHEAD:
            # Refused before a byte of the body is read, so a 50 MB upload costs nothing.
            problem = ingest.too_large(int(declared), "What was sent")
            return start_again(request, model_admin, problem, status=413)
        return csrf_protect(steps)(request, model_admin)

    return view


def steps(request, model_admin):
    try:
        post = request.POST if request.method == "POST" else None
        files = request.FILES if request.method == "POST" else None
    except RequestDataTooBig:
        problem = (
            "What was sent holds more text than a form may carry: upload the document as a .txt or "
            ".html file, or add it with manage.py add_document. Nothing was saved."
        )
        return start_again(request, model_admin, problem, status=413)
    if post is not None and "original" in post:
        return review(request, model_admin, post)
    if post is None:
        return render(request, model_admin, "admin/events/source/add_document.html", {"form": DocumentForm()})
    form = DocumentForm(post, files)
    if not form.is_valid():
        return render(request, model_admin, "admin/events/source/add_document.html", {"form": form}, status=400)
    try:
        original = form.original()
        extracted = ingest.extract(original)
    except (ingest.DocumentError, FetchError) as error:
        form.add_error(None, str(error))
        return render(request, model_admin, "admin/events/source/add_document.html", {"form": form}, status=400)
    hold(request, original)
    initial = {
        "original": original.sha256,
        "title": extracted.title,
        "kind": form.cleaned_data["kind"],
        "outlet": extracted.outlet,
        "author": extracted.author,
        "url": extracted.url,
        "published": str(extracted.published) if extracted.published.is_known else "",
        "text": extracted.text,
        "notes": extracted.notes(original),
    }
    warnings = ingest.warnings_for(extracted.url, extracted.text, (extracted.language, extracted.language_certainty))
    review_form = ReviewForm(initial=initial, warnings=warnings)
    return render_review(request, model_admin, review_form, original, extracted.removed)


def review(request, model_admin, post):
    original = held(request, post.get("original", ""))
    if original is None:
        problem = (
            "The document you were reviewing is no longer held for you (it was saved, or replaced by "
            "later ones): bring it in again. Nothing was saved."
        )
        return start_again(request, model_admin, problem, status=400)
    # The warnings are for the URL and text as the editor has left them, not as extracted.
    text = NormalizedCharField(strip=False, required=False).clean(post.get("text", ""))
    warnings = ingest.warnings_for(post.get("url", "").strip(), text)
    form = ReviewForm(post, warnings=warnings)
    if form.is_valid():
        try:
            source = ingest.save_document(original, form.source_fields(), user=request.user)
        except ValidationError as error:
            form.add_model_errors(error)
        else:
            forget(request, original.sha256)
            model_admin.log_addition(request, source, f"Added from a document: {original.origin}")
            messages.success(request, f"“{source}” was added, with its original kept beside it.")
            return HttpResponseRedirect(ingest.page_after_adding(source))
    # Extracted again, not carried in the form: the same bytes give the same paragraphs left out.
    return render_review(request, model_admin, form, original, ingest.extract(original).removed, status=400)


def start_again(request, model_admin, problem, status):
    """Step one again, blank, saying why."""
    return render(request, model_admin, "admin/events/source/add_document.html", {"form": DocumentForm(), "problem": problem}, status=status)


def render_review(request, model_admin, form, original, removed, status=200):
    context = {"form": form, "original": original, "removed": removed, "size": ingest.describe_size(len(original.content))}
    return render(request, model_admin, "admin/events/source/review_document.html", context, status=status)


def render(request, model_admin, template, context, status=200):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Source._meta,
        "title": "Add a document",
        "limit": ingest.describe_size(model_admin.document_limit()),
        **context,
    }
    return TemplateResponse(request, template, context, status=status)


def original_view(model_admin):
    """The original of a source, byte for byte: shown as plain text (never as a page of this
    site, where its scripts would run), or downloaded with `?download=1`."""

    def view(request, object_id):
        if not is_a_key(Source, object_id):
            raise Http404
        source = get_object_or_404(Source.objects.select_related("original"), pk=object_id)
        if not model_admin.has_view_permission(request, source):
            raise PermissionDenied
        original = getattr(source, "original", None)
        if original is None:
            messages.info(request, f"“{source}” has no original kept in the archive: see its seed file.")
            return HttpResponseRedirect(reverse("admin:events_source_change", args=[source.pk]))
        charset = "utf-8"
        if "charset=" in original.content_type:
            charset = original.content_type.split("charset=")[1].split(";")[0].strip() or charset
        if request.GET.get("download"):
            response = HttpResponse(bytes(original.content), content_type="application/octet-stream")
            extension = "html" if "html" in original.content_type else "txt"
            response["Content-Disposition"] = f'attachment; filename="{slugify(source.slug) or "source"}.{extension}"'
        else:
            response = HttpResponse(bytes(original.content), content_type=f"text/plain; charset={charset}")
        return response

    return view

