"""Bringing in a document: extraction, bad input, duplicates, the admin's two steps and the command."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.urls import path, reverse

import diplo.urls
from events import ingest
from events.models import Source, SourceOriginal
from tests.factories import make_source
from tests.helpers import ROOT, run_django, text_of

DOCUMENTS = Path(__file__).parent / "documents"
MB = 1024 * 1024

pytestmark = pytest.mark.django_db


def extracted(name):
    return ingest.extract(ingest.original_from_path(DOCUMENTS / name))


# What is extracted from pages of several shapes


def test_a_news_article_keeps_its_paragraphs_and_metadata_and_drops_the_sites_boilerplate():
    document = extracted("news_article.html")
    assert document.title == "Envoys agree to resume fisheries talks"
    assert document.author == "Alex Placeholder"
    assert document.outlet == "The Example Courier"
    assert document.url == "https://courier.example/world/envoys-agree-to-resume-fisheries-talks"
    assert str(document.published) == "5 March 2024"
    assert "Two coastal states agreed on Tuesday to resume talks on fishing quotas" in document.text
    assert "“We have disagreed for too long about matters on which we share an interest,”" in document.text
    assert "monitoring of catches, which both governments have said must be checked independently." in document.text
    for boilerplate in ("Your support helps us", "Donate now", "Sign up", "Share on Facebook", "Read more", "More from World", "All rights reserved", "Politics"):
        assert boilerplate not in document.text


def test_a_blog_post_leaves_out_its_sidebar():
    document = extracted("blog_post.html")
    assert document.title == "Notes from the committee hearing on export controls"
    assert document.author == "Sam Sample"
    assert document.outlet == "A Placeholder Blog"
    assert str(document.published) == "21 November 2023"
    assert "drew visible surprise from the chair." in document.text
    for sidebar in ("Recent Posts", "Subscribe to Blog", "Enter your email address", "Archives", "On tariffs and timing", "Share this"):
        assert sidebar not in document.text


def test_a_press_release_keeps_its_notes_to_editors_and_leaves_out_the_sites_menus():
    document = extracted("press_release.html")
    assert document.title == "Ministry announces review of consular fees"
    assert document.outlet == "Ministry of Examples"
    assert str(document.published) == "14 June 2022"
    assert document.author == ""
    assert "“Fees have not been reviewed for some years, and we want to be sure that they are fair" in document.text
    assert "terms of reference will be published" in document.text
    for menu in ("Skip to main content", "About us", "Privacy", "Cookies", "Share this page"):
        assert menu not in document.text


def test_paragraphs_are_kept_apart_by_a_blank_line_as_the_archives_texts_are():
    assert "\n\nThe envoys described the three-hour meeting" in extracted("news_article.html").text


def test_a_plain_text_keeps_its_words_and_lists_the_boilerplate_it_left_out_in_the_notes():
    text = (
        "Stay up to date with notifications from The Example Courier\n\n"
        "Envoys agree to resume fisheries talks\n\n"
        + "Two coastal states agreed on Tuesday to resume talks on fishing quotas, their envoys said. " * 4
        + "\n\nThank you for registering\n"
    )
    original = ingest.original_from_paste(text)
    document = ingest.extract(original)
    assert document.title == "Envoys agree to resume fisheries talks"
    assert document.text.startswith("Envoys agree to resume fisheries talks\n\nTwo coastal states")
    assert "Thank you for registering" not in document.text
    notes = document.notes(original)
    assert "“Stay up to date with notifications from The Example Courier”" in notes
    assert "“Thank you for registering”" in notes


def test_the_five_seeds_come_out_with_the_opening_paragraph_of_their_source(archive):
    for source in Source.objects.exclude(seed_file="").order_by("seed_file"):
        document = ingest.extract(ingest.original_from_path(ROOT / "fixtures" / "seeds" / source.seed_file))
        first_paragraph = source.text.split("\n\n")[0]
        assert first_paragraph in document.text, source.seed_file
        assert "Your support helps us to tell the story" not in document.text, source.seed_file
        assert document.is_english


def test_each_seed_added_again_is_flagged_as_nearly_the_same_as_its_source(archive):
    for source in Source.objects.exclude(seed_file="").order_by("seed_file"):
        document = ingest.extract(ingest.original_from_path(ROOT / "fixtures" / "seeds" / source.seed_file))
        duplicates, _ = ingest.duplicates_of("", document.text)
        assert [duplicate.source for duplicate in duplicates] == [source], source.seed_file


# Bad input: a clear message, nothing saved


def test_an_empty_file_is_refused():
    with pytest.raises(ingest.DocumentError, match="The document is empty"):
        ingest.extract(ingest.Original(content=b"  \n", content_type="text/html", origin="empty.html"))


def test_a_page_with_no_article_is_refused():
    with pytest.raises(ingest.DocumentError, match="No article text was found"):
        extracted("not_an_article.html")


def test_a_text_not_in_utf8_is_refused():
    original = ingest.Original(content="Café ".encode("latin-1") * 40, content_type="text/plain", origin="old.txt")
    with pytest.raises(ingest.DocumentError, match="not in UTF-8"):
        ingest.extract(original)


def test_a_binary_file_under_a_text_name_is_refused():
    for content, content_type in [(b"<html>" + bytes(range(256)) * 40, "text/html"), (b"words \x00" * 50, "text/plain")]:
        with pytest.raises(ingest.DocumentError, match="binary file"):
            ingest.extract(ingest.Original(content=content, content_type=content_type, origin="image.html"))


def test_a_file_of_another_kind_is_refused(tmp_path):
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    with pytest.raises(ingest.DocumentError, match="not a .html, .htm or .txt file"):
        ingest.original_from_path(pdf)


def test_a_50_mb_file_is_refused_by_its_size_before_it_is_read(tmp_path):
    huge = tmp_path / "huge.html"
    with huge.open("wb") as file:
        file.truncate(50 * MB)  # sparse: nothing is written, and nothing need be read
    with pytest.raises(ingest.DocumentError, match="is 50.0 MB, larger than the 5.0 MB a document may be"):
        ingest.original_from_path(huge)


def test_a_page_in_french_is_recognised_and_warned_of():
    document = extracted("french_article.html")
    assert document.language == "fr"
    assert not document.is_english
    [(message, source)] = ingest.warnings_for(document.url, document.text, (document.language, document.language_certainty))
    assert "not in English" in message and source is None


# Duplicates


@pytest.mark.parametrize(
    "address",
    [
        "https://courier.example/world/talks",
        "HTTPS://Courier.Example/world/talks/",
        "http://www.courier.example/world/talks",
        "https://courier.example/world/talks?utm_source=newsletter&utm_medium=email",
        "https://courier.example:443/world/talks#comments",
        "https://courier.example/world/talks?fbclid=abc",
    ],
)
def test_the_same_page_at_another_form_of_its_address_is_the_same_address(address):
    assert ingest.normalized_url(address) == ingest.normalized_url("https://courier.example/world/talks")


def test_a_different_page_or_query_is_a_different_address():
    assert ingest.normalized_url("https://courier.example/world/talks?page=2") != ingest.normalized_url(
        "https://courier.example/world/talks"
    )
    assert ingest.normalized_url("https://courier.example/world/talks-2") != ingest.normalized_url(
        "https://courier.example/world/talks"
    )


def test_a_source_at_the_same_address_is_found():
    existing = make_source(title="Talks", url="https://courier.example/world/talks/")
    [duplicate], not_compared = ingest.duplicates_of("http://courier.example/world/talks?utm_campaign=x", "Unrelated words.")
    assert not_compared == []
    assert duplicate.source == existing
    assert "same address" in duplicate.reason


def test_a_source_with_nearly_the_same_text_is_found_and_a_different_one_is_not():
    document = extracted("news_article.html")
    edited = document.text.replace("three-hour", "two-hour").replace("Tuesday", "Wednesday")
    existing = make_source(title="Fisheries", text=edited)
    make_source(title="Other", text=extracted("blog_post.html").text)
    [duplicate], _ = ingest.duplicates_of("", document.text)
    assert duplicate.source == existing
    assert "nearly the same text" in duplicate.reason


def test_a_source_that_quotes_one_sentence_of_the_text_is_not_a_duplicate():
    document = extracted("news_article.html")
    sentence = document.text.split("\n\n")[1]
    make_source(title="Follow-up", text=f"Last week: {sentence} Since then, much has changed in the harbour. " * 1)
    assert ingest.duplicates_of("", document.text) == ([], [])


def test_the_editor_is_told_when_more_sources_share_passages_than_were_compared(monkeypatch):
    monkeypatch.setattr(ingest, "COMPARED_BY_TEXT", 2)
    document = extracted("news_article.html")
    sentence = document.text.split("\n\n")[1]
    for number in range(3):
        make_source(title=f"Follow-up {number}", text=f"Report {number}: {sentence}")
    duplicates, [not_compared] = ingest.duplicates_of("", document.text)
    assert duplicates == []
    assert "More than 2 sources share passages with this text; only the first 2 were compared" in not_compared


# The admin's two steps


def upload(name, content=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content if content is not None else (DOCUMENTS / name).read_bytes())


ADD = "/admin/events/source/add-document/"


def test_the_sources_list_has_an_add_a_document_button(client, editor):
    response = client.get(reverse("admin:events_source_changelist"))
    assert f'href="{ADD}"' in response.content.decode()
    assert "Add a document" in text_of(response)


def test_an_editor_extracts_reviews_and_saves_a_document_and_nothing_is_saved_before_confirming(client, editor):
    response = client.post(ADD, {"upload": upload("news_article.html"), "kind": "news_article"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form["title"].value() == "Envoys agree to resume fisheries talks"
    assert form["published"].value() == "5 March 2024"
    assert form["author"].value() == "Alex Placeholder"
    assert Source.objects.count() == 0 and SourceOriginal.objects.count() == 0

    data = {name: form[name].value() or "" for name in form.fields if name != "save_anyway"}
    data["title"] = "Envoys agree to resume fisheries talks in Exampleport"  # the editor's correction
    response = client.post(ADD, data)
    source = Source.objects.get()
    assert response.status_code == 302
    assert response["Location"] == ingest.page_after_adding(source)
    assert source.title == "Envoys agree to resume fisheries talks in Exampleport"
    assert str(source.published) == "5 March 2024"
    assert source.outlet == "The Example Courier"
    assert source.url == "https://courier.example/world/envoys-agree-to-resume-fisheries-talks"
    assert source.text.startswith("Envoys agree to resume fisheries talks\n\nTwo coastal states")
    assert "Added from news_article.html" in source.notes
    assert bytes(source.original.content) == (DOCUMENTS / "news_article.html").read_bytes()
    assert source.original.sha256 == ingest.Original((DOCUMENTS / "news_article.html").read_bytes(), "", "").sha256
    [version] = source.history.all()
    assert version.history_user == editor
    assert version.history_change_reason == "Added from a document: news_article.html"
    assert source.original.history.get().history_user == editor


def work_on_source(request, slug):
    return HttpResponse(slug)


urlpatterns = [*diplo.urls.urlpatterns, path("sources/<slug:slug>/work/", work_on_source, name="work_on_source")]


@pytest.mark.urls("tests.admin_only_urls")
def test_after_saving_the_editor_goes_to_the_sources_admin_page_where_the_site_has_no_page_to_work_on_it():
    source = make_source()
    assert ingest.page_after_adding(source) == f"/admin/events/source/{source.pk}/change/"


@pytest.mark.urls("tests.test_add_document")
def test_after_saving_the_editor_goes_to_work_on_the_document_where_the_site_has_that_page():
    source = make_source()
    assert ingest.page_after_adding(source) == f"/sources/{source.slug}/work/"


def test_the_original_is_shown_as_text_and_downloaded_byte_for_byte_from_the_sources_page(client, editor):
    content = (DOCUMENTS / "press_release.html").read_bytes()
    source = ingest.save_document(
        ingest.Original(content, "text/html", "press_release.html"),
        {"title": "Consular fees", "kind": "press_release", "text": "The review will report by the end of the year."},
    )
    page = client.get(reverse("admin:events_source_change", args=[source.pk]))
    assert "View as text" in text_of(page) and "from press_release.html" in text_of(page)
    shown = client.get(reverse("admin:events_source_original", args=[source.pk]))
    assert shown["Content-Type"].startswith("text/plain") and shown.content == content
    downloaded = client.get(reverse("admin:events_source_original", args=[source.pk]) + "?download=1")
    assert downloaded.content == content
    assert "attachment" in downloaded["Content-Disposition"]


def test_a_seed_source_says_its_original_is_its_seed_file(client, editor):
    source = make_source(seed_file="000_example.txt")
    page = client.get(reverse("admin:events_source_change", args=[source.pk]))
    assert "None kept in the archive: a seed document's file is named above." in text_of(page)


def test_the_admin_refuses_an_empty_file_saying_so(client, editor):
    response = client.post(ADD, {"upload": upload("empty.txt", b""), "kind": "news_article"})
    # Django refuses an empty upload itself, before extraction: the message is its own.
    assert response.status_code == 400
    assert "The submitted file is empty." in text_of(response)
    assert Source.objects.count() == 0


def test_the_admin_refuses_a_page_with_no_article(client, editor):
    response = client.post(ADD, {"upload": upload("not_an_article.html"), "kind": "news_article"})
    assert response.status_code == 400
    assert "No article text was found" in text_of(response)
    assert Source.objects.count() == 0


class EndlessUpload(io.RawIOBase):
    """A request body that claims 50 MB and counts how much of it is read."""

    def __init__(self):
        self.read_so_far = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        self.read_so_far += len(buffer)
        buffer[:] = b"x" * len(buffer)
        return len(buffer)


def test_the_admin_refuses_a_50_mb_upload_before_reading_it(client, editor):
    body = EndlessUpload()
    response = client.generic(
        "POST",
        ADD,
        b"-",
        content_type="multipart/form-data; boundary=XYZ",
        CONTENT_LENGTH=str(50 * MB),
        **{"wsgi.input": body},
    )
    assert response.status_code == 413
    assert "What was sent is 50.0 MB, larger than the 5.0 MB a document may be" in text_of(response)
    assert body.read_so_far < MB
    assert Source.objects.count() == 0


def test_the_admin_asks_for_one_way_to_give_the_document(client, editor):
    response = client.post(ADD, {"kind": "news_article"})
    assert response.status_code == 400
    assert "Give a URL, a file or pasted text." in text_of(response)
    response = client.post(ADD, {"kind": "news_article", "pasted": "Some words", "url": "https://courier.example/a"})
    assert "Give the document one way" in text_of(response)


def review_data(response, **changes):
    form = response.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name != "save_anyway"}
    data.update(changes)
    return data


def test_a_duplicate_is_flagged_with_a_link_and_saved_only_when_the_editor_says_so(client, editor):
    existing = make_source(title="Fisheries talks", url="https://courier.example/world/envoys-agree-to-resume-fisheries-talks/")
    response = client.post(ADD, {"upload": upload("news_article.html"), "kind": "news_article"})
    assert "“Fisheries talks” is already in the archive at the same address." in text_of(response)
    assert reverse("admin:events_source_change", args=[existing.pk]) in response.content.decode()

    refused = client.post(ADD, review_data(response))
    assert refused.status_code == 400
    assert "tick “Save anyway”" in text_of(refused)
    assert Source.objects.count() == 1

    saved = client.post(ADD, review_data(response, save_anyway="on"))
    assert saved.status_code == 302
    assert Source.objects.count() == 2


def test_a_page_in_another_language_needs_the_editors_word(client, editor):
    response = client.post(ADD, {"upload": upload("french_article.html"), "kind": "news_article"})
    assert "not in English" in text_of(response)
    assert client.post(ADD, review_data(response)).status_code == 400
    assert Source.objects.count() == 0
    assert client.post(ADD, review_data(response, save_anyway="on")).status_code == 302


def test_a_date_the_editor_mistypes_is_refused_beside_its_field_and_nothing_is_saved(client, editor):
    response = client.post(ADD, {"upload": upload("blog_post.html"), "kind": "news_article"})
    refused = client.post(ADD, review_data(response, published="31 February 2023"))
    assert refused.status_code == 400
    assert "is not a real date" in text_of(refused)
    assert Source.objects.count() == 0
    saved = client.post(ADD, review_data(response, published="November 2023"))
    assert saved.status_code == 302
    assert str(Source.objects.get().published) == "November 2023"


def test_a_review_whose_original_is_no_longer_held_is_refused(client, editor):
    response = client.post(ADD, {"upload": upload("blog_post.html"), "kind": "news_article"})
    refused = client.post(ADD, review_data(response, original="0" * 64))
    assert refused.status_code == 400
    assert "no longer held for you" in text_of(refused)
    assert Source.objects.count() == 0


def test_a_pasted_text_is_added_and_its_original_is_what_was_pasted(client, editor):
    pasted = "Envoys agree to resume fisheries talks\n\n" + "The envoys met on Tuesday and agreed to talk again. " * 8
    response = client.post(ADD, {"pasted": pasted, "kind": "statement"})
    assert response.context["form"]["title"].value() == "Envoys agree to resume fisheries talks"
    client.post(ADD, review_data(response))
    source = Source.objects.get()
    assert source.kind == "statement"
    assert source.published_precision == "unknown"
    assert bytes(source.original.content) == pasted.encode()
    assert source.original.origin == "pasted"


def test_someone_who_may_not_add_sources_cannot_add_a_document(client, db):
    from django.contrib.auth.models import User

    user = User.objects.create_user("reader", password="x", is_staff=True)
    client.force_login(user)
    assert client.get(ADD).status_code == 403


# The command


def test_the_command_prints_what_it_found_and_saves_nothing_without_yes():
    output = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was saved: check the above, then run again with --yes"):
        call_command("add_document", str(DOCUMENTS / "press_release.html"), "--kind", "press_release", stdout=output)
    printed = output.getvalue()
    assert "Title:     Ministry announces review of consular fees" in printed
    assert "Published: 14 June 2022" in printed
    assert "“Fees have not been reviewed for some years" in printed
    assert Source.objects.count() == 0


def test_the_command_saves_with_yes():
    output = io.StringIO()
    call_command("add_document", str(DOCUMENTS / "press_release.html"), "--kind", "press_release", "--yes", stdout=output)
    source = Source.objects.get()
    assert source.kind == "press_release"
    assert source.title == "Ministry announces review of consular fees"
    assert bytes(source.original.content) == (DOCUMENTS / "press_release.html").read_bytes()
    assert f"Saved “{source.title}” as source {source.pk}" in output.getvalue()
    assert source.history.count() == 1


def test_the_command_refuses_a_duplicate_without_save_anyway():
    call_command("add_document", str(DOCUMENTS / "blog_post.html"), "--yes", stdout=io.StringIO())
    output = io.StringIO()
    with pytest.raises(CommandError, match="add --save-anyway"):
        call_command("add_document", str(DOCUMENTS / "blog_post.html"), "--yes", stdout=output)
    assert "Warning: “Notes from the committee hearing on export controls” has nearly the same text" in output.getvalue()
    assert Source.objects.count() == 1


def test_the_command_refuses_bad_input_clearly(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="The document is empty"):
        call_command("add_document", str(empty), "--yes", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No article text was found"):
        call_command("add_document", str(DOCUMENTS / "not_an_article.html"), "--yes", stdout=io.StringIO())
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("add_document", str(tmp_path / "missing.html"), "--yes", stdout=io.StringIO())
    assert Source.objects.count() == 0


def test_the_command_asks_for_a_title_where_the_text_has_none(tmp_path):
    text = tmp_path / "statement.txt"
    text.write_text("The envoys met on Tuesday and agreed to talk again about the fishing quotas. " * 5)
    with pytest.raises(CommandError, match="give one with --title"):
        call_command("add_document", str(text), "--yes", stdout=io.StringIO())
    call_command("add_document", str(text), "--yes", "--title", "Envoys agree to talk again", stdout=io.StringIO())
    source = Source.objects.get()
    assert source.title == "Envoys agree to talk again" and source.title_by_archive


def test_the_original_of_a_source_that_does_not_exist_is_not_found(client, editor):
    for key in ("12345", "abc", "9" * 30):
        assert client.get(f"/admin/events/source/{key}/original/").status_code == 404


def test_a_source_refused_as_its_original_is_saved_leaves_nothing_half_saved(monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(SourceOriginal, "save", fail)
    with pytest.raises(RuntimeError):
        ingest.save_document(
            ingest.Original(b"<p>Words</p>", "text/html", "a.html"),
            {"title": "Consular fees", "kind": "press_release", "text": "The review will report by the end of the year."},
        )
    assert Source.objects.count() == 0


def test_a_paste_longer_than_a_form_may_carry_is_refused_with_what_to_do_instead(client, editor, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(ADD, {"pasted": "The envoys met. " * 200, "kind": "news_article"})
    assert response.status_code == 413
    assert "upload the document as a .txt or .html file, or add it with manage.py add_document" in text_of(response)
    assert Source.objects.count() == 0


def test_documents_held_for_review_are_bounded_by_one_documents_size(client, editor, settings):
    settings.DIPLO_DOCUMENT_MAX_BYTES = 5000
    first = client.post(ADD, {"upload": upload("blog_post.html"), "kind": "news_article"})  # 2,334 bytes
    second = client.post(ADD, {"upload": upload("press_release.html"), "kind": "news_article"})  # 1,643 bytes
    third = client.post(ADD, {"upload": upload("news_article.html"), "kind": "news_article"})  # 2,345 bytes
    # The newest two fit in 5,000 bytes; the oldest was let go, and saying so is all it can do.
    assert "no longer held for you" in text_of(client.post(ADD, review_data(first)))
    assert client.post(ADD, review_data(third)).status_code == 302
    assert client.post(ADD, review_data(second)).status_code == 302
    assert Source.objects.count() == 2


@pytest.mark.slow
def test_a_worker_loads_the_extraction_library_only_when_a_document_is_added():
    # trafilatura and lxml are some 25 MB of a worker, and most workers never add a document.
    loaded = "import sys; print('trafilatura' in sys.modules)"
    code = f"from django.urls import resolve; import events.admin_documents; resolve('/'); {loaded}\n"
    code += f"from events import ingest; ingest.extraction_config(); {loaded}"

    result = run_django(code)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]
