"""The archive's real data, fixtures/diplo.json, checked against the five seed documents it comes from."""

import datetime
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from events.dates import FuzzyDate, Precision, period_bounds
from events.models import (
    Alias,
    Citation,
    ClaimBasis,
    Event,
    EventRelation,
    Office,
    Organization,
    Participation,
    Person,
    Sanction,
    SanctionResponse,
    Source,
    Topic,
)

pytestmark = pytest.mark.django_db

D = datetime.date
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEEDS = FIXTURES / "seeds"

# The five seed documents, byte for byte.
SEED_SHA256 = {
    "000_dc3c1b47cc33a718.txt": "4deaa0b7e12504fe8cfa13817d05c153db97165e20bcaa003e94c1fc01e283a3",
    "001_57f8982def2c5792.txt": "d3d0a72294cec50fd98c403f2eeb6d44f42edff606c112f5eae0ca0e826beba4",
    "002_550ab6adec92fdfa.txt": "77d53746d1e7d8eb372ad52b373ca98e5f65ab21eaecf59be22d4384217aa25f",
    "003_786428f471a8e847.txt": "7aecbd372468ed4d1b8771723fc66a07e827f04206829678fdcce16d1497f558",
    "004_a5a27f40a6ae60bf.txt": "f1d161ae9a317469616f868cc27cb36265624b7a31366b869054f1eb2e3e8689",
}
# The two documents that carry no date of their own.
UNDATED_SEEDS = {"000_dc3c1b47cc33a718.txt", "003_786428f471a8e847.txt"}

BOILERPLATE = [
    "Your support helps",
    "Your support makes all the difference",
    "Support Now",
    "Thank you for registering",
    "Please refresh",
    "Stay up to date",
    "notifications",
    "Subscribe to Blog",
    "Share This",
    "Recent Posts",
    "Site Search",
    "Start your relationship",
    "We aim to get back to you",
    "date 2024-10-17",
    "(AP) (AP)",
]


def seed_text(name):
    return (SEEDS / name).read_text(encoding="utf-8")


def cited_seed_files(record):
    return {citation.source.seed_file for citation in record.citations.select_related("source")}


def fuzzy_dates():
    """(label, FuzzyDate) for every fuzzy date in the archive."""
    for source in Source.objects.all():
        yield f"source {source.slug} published", source.published
    for office in Office.objects.all():
        yield f"office {office}: start", office.start
        yield f"office {office}: end", office.end
    for event in Event.objects.all():
        yield f"event {event.slug}", event.date
    for sanction in Sanction.objects.all():
        yield f"sanction {sanction.pk} announced", sanction.announced
        for change in sanction.status_log.all():
            yield f"sanction {sanction.pk} {change}", change.date


# ---------------------------------------------------------------------------------------------
# Provenance: the seeds and the source texts
# ---------------------------------------------------------------------------------------------


def test_the_seed_copies_are_byte_for_byte_the_five_seed_documents():
    found = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in SEEDS.iterdir()}
    assert found == SEED_SHA256


def test_the_archive_loads_by_name_from_the_fixtures_folder(db, settings):
    assert FIXTURES in [Path(folder).resolve() for folder in settings.FIXTURE_DIRS]
    call_command("loaddata", "diplo", verbosity=0)
    assert Source.objects.count() == 5


def test_each_seed_file_has_exactly_one_source(archive):
    assert sorted(Source.objects.values_list("seed_file", flat=True)) == sorted(SEED_SHA256)


def test_every_paragraph_of_each_source_text_stands_verbatim_in_its_seed_file(archive):
    for source in Source.objects.all():
        seed = seed_text(source.seed_file)
        paragraphs = source.text.split("\n\n")
        assert len(paragraphs) >= 5, source.slug
        for paragraph in paragraphs:
            assert paragraph.strip(), f"empty paragraph in {source.slug}"
            assert paragraph in seed, f"{source.slug}: not in {source.seed_file}: {paragraph[:80]!r}"


def test_no_source_text_keeps_site_boilerplate(archive):
    for source in Source.objects.all():
        for phrase in BOILERPLATE:
            assert phrase not in source.text, f"{source.slug} still holds {phrase!r}"


def test_no_source_text_repeats_a_paragraph_as_the_pages_repeated_captions_and_headlines(archive):
    for source in Source.objects.all():
        paragraphs = source.text.split("\n\n")
        assert len(paragraphs) == len(set(paragraphs)), source.slug


def test_sources_keep_the_articles_from_first_sentence_to_last(archive):
    ends = {
        "000_dc3c1b47cc33a718.txt": ("British MPs and peers sanctioned by China", "areas of disagreement”."),
        "001_57f8982def2c5792.txt": ("Lammy raises human rights concerns", "in Hong Kong and Xinjiang"),
        "002_550ab6adec92fdfa.txt": ("Foreign Office replies", "Preventing Sexual Violence in Conflict"),
        "003_786428f471a8e847.txt": ("James Cleverly in China", "Published: by Radio NewsHub"),
        "004_a5a27f40a6ae60bf.txt": ("The Foreign Secretary will urge China", "fourth largest trading partner.”"),
    }
    for source in Source.objects.all():
        first, last = ends[source.seed_file]
        assert source.text.startswith(first) and source.text.endswith(last), source.slug


def test_sources_are_described_only_as_the_documents_describe_them(archive):
    by_seed = {source.seed_file: source for source in Source.objects.all()}
    expected = {
        "000_dc3c1b47cc33a718.txt": ("news_article", "The Independent", "", FuzzyDate("unknown")),
        "001_57f8982def2c5792.txt": (
            "news_article", "The Independent", "Christopher McKeon", FuzzyDate("day", D(2024, 10, 18), D(2024, 10, 18))
        ),
        "002_550ab6adec92fdfa.txt": ("letter", "Lord David Alton's blog", "", FuzzyDate("day", D(2023, 1, 9), D(2023, 1, 9))),
        "003_786428f471a8e847.txt": ("news_article", "Radio NewsHub", "", FuzzyDate("unknown")),
        "004_a5a27f40a6ae60bf.txt": ("news_article", "The Independent", "", FuzzyDate("day", D(2024, 10, 17), D(2024, 10, 17))),
    }
    for seed_file, (kind, outlet, author, published) in expected.items():
        source = by_seed[seed_file]
        assert (source.kind, source.outlet, source.author, source.published) == (kind, outlet, author, published)
        assert source.url == ""
        assert source.notes, f"{source.slug} does not say what was removed"
    assert "8 January 2023" in by_seed["002_550ab6adec92fdfa.txt"].notes


# ---------------------------------------------------------------------------------------------
# Citations
# ---------------------------------------------------------------------------------------------


def test_every_citation_quote_stands_verbatim_in_its_source_text(archive):
    citations = Citation.objects.select_related("source")
    assert citations.count() > 100
    for citation in citations:
        assert citation.quote and citation.quote in citation.source.text, f"citation {citation.pk}"


def test_every_source_text_is_cited_several_times(archive):
    for source in Source.objects.all():
        assert source.citations.count() >= 3, source.slug


def test_every_published_event_has_a_citation(archive):
    assert Event.objects.published().count() == Event.objects.count() > 30
    assert list(Event.objects.published().filter(citations=None)) == []


def test_every_sanction_has_a_citation(archive):
    assert list(Sanction.objects.filter(citations=None)) == []


def test_every_office_has_a_citation(archive):
    assert list(Office.objects.filter(citations=None)) == []


def test_every_record_passes_model_validation(archive):
    for model in (Source, Topic, Organization, Person, Alias, Office, Event, Participation, EventRelation, Sanction,
                  SanctionResponse, Citation, ClaimBasis):
        for record in model.objects.all():
            record.full_clean()


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------


def test_every_fuzzy_date_is_consistent_and_complete_for_its_precision(archive):
    for label, date in fuzzy_dates():
        assert date.errors() == {}, label
        if date.is_known:
            assert date.earliest and date.latest, f"{label} lacks a bound"
            assert date.completed() == date, label
            if date.precision == Precision.DAY:
                assert date.earliest == date.latest, label
            if date.precision == Precision.YEAR:
                assert (date.earliest, date.latest) == period_bounds(Precision.YEAR, date.earliest), label


# Dates the undated documents state outright, not relative to a day they never give.
STATED_IN_UNDATED_DOCUMENTS = {
    "china-sanctions-british-mps-and-peers": FuzzyDate("year", D(2021, 1, 1), D(2021, 12, 31)),
}


def inferred(record, claim):
    """The inferred basis of `record`'s `claim`, or None."""
    return record.claim_bases.filter(claim=claim, basis=ClaimBasis.Basis.INFERRED).first()


def test_events_cited_only_from_the_undated_documents_are_left_undated_unless_a_dated_one_dates_them(archive):
    checked = 0
    for event in Event.objects.all():
        if not cited_seed_files(event) <= UNDATED_SEEDS:
            continue
        checked += 1
        basis = inferred(event, "date")
        if basis:
            # Marked as inferred, resting on a document with a date of its own.
            dated = basis.citations.exclude(source__seed_file__in=UNDATED_SEEDS)
            assert dated.exists(), event.slug
            continue
        expected = STATED_IN_UNDATED_DOCUMENTS.get(event.slug, FuzzyDate("unknown"))
        assert event.date == expected, event.slug
    assert checked >= 10


def test_offices_and_sanctions_cited_only_from_the_undated_documents_are_left_undated(archive):
    for office in Office.objects.all():
        if cited_seed_files(office) <= UNDATED_SEEDS:
            assert office.start == FuzzyDate("unknown"), str(office)
            # An end bound only where another document proves it, marked as inferred.
            assert office.end == FuzzyDate("unknown") or inferred(office, "end"), str(office)
    for sanction in Sanction.objects.all():
        if cited_seed_files(sanction) <= UNDATED_SEEDS:
            assert sanction.announced in (FuzzyDate("unknown"), FuzzyDate("year", D(2021, 1, 1), D(2021, 12, 31)))


def test_a_day_precise_date_always_rests_on_a_document_that_gives_its_own_day(archive):
    for event in Event.objects.filter(date_precision=Precision.DAY):
        dated = [c.source for c in event.citations.select_related("source") if c.source.published_precision == "day"]
        assert dated, f"{event.slug} is dated to the day by undated documents only"


def test_james_cleverlys_visit_is_august_2023_as_the_independent_says(archive):
    visit = Event.objects.get(slug="james-cleverly-visits-china")
    assert visit.date == FuzzyDate("month", D(2023, 8, 1), D(2023, 8, 31))
    assert visit.citations.filter(source__seed_file="001_57f8982def2c5792.txt", quote__contains="in August 2023")
    # The meeting with Han Zheng, reported only by the undated Radio NewsHub piece, is part of the visit.
    meeting = Event.objects.get(slug="james-cleverly-meets-han-zheng")
    assert meeting.date == visit.date
    assert inferred(meeting, "date")


@pytest.mark.parametrize(
    "slug, date",
    [
        # 001 is Friday 18 October 2024: "met on Friday", "on Thursday".
        ("david-lammy-meets-wang-yi", FuzzyDate("day", D(2024, 10, 18), D(2024, 10, 18))),
        ("downing-street-on-uighurs-and-competent-courts", FuzzyDate("day", D(2024, 10, 17), D(2024, 10, 17))),
        # 004 is Thursday 17 October 2024: "on Wednesday", "earlier this week", a two-day trip "on Friday".
        ("starmer-on-the-taiwan-strait-at-pmqs", FuzzyDate("day", D(2024, 10, 16), D(2024, 10, 16))),
        ("china-holds-military-exercises-around-taiwan", FuzzyDate("month", D(2024, 10, 14), D(2024, 10, 16))),
        ("david-lammy-visits-china", FuzzyDate("month", D(2024, 10, 18), D(2024, 10, 19))),
        # The letter in 002 is dated 8 January 2023, so its November and September are 2022.
        ("lord-alton-writes-about-the-us-cecc-report", FuzzyDate("day", D(2022, 11, 19), D(2022, 11, 19))),
        ("minister-speaks-on-xinjiang-in-the-house-of-lords", FuzzyDate("day", D(2022, 11, 17), D(2022, 11, 17))),
        ("uk-stops-deploying-chinese-surveillance-systems-on-sensitive-sites",
         FuzzyDate("day", D(2022, 11, 24), D(2022, 11, 24))),
        ("foreign-secretary-raises-human-rights-with-chinese-counterpart",
         FuzzyDate("day", D(2022, 9, 20), D(2022, 9, 20))),
        ("un-third-committee-joint-statement-on-xinjiang", FuzzyDate("day", D(2022, 10, 31), D(2022, 10, 31))),
        ("foreign-office-letter-to-lord-alton", FuzzyDate("day", D(2023, 1, 8), D(2023, 1, 8))),
        ("uk-launches-bno-immigration-route", FuzzyDate("day", D(2021, 1, 31), D(2021, 1, 31))),
        ("uk-leads-first-un-joint-statement-on-xinjiang", FuzzyDate("year", D(2019, 1, 1), D(2019, 12, 31))),
        ("g7-leaders-commit-to-supply-chains-free-of-forced-labour",
         FuzzyDate("year", D(2021, 1, 1), D(2021, 12, 31))),
        # 000 is undated: its "on Thursday" cannot be resolved.
        ("starmer-meets-xi-jinping-in-beijing", FuzzyDate("unknown")),
        # Only a bound is proven: China answered the UK's sanctions in 2021.
        ("uk-sanctions-chinese-officials-over-xinjiang", FuzzyDate("unknown", None, D(2021, 12, 31))),
    ],
)
def test_relative_days_are_resolved_only_against_the_documents_own_dates(archive, slug, date):
    assert Event.objects.get(slug=slug).date == date


# ---------------------------------------------------------------------------------------------
# Specific facts
# ---------------------------------------------------------------------------------------------


def test_the_lammy_wang_yi_meeting_is_18_october_2024_with_david_lammy_and_wang_yi(archive):
    meeting = Event.objects.published().get(participations__person__slug="wang-yi", kind="meeting")
    assert meeting.slug == "david-lammy-meets-wang-yi"
    assert meeting.date == FuzzyDate("day", D(2024, 10, 18), D(2024, 10, 18))
    people = {p.person.name: p for p in meeting.participations.select_related("person", "office")}
    # The two who met, and Jimmy Lai, whose detention the Foreign Office says was discussed.
    assert {name: p.role for name, p in people.items()} == {
        "David Lammy": "visitor", "Wang Yi": "host", "Jimmy Lai": "mentioned"
    }
    assert people["David Lammy"].office.title == "Foreign Secretary"
    assert people["Wang Yi"].office.title == "Foreign minister"
    assert meeting.place == "Beijing"
    assert meeting.topics.filter(slug="human-rights").exists()
    assert EventRelation.objects.filter(
        from_event=meeting, to_event__slug="david-lammy-visits-china", relation="part_of"
    ).exists()


def test_chinas_sanctions_are_dated_2021_and_each_answers_all_five_uk_sanctions(archive):
    named = Sanction.objects.filter(imposing_country="CN", target_person__isnull=False)
    assert named.count() == 7
    uk = set(Sanction.objects.filter(imposing_country="GB").values_list("pk", flat=True))
    assert len(uk) == 5
    for sanction in named:
        assert sanction.announced == FuzzyDate("year", D(2021, 1, 1), D(2021, 12, 31))
        # Document 000: "In response" to the UK's sanctions as a whole, so to all five, as stated.
        responses = sanction.responses.all()
        assert {response.answers_sanction_id for response in responses} == uk
        assert not any(response.answers_event_id for response in responses)
        assert not ClaimBasis.objects.filter(sanction_response__in=responses).exists()
        assert sanction.status == Sanction.Status.ACTIVE
        assert sanction.announced_in.slug == "china-sanctions-british-mps-and-peers"
        assert sanction.imposed_by.slug == "chinese-government"


def test_each_of_the_seven_named_britons_has_a_chinese_sanction(archive):
    names = ["Iain Duncan Smith", "Tom Tugendhat", "Nus Ghani", "Neil O’Brien", "Tim Loughton", "David Alton",
             "Kennedy of the Shaws"]
    for name in names:
        assert Sanction.objects.filter(imposing_country="CN", target_person__name=name).count() == 1, name


def test_the_uks_sanction_targets_are_honest_placeholders_not_invented_names(archive):
    uk = Sanction.objects.filter(imposing_country="GB").select_related("target_person", "target_organization")
    assert uk.count() == 5
    letter = Source.objects.get(seed_file="002_550ab6adec92fdfa.txt").text
    for sanction in uk:
        assert sanction.target.name.startswith("Unnamed"), sanction.target.name
        assert "do not name" in sanction.target.description
        assert not sanction.responses.exists()
        assert sanction.measures in letter and sanction.regime in letter
        assert sanction.announced_in.slug == "uk-sanctions-chinese-officials-over-xinjiang"
    assert sorted(str(s.target) for s in uk) == [
        "Unnamed Chinese official (1 of 4)",
        "Unnamed Chinese official (2 of 4)",
        "Unnamed Chinese official (3 of 4)",
        "Unnamed Chinese official (4 of 4)",
        "Unnamed state-run organisation in Xinjiang",
    ]


def test_people_carry_the_short_forms_and_titles_the_documents_use(archive):
    expected = {
        "Mr Lammy": "david-lammy",
        "Sir Keir": "keir-starmer",
        "Sir Iain": "iain-duncan-smith",
        "Lord Alton of Liverpool": "david-alton",
        "Baroness Kennedy of the Shaws": "baroness-kennedy-of-the-shaws",
        "Mr Cleverly": "james-cleverly",
        "Ms Kearns": "alicia-kearns",
        "Mr Ding": "ding-xuexiang",
        "president Xi": "xi-jinping",
    }
    for alias, slug in expected.items():
        assert Alias.objects.get(name=alias).person.slug == slug, alias


def test_every_name_and_alias_is_one_the_documents_use_unless_it_is_a_placeholder(archive):
    seeds = "\n".join(seed_text(name) for name in SEED_SHA256)
    for name in [*Person.objects.values_list("name", flat=True), *Alias.objects.values_list("name", flat=True)]:
        assert name.startswith("Unnamed") or name in seeds, name


def test_honorifics_are_kept_apart_from_names(archive):
    assert Person.objects.get(slug="keir-starmer").styled_name == "Sir Keir Starmer"
    assert Person.objects.get(slug="david-alton").styled_name == "Lord David Alton"
    assert Person.objects.get(slug="baroness-kennedy-of-the-shaws").styled_name == "Baroness Kennedy of the Shaws"
    for person in Person.objects.exclude(honorific=""):
        assert not person.name.startswith(person.honorific + " "), person.name


def test_names_in_native_script_are_listed_as_outside_facts(archive):
    native = Person.objects.exclude(native_name="")
    assert {p.slug: p.native_name for p in native} == {
        "xi-jinping": "习近平",
        "wang-yi": "王毅",
        "ding-xuexiang": "丁薛祥",
        "han-zheng": "韩正",
        "jimmy-lai": "黎智英",
    }
    for person in native:
        assert {"native_name", "native_name_language"} <= set(person.outside_fields), person.slug
    person_fields = {field.name for field in Person._meta.get_fields()}
    organization_fields = {field.name for field in Organization._meta.get_fields()}
    for person in Person.objects.all():
        assert set(person.outside_fields) <= person_fields, person.slug
    for organization in Organization.objects.all():
        assert set(organization.outside_fields) <= organization_fields, organization.slug


def test_the_topic_tree_is_exactly_the_agreed_one(archive):
    tree = {topic.slug: (topic.name, topic.parent.slug if topic.parent else None) for topic in Topic.objects.all()}
    assert tree == {
        "human-rights": ("Human rights", None),
        "xinjiang": ("Xinjiang and the Uighurs", "human-rights"),
        "hong-kong": ("Hong Kong", "human-rights"),
        "tibet": ("Tibet", "human-rights"),
        "transnational-repression": ("Transnational repression", "human-rights"),
        "forced-labour": ("Forced labour", "human-rights"),
        "security": ("Security", None),
        "taiwan": ("Taiwan", "security"),
        "espionage": ("Espionage", "security"),
        "surveillance-technology": ("Surveillance technology", "security"),
        "russia-ukraine": ("Russia's war in Ukraine", None),
        "trade-and-economy": ("Trade and economy", None),
        "climate": ("Climate", None),
        "global-health": ("Global health", None),
        "ai": ("AI", None),
        "parliamentary-exchanges": ("Parliamentary exchanges", None),
    }


@pytest.mark.parametrize(
    "from_slug, relation, to_slug",
    [
        ("sanctioned-mps-and-peers-refuse-to-be-a-bargaining-chip", "about", "china-sanctions-british-mps-and-peers"),
        ("lord-alton-writes-about-the-us-cecc-report", "about", "us-cecc-report-on-china"),
        ("uk-and-china-agree-to-resume-parliamentary-exchanges", "part_of", "starmer-meets-xi-jinping-in-beijing"),
        ("james-cleverly-meets-han-zheng", "part_of", "james-cleverly-visits-china"),
        ("david-lammy-meets-ding-xuexiang", "part_of", "david-lammy-visits-china"),
        ("china-sanctions-british-mps-and-peers", "responds_to", "uk-sanctions-chinese-officials-over-xinjiang"),
        ("foreign-office-letter-to-lord-alton", "responds_to", "lord-alton-writes-about-the-us-cecc-report"),
        ("uk-launches-bno-immigration-route", "responds_to", "hong-kong-national-security-law"),
    ],
)
def test_events_are_related_as_the_documents_relate_them(archive, from_slug, relation, to_slug):
    assert EventRelation.objects.filter(
        from_event__slug=from_slug, relation=relation, to_event__slug=to_slug
    ).exists()


def test_every_office_named_in_an_event_is_one_its_participant_held(archive):
    for participation in Participation.objects.exclude(office=None).select_related("office"):
        assert participation.office.person_id == participation.person_id, participation.pk


def test_the_unnamed_minister_is_a_placeholder_for_the_letters_signatory(archive):
    minister = Person.objects.get(slug="unnamed-minister-of-state")
    assert "do not name" in minister.description
    assert set(minister.offices.values_list("title", flat=True)) == {
        "Minister of State responsible for Human Rights",
        "Prime Minister’s Special Representative on Preventing Sexual Violence in Conflict",
    }


# ---------------------------------------------------------------------------------------------
# The basis of every claim, and the corrections of the fact-check (issue 11)
# ---------------------------------------------------------------------------------------------


def cited_quotes(record):
    return [citation.quote for citation in record.citations.all()]


def test_every_inferred_claim_gives_its_reasoning_and_quotes_and_every_outside_claim_its_origin(archive):
    bases = ClaimBasis.objects.prefetch_related("citations")
    assert bases.filter(basis=ClaimBasis.Basis.INFERRED).count() >= 10
    assert bases.filter(basis=ClaimBasis.Basis.OUTSIDE).exists()
    for basis in bases:
        assert basis.problems() == [], str(basis)
        if basis.is_inferred:
            assert len(basis.reasoning.split()) >= 10, str(basis)
            assert basis.citations.all(), str(basis)
        else:
            assert basis.outside_source.strip() and not basis.citations.all(), str(basis)


def test_every_date_bound_the_documents_do_not_state_is_marked_as_inferred(archive):
    bounded = []
    for record, claim in [
        *[(event, "date") for event in Event.objects.all()],
        *[(office, name) for office in Office.objects.all() for name in ("start", "end")],
        *[(sanction, "announced") for sanction in Sanction.objects.all()],
    ]:
        date = getattr(record, claim)
        if date.precision == Precision.UNKNOWN and (date.earliest or date.latest):
            bounded.append(record)
            assert inferred(record, claim), f"{record}: {claim}"
    assert len(bounded) >= 25


# Days the documents give relative to their own date ("on Friday", "earlier this week", "on 20
# September" in a letter of 8 January 2023), and a year read from "since 2018".
@pytest.mark.parametrize("slug", [
    "a-british-foreign-secretary-visits-china-in-2018",
    "foreign-secretary-raises-human-rights-with-chinese-counterpart",
    "minister-speaks-on-xinjiang-in-the-house-of-lords",
    "lord-alton-writes-about-the-us-cecc-report",
    "uk-stops-deploying-chinese-surveillance-systems-on-sensitive-sites",
    "china-holds-military-exercises-around-taiwan",
    "starmer-calls-taiwan-exercises-not-conducive-to-peace",
    "starmer-on-the-taiwan-strait-at-pmqs",
    "downing-street-on-uighurs-and-competent-courts",
    "david-lammy-visits-china",
    "david-lammy-meets-wang-yi",
    "foreign-office-statement-after-lammy-wang-yi-meeting",
    "david-lammy-meets-ding-xuexiang",
    "chinese-government-statement-on-lammy-ding-meeting",
])
def test_dates_worked_out_from_a_documents_own_date_are_marked_as_inferred(archive, slug):
    event = Event.objects.get(slug=slug)
    basis = inferred(event, "date")
    assert basis.citations.exists()
    assert event.date.is_known


def test_the_han_zheng_meeting_is_august_2023_inferred_from_the_visit_it_is_part_of(archive):
    meeting = Event.objects.get(slug="james-cleverly-meets-han-zheng")
    assert meeting.date == FuzzyDate("month", D(2023, 8, 1), D(2023, 8, 31))
    basis = inferred(meeting, "date")
    assert "August 2023" in basis.reasoning
    assert any("a trip by James Cleverly in August 2023" in quote for quote in basis.citations.values_list("quote", flat=True))
    assert EventRelation.objects.filter(from_event=meeting, relation="part_of", to_event__slug="james-cleverly-visits-china")


def test_kearns_spoke_to_cleverly_by_the_end_of_august_2023_as_an_inferred_bound(archive):
    talk = Event.objects.get(slug="alicia-kearns-urges-cleverly-to-press-china-on-human-rights")
    assert talk.date == FuzzyDate("unknown", None, D(2023, 8, 31))
    quotes = " ".join(inferred(talk, "date").citations.values_list("quote", flat=True))
    assert "before his visit" in quotes and "in August 2023" in quotes


@pytest.mark.parametrize("person, successor", [("rishi-sunak", "Starmer"), ("james-cleverly", "Foreign Secretary")])
def test_sunak_and_cleverly_left_office_by_17_october_2024_as_an_inferred_bound(archive, person, successor):
    office = Office.objects.get(person__slug=person)
    assert office.end == FuzzyDate("unknown", None, D(2024, 10, 17))
    basis = inferred(office, "end")
    assert "17 October 2024" in basis.reasoning
    rests_on = basis.citations.select_related("source")
    assert any(c.source.seed_file.startswith("004") and successor in c.quote for c in rests_on)


def test_the_uk_sanctions_regime_and_measures_are_marked_as_inferred_from_the_letter(archive):
    uk = Sanction.objects.filter(imposing_country="GB")
    for sanction in uk:
        for claim in ("regime", "measures"):
            basis = inferred(sanction, claim)
            assert "neither document says so" in basis.reasoning, (sanction.pk, claim)
            seeds = {c.source.seed_file[:3] for c in basis.citations.select_related("source")}
            assert seeds == {"000", "002"}
    event = Event.objects.get(slug="uk-sanctions-chinese-officials-over-xinjiang")
    assert inferred(event, "summary")
    assert "neither document says so" in event.summary
    for partner in ("us-government", "government-of-canada", "european-union"):
        assert inferred(event.participations.get(organization__slug=partner), "actor"), partner


def test_radio_newshubs_reason_for_chinas_sanctions_is_marked_as_inferred_to_be_about_the_2021_ones(archive):
    event = Event.objects.get(slug="china-sanctions-british-mps-and-peers")
    assert "neither document says so" in inferred(event, "summary").reasoning
    assert "Radio NewsHub says" in event.summary
    for sanction in Sanction.objects.filter(imposing_country="CN", target_person__isnull=False):
        seeds = {c.source.seed_file[:3] for c in inferred(sanction, "reason").citations.select_related("source")}
        assert seeds == {"000", "003"}


def test_no_travel_freeze_is_recorded_against_an_organisation(archive):
    organisation = Sanction.objects.get(target_organization__slug="unnamed-state-run-organisation-in-xinjiang")
    assert organisation.measures == "asset bans"
    assert "only asset bans can apply to an organisation" in inferred(organisation, "measures").reasoning
    for sanction in Sanction.objects.filter(target_organization__isnull=False):
        assert "travel" not in sanction.measures


def test_the_joint_statement_on_officials_is_not_cited_for_the_sanctioned_organisation(archive):
    organisation = Sanction.objects.get(target_organization__slug="unnamed-state-run-organisation-in-xinjiang")
    assert not any("those officials" in quote for quote in cited_quotes(organisation))
    # So nothing says whether it is still in force: its log holds only that it was imposed, on a
    # date not known, and its status is "active" only as of that.
    assert [(entry.change, entry.date.is_known) for entry in organisation.status_log.all()] == [("imposed", False)]
    for official in Sanction.objects.filter(imposing_country="GB", target_person__isnull=False):
        assert any("those officials responsible for the genocide" in quote for quote in cited_quotes(official))
        assert official.status == Sanction.Status.ACTIVE


def test_the_bargaining_chip_statement_is_linked_only_to_what_it_speaks_of(archive):
    statement = Event.objects.get(slug="sanctioned-mps-and-peers-refuse-to-be-a-bargaining-chip")
    assert list(statement.relations_from.values_list("relation", "to_event__slug")) == [
        ("about", "china-sanctions-british-mps-and-peers")
    ]
    assert "rumours that Beijing is considering lifting sanctions on us" in statement.summary
    assert not EventRelation.objects.filter(
        from_event__slug="lord-alton-writes-about-the-us-cecc-report", relation="responds_to"
    ).exists()


def test_kearns_on_sky_news_is_about_the_visit_not_an_answer_to_it(archive):
    sky = Event.objects.get(slug="alicia-kearns-on-sky-news-about-cleverlys-visit")
    assert list(sky.relations_from.values_list("relation", "to_event__slug")) == [
        ("about", "james-cleverly-visits-china")
    ]


@pytest.mark.parametrize("from_slug, relation, to_slug", [
    ("iain-duncan-smith-compares-china-policy-to-appeasement", "responds_to", "james-cleverly-visits-china"),
    ("starmer-on-the-taiwan-strait-at-pmqs", "follows", "china-holds-military-exercises-around-taiwan"),
])
def test_links_the_reports_only_imply_by_their_order_are_marked_as_inferred(archive, from_slug, relation, to_slug):
    link = EventRelation.objects.get(from_event__slug=from_slug, relation=relation, to_event__slug=to_slug)
    assert "straight after" in inferred(link, "relation").reasoning


@pytest.mark.parametrize("event, actor, role", [
    ("g7-leaders-commit-to-supply-chains-free-of-forced-labour", "uk-government", "role"),
    ("foreign-secretary-raises-human-rights-with-chinese-counterpart", "fcdo", "actor"),
    ("foreign-secretary-raises-human-rights-with-chinese-counterpart", "chinese-foreign-ministry", "actor"),
])
def test_participants_the_documents_name_only_by_office_or_presidency_are_marked_as_inferred(
    archive, event, actor, role
):
    assert inferred(Participation.objects.get(event__slug=event, organization__slug=actor), role)


def test_no_one_signed_the_g7_commitment(archive):
    assert participants("g7-leaders-commit-to-supply-chains-free-of-forced-labour")["g7"] == ("party", None)


def test_the_agreement_in_principle_has_parties_not_signatories_and_says_who_reports_it(archive):
    agreement = Event.objects.get(slug="uk-and-china-agree-to-resume-parliamentary-exchanges")
    roles = {p.organization.slug: p.role for p in agreement.participations.select_related("organization")}
    assert roles == {"uk-government": "party", "chinese-government": "party", "uk-parliament": "mentioned"}
    assert "China's foreign ministry says" in agreement.title
    assert agreement.summary.startswith("According to China's foreign ministry")
    assert not Participation.objects.filter(event=agreement, role="signatory").exists()


def test_citations_that_did_not_support_their_records_are_gone(archive):
    # "A role in the Pacific" is not what Ms Kearns urged Mr Cleverly to raise.
    assert not Citation.objects.filter(quote__contains="a role in the Pacific").exists()
    # "These included …" is cited only with the sentence that says what "these" are.
    these = Citation.objects.filter(quote__contains="These included the transition to green energy")
    assert these.count() == 2
    for citation in these:
        assert citation.quote.startswith("Along with human rights and security concerns")
    assert {c.event.slug for c in these} == {
        "david-lammy-meets-wang-yi", "foreign-office-statement-after-lammy-wang-yi-meeting"
    }


def test_summaries_keep_the_documents_words_and_say_whose_they_are(archive):
    statement = Event.objects.get(slug="sanctioned-mps-and-peers-refuse-to-be-a-bargaining-chip")
    assert "“those officials responsible for the genocide in Xinjiang”" in statement.summary
    assert "responsible for abuses" not in statement.summary
    kearns = Event.objects.get(slug="alicia-kearns-urges-cleverly-to-press-china-on-human-rights")
    assert "without saying to whom she said it" in kearns.summary
    assert "“we are seeing increased espionage on British shores”" in kearns.summary
    assert "hoped he would raise" not in kearns.summary
    meeting = Event.objects.get(slug="david-lammy-meets-wang-yi")
    assert "According to the Foreign Office" in meeting.summary
    assert "“were discussed”" in meeting.summary
    assert "alleged mistreatment of Uighurs" in meeting.summary


def participants(slug):
    return {
        (p.person or p.organization).slug: (p.role, p.office.title if p.office else None)
        for p in Participation.objects.filter(event__slug=slug).select_related("person", "organization", "office")
    }


def test_the_missing_participants_and_offices_are_recorded(archive):
    assert participants("chinese-government-statement-on-lammy-ding-meeting")["david-lammy"] == (
        "recipient", "Foreign Secretary"
    )
    downing_street = participants("downing-street-on-the-starmer-xi-meeting")
    assert downing_street["keir-starmer"] == ("mentioned", "Prime Minister")
    assert downing_street["xi-jinping"] == ("mentioned", "President")
    speech = Event.objects.get(slug="minister-speaks-on-xinjiang-in-the-house-of-lords")
    minister = speech.participations.get(person__slug="unnamed-minister-of-state")
    assert minister.office.title == "Minister of State responsible for Human Rights"
    assert "my speech" in inferred(minister, "office").reasoning
    lammy = Participation.objects.get(event__slug="chinese-government-statement-on-lammy-ding-meeting",
                                      person__slug="david-lammy")
    assert inferred(lammy, "role")


def test_pmqs_are_placed_in_the_commons_from_outside_the_documents(archive):
    pmqs = Event.objects.get(slug="starmer-on-the-taiwan-strait-at-pmqs")
    assert (pmqs.place, pmqs.country) == ("House of Commons", "GB")
    for claim in ("place", "country"):
        basis = pmqs.claim_bases.get(claim=claim)
        assert basis.basis == ClaimBasis.Basis.OUTSIDE
        assert "politics.co.uk" in basis.outside_source
    assert "House of Commons" not in Source.objects.get(seed_file__startswith="004").text


def test_lammys_visit_takes_in_shanghai_as_the_foreign_office_said(archive):
    visit = Event.objects.get(slug="david-lammy-visits-china")
    assert visit.place == "Beijing and Shanghai"
    quotes = cited_quotes(visit)
    assert any("hold talks with British businesses in Shanghai" in quote for quote in quotes)
    assert any(quote.startswith("Both sides stressed the need for ‘pragmatic’ engagement") for quote in quotes)


@pytest.mark.parametrize(
    "slug, topic",
    [("james-cleverly-meets-han-zheng", "hong-kong"), ("iain-duncan-smith-compares-china-policy-to-appeasement",
                                                       "human-rights")],
)
def test_topics_the_events_do_not_speak_of_are_gone(archive, slug, topic):
    assert not Event.objects.get(slug=slug).topics.filter(slug=topic).exists()


def test_the_facts_a_researcher_expects_are_recorded_with_their_quotes(archive):
    bill = Event.objects.get(slug="procurement-bill-to-let-public-bodies-exclude-suppliers-over-national-security")
    assert bill.date == FuzzyDate("unknown", None, D(2023, 1, 8))
    assert any("exclude suppliers from bidding" in quote for quote in cited_quotes(bill))
    report = Event.objects.get(slug="foreign-affairs-committee-report-on-china")
    assert any("expel any foreign diplomats" in quote for quote in cited_quotes(report))
    assert "expel any foreign diplomats" in report.summary
    statement = Event.objects.get(slug="sanctioned-mps-and-peers-refuse-to-be-a-bargaining-chip")
    assert "“We would reject any deal that prioritises our personal convenience" in " ".join(cited_quotes(statement))
    assert "reject any deal" in statement.summary


def test_placeholders_are_marked_as_such_and_only_they(archive):
    people = {p.slug: p.is_placeholder for p in Person.objects.all()}
    organizations = {o.slug: o.is_placeholder for o in Organization.objects.all()}
    for record in [*Person.objects.all(), *Organization.objects.all()]:
        assert record.is_placeholder == record.name.startswith("Unnamed"), record.slug
    assert sum(people.values()) == 5 and sum(organizations.values()) == 2


def test_the_archives_own_titles_are_marked_and_no_source_has_an_address_the_seeds_do_not_give(archive):
    titled_by_archive = {s.seed_file[:3] for s in Source.objects.filter(title_by_archive=True)}
    assert titled_by_archive == {"000", "004"}
    for source in Source.objects.all():
        assert "http" not in seed_text(source.seed_file)
        assert source.url == ""


# ---------------------------------------------------------------------------------------------
# The file itself
# ---------------------------------------------------------------------------------------------


def test_the_fixture_file_is_pretty_printed_and_ordered_by_model_and_key():
    text = (FIXTURES / "diplo.json").read_text(encoding="utf-8")
    assert text.startswith('[\n{\n  "model": ')
    records = json.loads(text)
    seen = []
    for record in records:
        if not seen or seen[-1][0] != record["model"]:
            assert record["model"] not in [model for model, _ in seen], f"{record['model']} is split up"
            seen.append((record["model"], []))
        seen[-1][1].append(record["pk"])
        assert isinstance(record["pk"], int)
    for model, keys in seen:
        assert keys == sorted(keys) and len(keys) == len(set(keys)), model


@pytest.mark.slow
def test_the_fixture_file_is_exactly_what_the_builder_makes():
    result = subprocess.run(
        [sys.executable, str(FIXTURES / "build.py"), "--check"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
        env={**os.environ, "DEBUG": os.environ.get("DEBUG", "1")},
    )
    assert result.returncode == 0, result.stderr
