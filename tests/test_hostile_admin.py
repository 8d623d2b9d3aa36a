"""Hostile input in the admin: generated values in the fields of every form an editor saves, each
record's own form and the inlines beside it, on its change page and its add page, posted by a
staff user in the editors group. Never a server error, and nothing invalid is ever stored: after
every post each record passes its own checks (`full_clean`) and every quote stands verbatim in
its source (`verify_citations`), and a save the admin refuses leaves the database as it was.

Each form is read from the admin's own page and posted back with some of its fields replaced, so
a field added to a model or an inline is fuzzed with no change here. A normal run posts a few
dozen forms per model; DIPLO_STRESS=1 posts a few hundred:

    DIPLO_STRESS=1 bin/test tests/test_hostile_admin.py
"""

import contextlib
import datetime
import io
import os

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.forms.models import InlineForeignKeyField
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from simple_history.models import HistoricalChanges

from events.models import Event, Organization, Participation, Source

from .factories import (
    cite,
    make_event,
    make_office,
    make_organization,
    make_person,
    make_sanction,
    make_source,
    make_topic,
    relate,
    take_part,
)
from .helpers import form_data

pytestmark = pytest.mark.django_db

# One GET and one POST per example, for each of the models the admin edits: a minute or two
# in all (normal), or about an hour (stress).
settings.register_profile(
    "diplo-admin-normal",
    max_examples=10,
    deadline=None,
    database=None,  # no .hypothesis folder in the checkout; a failure prints its example instead
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("diplo-admin-stress", settings.get_profile("diplo-admin-normal"), max_examples=400)
PROFILE = settings.get_profile("diplo-admin-stress" if os.environ.get("DIPLO_STRESS") == "1" else "diplo-admin-normal")

# Every model edited by an admin form. A Merge has no form: it is made and undone by the merge
# pages, which tests/test_merging.py drives.
EDITED_MODELS = [
    model
    for model in apps.get_app_config("events").get_models()
    if admin.site.is_registered(model) and model._meta.model_name != "merge"
]
# Every record the checks run over: the events app's own models, not their history.
RECORD_MODELS = [
    model for model in apps.get_app_config("events").get_models() if not issubclass(model, HistoricalChanges)
]
# Every table a refused save must leave as it was: the records, their history and the admin's log.
STORED_MODELS = [*apps.get_app_config("events").get_models(include_auto_created=True), LogEntry]

SAVED = 302  # the admin redirects after a save; a refused one shows the form again (200) or is a 400


# A few records of every kind, linked as the archive's are.

ARTICLE = (
    "The Foreign Secretary met Wang Yi in Beijing on Friday.\n\n"
    "They spoke about trade, climate and human rights in Xinjiang and Hong Kong.\n"
    "China announced sanctions on nine British citizens in March 2021.\n"
    "The United Kingdom answered with sanctions on four officials."
)


@pytest.fixture
def world(db):
    """Trees of topics and organizations, people with aliases and an office, events with people,
    topics, quotes and a related event, and a sanction answering another."""
    rights = make_topic("Human rights")
    xinjiang = make_topic("Xinjiang", parent=rights)
    make_topic("Trade")
    government = make_organization("UK Government", kind=Organization.Kind.GOVERNMENT, country="GB")
    office = make_organization("FCDO", parent=government, aliases=["Foreign Office"])
    lammy = make_person("David Lammy", aliases=["Mr Lammy"], country="GB")
    wang = make_person("Wang Yi", country="CN", native_name="王毅")
    foreign_secretary = make_office(lammy, organization=office, start="2024-07-05")
    article = make_source(ARTICLE, title="Lammy in Beijing", published="2024-10-18")
    make_source("A letter that no citation quotes yet, with a line\nor two.", title="A letter")
    meeting = make_event("Lammy meets Wang Yi", topics=[rights, xinjiang], date="2024-10-18", country="CN")
    take_part(meeting, lammy, Participation.Role.VISITOR, office=foreign_secretary)
    take_part(meeting, wang, Participation.Role.HOST, order=1)
    take_part(meeting, office, Participation.Role.MENTIONED, order=2)
    cite(meeting, "met Wang Yi in Beijing", article)
    cite(meeting, "human rights in Xinjiang", article)
    announcement = make_event("China sanctions nine Britons", date="2021-03", kind=Event.Kind.SANCTION_ANNOUNCEMENT)
    relate(meeting, announcement)
    first = make_sanction(lammy, announced="2021-03-26", announced_in=announcement)
    cite(first, "China announced sanctions on nine British citizens", article)
    answer = make_sanction(wang, imposing_country="GB", imposed_by=government, answers=first, announced="2021-03")
    cite(answer, "answered with sanctions on four officials", article)
    cite(foreign_secretary, "The Foreign Secretary met", article)
    assert_nothing_invalid_is_stored()


@pytest.fixture
def editor_in_group(client):
    """A staff user in the editors group (not a superuser), signed in with `client`."""
    call_command("create_groups", stdout=io.StringIO())
    user = User.objects.create_user("group-editor", password="a-long-editor-password", is_staff=True)
    user.groups.add(Group.objects.get(name="editors"))
    client.force_login(user)
    return user


# What is true after any post


def assert_nothing_invalid_is_stored():
    for model in RECORD_MODELS:
        for record in model._base_manager.order_by("pk"):
            try:
                record.full_clean()
            except ValidationError as error:
                pytest.fail(f"{model.__name__} {record.pk} is stored invalid: {error}")
    errors = io.StringIO()
    try:
        call_command("verify_citations", stdout=io.StringIO(), stderr=errors)
    except CommandError as failure:
        pytest.fail(f"{failure}\n{errors.getvalue()}")


def snapshot():
    """Every row of every table a save writes to."""
    return {model._meta.db_table: list(model._base_manager.order_by("pk").values_list()) for model in STORED_MODELS}


@contextlib.contextmanager
def undone_at_the_end():
    """Each example starts from the same records: what it saved is rolled back when it ends."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# Generated values

ABSENT = object()  # the field is left out of the post, as a browser leaves out an unticked box

LINE_BREAKS = ["\n", "\r\n", "\r", "\n\r", "\r\r\n", "\u2028", "\x85"]
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR '1'='1",
    "1; DROP TABLE events_event; --",
    "Robert'); DELETE FROM events_source; --",
    "{{ 7|add:7 }}",
    "{% debug %}",
    "\u202egnp.exe",  # right-to-left override
    "\u202bمرحبا\u202c",
    "\u2066isolate\u2069",
    "\ufeff",
    "\u200b",
    "e\u0301",  # an accent as two code points, which NFC makes one
    "\x00",
    "a\x00b",
    "%00",
    "日本語",
    "𝕏",
    " ",
    "\t",
    "NaN",
    "-0",
    "null",
]
IMPOSSIBLE_DATES = [
    "2024-02-30",
    "2023-02-29",
    "2024-13-01",
    "2024-00-10",
    "0000-01-01",
    "0001-01-01",
    "1799-12-31",
    "1800-01-01",
    "9999-12-31",
    "10000-01-01",
    "-2024-01-01",
    "2024-1-1",
    "24-01-01",
    "2024/01/01",
    "01/02/2024",
    "2024-01-01T00:00",
    "２０２４-01-01",
]
NUMBERS = [0, 1, 2, -1, 2**15, 2**31 - 1, 2**31, 2**63 - 1, 2**63, -(2**63) - 1, 10**40]
JSON_TEXTS = [
    "[]",
    '["native_name", "country"]',
    '["no_such_field"]',
    '{"a": 1}',
    "null",
    '"country"',
    "1",
    "1e999",
    "NaN",
    "-Infinity",
    '["\\u0000"]',
    '["\\ud800"]',
    "[" * 50_000 + "]" * 50_000,  # deeper than Python's parser goes
    "[1,",
    "",
]

without_surrogates = st.characters(exclude_categories=["Cs"])
control_characters = st.text(st.characters(max_codepoint=0x1F) | st.sampled_from("\x7f\x85\u2028\u2029"), min_size=1)
line_break_mixes = st.lists(st.sampled_from([*LINE_BREAKS, "a", "two words", " "]), min_size=1, max_size=12).map(
    "".join
)
long_strings = st.builds(
    lambda piece, times: piece * times,
    st.sampled_from(["x", "é", "a b ", "<", "'", "\x00", "\r\n", "\u202e"]),
    st.integers(100, 20_000),
)
# Up to a megabyte of words all different: more than PostgreSQL's search index of one event holds.
many_words = st.integers(1_000, 150_000).map(lambda count: " ".join(f"w{number}" for number in range(count)))
short_texts = st.text(without_surrogates, max_size=40)
hostile_texts = st.one_of(
    st.sampled_from(HOSTILE), short_texts, control_characters, line_break_mixes, long_strings, many_words, st.just("")
)
texts = st.one_of(hostile_texts, st.builds(str.__add__, hostile_texts, hostile_texts))
slugs = st.from_regex(r"[-a-z0-9_]{1,60}", fullmatch=True)
numbers = st.one_of(st.sampled_from(NUMBERS), st.integers(-(10**40), 10**40)).map(str)


def dates_near(stored):
    """Dates stored, any day of the calendar, the edges of the archive's range, and dates that cannot be."""
    this_year = datetime.date.today().year
    return st.one_of(
        st.sampled_from(stored) if stored else st.nothing(),
        st.dates(datetime.date(1, 1, 1), datetime.date(9999, 12, 31)).map(str),
        st.sampled_from([f"{this_year + 1}-12-31", f"{this_year + 2}-01-01", *IMPOSSIBLE_DATES]),
        st.builds("{}-{:02d}-{:02d}".format, st.integers(-1, 99_999), st.integers(-1, 99), st.integers(-1, 99)),
    )


def passages():
    """Spans of the sources' texts, as a quote copies them, with line breaks as any browser might send them."""
    stored = list(Source.objects.values_list("text", flat=True))

    def span(text, start, length, line_break):
        start %= len(text)
        return text[start : start + length].replace("\n", line_break)

    starts, lengths = st.integers(0, 1000), st.integers(1, 120)
    return st.builds(span, st.sampled_from(stored), starts, lengths, st.sampled_from(LINE_BREAKS))


def record_ids(model, own_id):
    """Ids of `model`'s records, the record itself (as its own parent), ids no record has, and
    ids that are not numbers."""
    stored = list(model._base_manager.values_list("pk", flat=True))
    missing = [max(stored, default=0) + 1, 0, -1, 2**31, 2**63, 10**30]
    return st.one_of(
        st.sampled_from(stored) if stored else st.nothing(),
        st.just(own_id) if own_id is not None else st.nothing(),
        st.sampled_from(missing),
        st.sampled_from(["abc", "1.0", " 1 ", "1 OR 1=1", "١"]),
    ).map(str)


def stored_values(form, name):
    """What the records of the form's model hold in the column `name`, as a form shows it."""
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is None or name not in {field.attname for field in model._meta.concrete_fields}:
        return []
    found = model._base_manager.values_list(name, flat=True).distinct().order_by()[:20]
    return [str(value) for value in found if value is not None]


def fitting_values(form, name, field, own_id):
    """Values that `field` (named `name` in `form`) may take, and those it may almost take: ids of
    records that do not exist, dates the calendar has but the archive refuses, and so on."""
    stored = stored_values(form, name)
    if isinstance(field, forms.BooleanField):
        return st.just("on")
    if isinstance(field, forms.ModelMultipleChoiceField):
        return st.lists(record_ids(field.queryset.model, own_id_if_same(field, form, own_id)), max_size=4)
    if isinstance(field, forms.ModelChoiceField):
        return record_ids(field.queryset.model, own_id_if_same(field, form, own_id))
    if isinstance(field, InlineForeignKeyField):
        return record_ids(type(field.parent_instance), field.parent_instance.pk)
    if isinstance(field, forms.ChoiceField):
        return st.sampled_from([str(value) for value, _ in field.choices])
    if isinstance(field, forms.DateField):
        return dates_near(stored)
    if isinstance(field, forms.IntegerField):
        return st.sampled_from(stored) | numbers if stored else numbers
    if isinstance(field, forms.JSONField):
        return st.sampled_from(JSON_TEXTS)
    if isinstance(field, forms.SlugField):
        return st.sampled_from(stored) | slugs if stored else slugs
    if isinstance(field, forms.CharField):
        return st.one_of(passages(), st.sampled_from(stored) if stored else st.nothing())
    return st.nothing()


@st.composite
def values_for(draw, form, name, field, own_id, fitting_in_four):
    """A value to post for `field`: one that fits it `fitting_in_four` times in four, else a
    hostile one, or none at all."""
    if draw(st.integers(0, 3)) < fitting_in_four:
        return draw(fitting_values(form, name, field, own_id))
    return draw(st.one_of(st.just(ABSENT), texts))


def own_id_if_same(field, form, own_id):
    """The edited record's id, where `field` chooses a record of its kind (a parent, a sanction answered)."""
    model = getattr(getattr(form, "_meta", None), "model", None)
    return own_id if field.queryset.model is model else None


# Forms as the admin shows them


def shown_forms(page):
    """Every form on an admin page: the record's own, and each inline's management form and rows."""
    found = [page.context["adminform"].form]
    for inline in page.context.get("inline_admin_formsets") or []:
        found += [inline.formset.management_form, *inline.formset.forms]
    return found


def fields_of(form, prefix=None):
    """(name as posted, name in the form, form field) for each field of `form`; `prefix` replaces
    an empty form's placeholder."""
    for bound in form:
        posted = bound.html_name if prefix is None else bound.html_name.replace("__prefix__", prefix)
        yield posted, bound.name, bound.field


@st.composite
def posted_forms(draw, page, own_id):
    """The page's form as the admin shows it, with some fields replaced by generated values, now
    and then new inline rows filled with them, and one of the admin's submit buttons."""
    data = form_data(page)
    fields = [(form, *names_and_field) for form in shown_forms(page) for names_and_field in fields_of(form)]
    changed = draw(st.lists(st.sampled_from(range(len(fields))), max_size=4, unique=True))
    for index in changed:
        form, posted, name, field = fields[index]
        put(data, posted, draw(values_for(form, name, field, own_id, fitting_in_four=2)))
    for inline in page.context.get("inline_admin_formsets") or []:
        formset = inline.formset
        # Mostly none, so that the record's own changes are often saved.
        shown, added = len(formset.forms), draw(st.sampled_from([0, 0, 0, 0, 1, 2]))
        for number in range(shown, shown + added):
            for posted, name, field in fields_of(formset.empty_form, str(number)):
                put(data, posted, draw(values_for(formset.empty_form, name, field, own_id, fitting_in_four=3)))
        total = f"{formset.prefix}-TOTAL_FORMS"
        if data.get(total) == str(shown):  # unless the count itself was replaced
            data[total] = str(shown + added)
    button = draw(st.sampled_from(["_save", "_continue", "_addanother", "_saveasnew"]))
    data[button] = "Save"
    return data


def put(data, name, value):
    if value is ABSENT:
        data.pop(name, None)
    else:
        data[name] = value


def form_urls(model):
    """The add page and every change page of `model`."""
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    ids = model._base_manager.order_by("pk").values_list("pk", flat=True)
    return [(reverse(f"{name}_add"), None)] + [(reverse(f"{name}_change", args=[pk]), pk) for pk in ids]


@pytest.mark.slow
@pytest.mark.parametrize("model", EDITED_MODELS, ids=lambda model: model.__name__)
@settings(PROFILE)
@given(data=st.data())
def test_no_generated_form_is_a_server_error_or_stores_anything_invalid(world, editor_in_group, client, model, data):
    with undone_at_the_end():
        url, own_id = data.draw(st.sampled_from(form_urls(model)), label="page")
        page = client.get(url)
        assert page.status_code == 200
        posted = data.draw(posted_forms(page, own_id), label="posted")
        before = snapshot()

        response = client.post(url, posted)

        event(f"answered {response.status_code}")
        assert response.status_code in (200, SAVED, 400), response.status_code
        if response.status_code == SAVED:
            assert not response["Location"].startswith(reverse("admin:login"))
        else:
            assert snapshot() == before, "a refused save changed the database"
        assert_nothing_invalid_is_stored()


# What the generated forms found, each once more as a plain test: a 500 where the form should
# have been shown again with its errors, or a value stored that the pages cannot read. (The long
# summary was found by reading PostgreSQL's limits, and then added to the generated values.)


def change_url(record):
    return reverse(f"admin:events_{record._meta.model_name}_change", args=[record.pk])


def errors_beside(response, field):
    return response.context["adminform"].form.errors.get(field, [])


@pytest.mark.parametrize("sent", ["abc", str(10**30)])
def test_a_chosen_record_whose_id_is_no_key_is_refused_beside_its_field(editor_in_group, client, sent):
    organization = make_organization()
    url = change_url(organization)

    response = client.post(url, form_data(client.get(url)) | {"parent": sent})

    assert response.status_code == 200
    assert errors_beside(response, "parent")


def test_a_summary_longer_than_the_search_index_of_an_event_holds_is_refused_beside_it(editor_in_group, client):
    event = make_event()
    url = change_url(event)
    summary = " ".join(f"w{number}" for number in range(120_000))  # 850,000 characters

    response = client.post(url, form_data(client.get(url)) | {"summary": summary})

    assert response.status_code == 200
    assert errors_beside(response, "summary") == [
        "A summary may be at most 20,000 characters long (this one has 848,889): say what happened, "
        "and let the citations carry the detail."
    ]


@pytest.mark.parametrize("sent", [str(10**30), str(2**63)])
def test_a_topic_id_past_what_the_column_holds_is_refused_beside_the_topics(editor_in_group, client, sent):
    make_topic()
    event = make_event()
    url = change_url(event)

    response = client.post(url, form_data(client.get(url)) | {"topics": ["1", sent]})

    assert response.status_code == 200
    assert errors_beside(response, "topics") == [f"“{sent}” is not a valid value."]


@pytest.mark.parametrize("sent", ["", "null"])
def test_fields_not_from_the_documents_left_empty_are_saved_as_none(editor_in_group, client, sent):
    person = make_person(outside_fields=["country"])
    url = change_url(person)

    response = client.post(url, form_data(client.get(url)) | {"outside_fields": sent})

    assert response.status_code == SAVED
    person.refresh_from_db()
    assert person.outside_fields == []


@pytest.mark.parametrize(
    "sent",
    [
        "NaN",
        "1e999",
        '{"country": 1}',
        '"country"',
        '["no_such_field"]',
        '["\\u0000"]',
        pytest.param("[" * 50_000 + "]" * 50_000, id="lists-nested-50000-deep"),
    ],
)
def test_fields_not_from_the_documents_must_be_a_list_of_the_records_field_names(editor_in_group, client, sent):
    organization = make_organization(outside_fields=["country"])
    url = change_url(organization)

    response = client.post(url, form_data(client.get(url)) | {"outside_fields": sent})

    assert response.status_code == 200
    assert errors_beside(response, "outside_fields")
    organization.refresh_from_db()
    assert organization.outside_fields == ["country"]
