"""How `manage.py generate_archive` draws a synthetic archive and writes it; what the archive holds is
described in that command's docstring, and the words it is made of are in `vocabulary`.
"""

import datetime
import json
import random

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils.text import slugify

from events.dates import FuzzyDate, Precision, period_bounds
from events.models import (
    Alias,
    Citation,
    Event,
    EventRelation,
    Office,
    Organization,
    Participation,
    Person,
    Sanction,
    SanctionResponse,
    Source,
    StatusChange,
    Topic,
)
from events.text import placement_problem

from .vocabulary import (
    ADJECTIVE,
    CHINESE_PARTS,
    CITATION_COUNT,
    CORE_BY_COUNTRY,
    CORE_ORGANIZATIONS,
    COUNTRY_OF_ORGANIZATIONS,
    COUNTRY_OF_PEOPLE,
    DESCRIPTIONS,
    EVENT_KIND,
    HONORIFIC,
    MEASURES,
    OFFICES,
    ORGANIZATION_KIND,
    ORGANIZATION_WORDS,
    OUTLETS,
    PARTICIPANT_COUNT,
    PEERS,
    PLACES,
    REGIMES,
    RELATION,
    ROLES_BY_KIND,
    SANCTION_IMPOSERS,
    SANCTION_STATUS,
    SENTENCE_TOPIC,
    SENTENCES,
    SOURCE_KIND,
    SOURCE_TITLES,
    SUMMARIES,
    TARGETS_OF,
    TITLES,
    TOPIC_COUNT,
    TOPIC_WEIGHTS,
    TOWNS,
    WESTERN_PARTS,
    Weighted,
)

PREFIX = "gen-"
FIRST_DAY = datetime.date(1950, 1, 1).toordinal()
LAST_DAY = datetime.date(2026, 12, 31).toordinal()
# Participants are drawn as int(count * random() ** SKEW): the first 1% of actors take about
# 0.01 ** (1 / SKEW), a fifth, of all participations, as the most prominent do in a real archive.
SKEW = 3.0
EventTopic = Event.topics.through
UNKNOWN = FuzzyDate(Precision.UNKNOWN)


def generate(events, seed, batch_size, progress=lambda message: None):
    """Write an archive of `events` events drawn from `seed`; the number of rows made, by kind of record."""
    with fast_bulk_writes():
        counts = Generator(events, seed, batch_size, progress=progress).write()
        reset_sequences()
    progress("Analysed the tables for the query planner.")
    return counts


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------


def draw_date(rng, first=FIRST_DAY, last=LAST_DAY):
    """A FuzzyDate between the days numbered `first` and `last`, valid by its own rules; later years are likelier."""
    day = datetime.date.fromordinal(first + int((last - first + 1) * rng.random() ** 0.5))
    r = rng.random()
    if r < 0.60:
        return FuzzyDate.containing(day, Precision.DAY)
    if r < 0.78:
        return FuzzyDate.containing(day, Precision.MONTH)
    if r < 0.82:
        # "Earlier this week": some days inside one month.
        _, month_end = period_bounds(Precision.MONTH, day)
        return FuzzyDate(Precision.MONTH, day, min(day + datetime.timedelta(days=rng.randrange(1, 7)), month_end))
    if r < 0.93:
        return FuzzyDate.containing(day, Precision.YEAR)
    r = rng.random()
    if r < 0.6:
        return UNKNOWN
    if r < 0.8:
        return FuzzyDate(Precision.UNKNOWN, None, day)  # "before ..."
    return FuzzyDate(Precision.UNKNOWN, day - datetime.timedelta(days=rng.randrange(30, 3000)), day)


def draw_date_after(rng, after):
    """An end date after the day `after`, by 2026: four times in five a day, else of any precision."""
    first = min(after.toordinal() + 1, LAST_DAY)
    if rng.random() < 0.2:
        return draw_date(rng, first, LAST_DAY)
    return FuzzyDate.containing(datetime.date.fromordinal(first + rng.randrange(LAST_DAY - first + 1)), Precision.DAY)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def generated(model):
    """The generated rows of `model`: slugged records by their slug, the rest by what they belong to."""
    by_slug = Q(slug__startswith=PREFIX)
    return model.objects.filter(
        {
            Event: by_slug,
            Person: by_slug,
            Organization: by_slug,
            Source: by_slug,
            Alias: Q(person__slug__startswith=PREFIX) | Q(organization__slug__startswith=PREFIX),
            Office: Q(person__slug__startswith=PREFIX),
            Participation: Q(event__slug__startswith=PREFIX),
            EventRelation: Q(from_event__slug__startswith=PREFIX) | Q(to_event__slug__startswith=PREFIX),
            EventTopic: Q(event__slug__startswith=PREFIX),
            Citation: Q(source__slug__startswith=PREFIX),
            Sanction: Q(target_person__slug__startswith=PREFIX) | Q(target_organization__slug__startswith=PREFIX),
            SanctionResponse: Q(sanction__target_person__slug__startswith=PREFIX)
            | Q(sanction__target_organization__slug__startswith=PREFIX),
            StatusChange: Q(sanction__target_person__slug__startswith=PREFIX)
            | Q(sanction__target_organization__slug__startswith=PREFIX),
        }[model]
    )


def delete_generated():
    """Delete every generated row, dependants first, in plain DELETE statements.

    Not QuerySet.delete(): it sends a signal per row, and the history would record each
    generated record's removal as an edit (and take hours over a million events).
    """
    order = [StatusChange, Citation, SanctionResponse, Sanction, Participation, EventRelation, EventTopic, Event, Office, Alias,
             Source, Person, Organization]
    return sum(generated(model)._raw_delete(connection.alias) for model in order)


class fast_bulk_writes:
    """On SQLite, skip the fsync after each batch and give the page cache room, for this connection only.

    If the program stops mid-load, the batches written so far stay (remove them with --replace);
    only a crash of the machine itself could damage the file, so load into a database you can
    rebuild. SQLite refuses these settings inside a transaction (a test), so they are left alone there.
    """

    def __enter__(self):
        self.saved = None
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous")
                synchronous = cursor.fetchone()[0]
                cursor.execute("PRAGMA cache_size")
                self.saved = (synchronous, cursor.fetchone()[0])
                cursor.execute("PRAGMA synchronous=OFF")
                cursor.execute("PRAGMA cache_size=-262144")  # 256 MB
        return self

    def __exit__(self, error_type, error, traceback):
        if error_type is not None:
            return False
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                # A sample of each index is enough for the planner, and far quicker than a full pass.
                cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("ANALYZE")
            if self.saved:
                cursor.execute(f"PRAGMA synchronous={int(self.saved[0])}")
                cursor.execute(f"PRAGMA cache_size={int(self.saved[1])}")
        return False


def reset_sequences():
    """PostgreSQL's id sequences don't see explicit primary keys; move them past the new rows."""
    models = [Topic, Organization, Person, Alias, Office, Source, Event, EventTopic, Participation, EventRelation,
              Sanction, Citation, StatusChange]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def next_pk(model):
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


class Generator:
    """Draws the archive from one seeded random stream per part, and writes it batch by batch."""

    def __init__(self, events, seed, batch_size, progress=lambda message: None):
        self.event_count = events
        self.seed = seed
        self.batch_size = batch_size
        self.progress = progress
        self.people_count = max(10, events // 20)
        self.organization_count = max(10, len(CORE_ORGANIZATIONS), events // 100)
        self.source_count = max(5, events // 5)
        self.sanction_count = max(2, events // 50)
        self.counts = {}

    def random(self, part):
        # A separate stream per part: a change in how one part is drawn leaves the others as they were.
        return random.Random(f"{self.seed}:{part}")

    def write(self):
        self.write_topics()
        self.write_organizations()
        self.write_people()
        self.make_sentences()
        self.write_sources()
        self.plan_sanctions()
        self.write_events()
        self.write_sanctions()
        return self.counts

    def count(self, name, number):
        self.counts[name] = self.counts.get(name, 0) + number

    # Topics: the archive's own tree.

    def write_topics(self):
        with open(settings.BASE_DIR / "fixtures" / "diplo.json", encoding="utf-8") as fixture:
            tree = [record for record in json.load(fixture) if record["model"] == "events.topic"]
        by_pk = {record["pk"]: record["fields"] for record in tree}
        existing = {topic.slug: topic for topic in Topic.objects.all()}
        with transaction.atomic():
            for record in tree:  # parents come first in the fixture
                fields = record["fields"]
                if fields["slug"] not in existing:
                    parent = existing[by_pk[fields["parent"]]["slug"]] if fields["parent"] else None
                    existing[fields["slug"]] = Topic.objects.create(
                        slug=fields["slug"], name=fields["name"], parent=parent, description=fields["description"]
                    )
        slugs = [record["fields"]["slug"] for record in tree]
        self.topic_pks = [existing[slug].pk for slug in slugs]
        self.topic_names = {existing[slug].pk: existing[slug].name for slug in slugs}
        self.topic_phrases = {existing[slug].pk: SENTENCE_TOPIC.get(slug, existing[slug].name) for slug in slugs}
        self.topic_draw = Weighted([(existing[slug].pk, TOPIC_WEIGHTS.get(slug, 1)) for slug in slugs])
        self.progress(f"Topics: {len(slugs)}.")

    # Organizations and people.

    def write_organizations(self):
        rng = self.random("organizations")
        first_pk, alias_pk = next_pk(Organization), next_pk(Alias)
        organizations, aliases = [], []
        self.organization_names, self.organization_countries = [], []
        self.organizations_by_country = {}
        for index in range(self.organization_count):
            pk = first_pk + index
            if index < len(CORE_ORGANIZATIONS):
                country, kind, name, parent, abbreviation = CORE_ORGANIZATIONS[index]
                parent_id = first_pk + parent if parent is not None else None
            else:
                kind, country = ORGANIZATION_KIND.draw(rng), COUNTRY_OF_ORGANIZATIONS.draw(rng)
                first, second, third = ORGANIZATION_WORDS[kind]
                name = f"{ADJECTIVE[country]} {rng.choice(first)} {rng.choice(second)}"
                if rng.random() < 0.3:
                    name = f"{name} {rng.choice(third)}"
                core = CORE_BY_COUNTRY.get(country)
                parent_id = None
                if core and kind in ("committee", "state_body", "ministry"):
                    parent_id = first_pk + core[0]
                abbreviation = "".join(word[0] for word in name.split() if word[0].isupper())
                if rng.random() < 0.5:
                    abbreviation = ""
            organizations.append(
                Organization(
                    pk=pk,
                    name=name,
                    slug=f"{PREFIX}{kind.replace('_', '-')}-{index + 1}",
                    kind=kind,
                    country=country,
                    parent_id=parent_id,
                    description=f"A generated {Organization.Kind(kind).label.lower()} for load tests.",
                    outside_fields=[],
                )
            )
            if abbreviation:
                aliases.append(Alias(pk=alias_pk, organization_id=pk, name=abbreviation, kind="abbreviation"))
                alias_pk += 1
            self.organization_names.append(name)
            self.organization_countries.append(country)
            self.organizations_by_country.setdefault(country, []).append(index)
        self.first_organization_pk = first_pk
        with transaction.atomic():
            Organization.objects.bulk_create(organizations, batch_size=self.batch_size)
            Alias.objects.bulk_create(aliases, batch_size=self.batch_size)
        self.count("organizations", len(organizations))
        self.count("aliases", len(aliases))
        self.progress(f"Organizations: {len(organizations)}.")

    def write_people(self):
        rng = self.random("people")
        first_pk, alias_pk, office_pk = next_pk(Person), next_pk(Alias), next_pk(Office)
        self.first_person_pk = first_pk
        self.person_names, self.person_countries = [], []
        self.people_by_country = {}
        self.offices = {}  # person index: [office pk]
        people, aliases, offices = [], [], []
        alias_kinds = Alias.Kind
        for index in range(self.people_count):
            pk = first_pk + index
            country = COUNTRY_OF_PEOPLE.draw(rng)
            native_name = native_language = ""
            honorific = ""
            if country in CHINESE_PARTS:
                surnames, given = CHINESE_PARTS[country]
                (surname, surname_native), (forename, forename_native) = rng.choice(surnames), rng.choice(given)
                woman = rng.random() < 0.35
                name = sort_name = f"{surname} {forename}"
                native_name, native_language = surname_native + forename_native, (
                    "zh-Hans" if country == "CN" else "zh-Hant"
                )
                if country == "HK" and rng.random() < 0.3:  # an English first name, as many in Hong Kong use
                    english = rng.choice(WESTERN_PARTS["GB"][1 if woman else 0])
                    name, sort_name = f"{english} {surname}", f"{surname}, {english}"
                forms = [(f"{'Ms' if woman else 'Mr'} {surname}", alias_kinds.SHORT),
                         (f"{name} ({native_name})", alias_kinds.FULL), (surname, alias_kinds.INFORMAL)]
            else:
                men, women, surnames = WESTERN_PARTS[country]
                woman = rng.random() < 0.4
                forename, surname = rng.choice(women if woman else men), rng.choice(surnames)
                name, sort_name = f"{forename} {surname}", f"{surname}, {forename}"
                if country == "GB":
                    honorific = HONORIFIC.draw(rng)
                    if woman and honorific in ("Sir", "Lord"):
                        honorific = {"Sir": "Dame", "Lord": "Baroness"}[honorific]
                    elif not woman and honorific in ("Dame", "Baroness"):
                        honorific = {"Dame": "Sir", "Baroness": "Lord"}[honorific]
                elif rng.random() < 0.04:
                    honorific = "Dr"
                if honorific in PEERS:
                    first = (f"{honorific} {surname} of {rng.choice(TOWNS)}", alias_kinds.TITLE)
                elif honorific in ("Sir", "Dame"):
                    first = (f"{honorific} {forename}", alias_kinds.SHORT)
                else:
                    first = (f"{'Ms' if woman else 'Mr'} {surname}", alias_kinds.SHORT)
                middle = rng.choice(WESTERN_PARTS[country][1 if woman else 0])[0]
                forms = [first, (f"{forename} {middle}. {surname}", alias_kinds.FULL), (surname, alias_kinds.INFORMAL)]
            people.append(
                Person(
                    pk=pk,
                    name=name,
                    slug=f"{PREFIX}{slugify(name)}-{index + 1}",
                    sort_name=sort_name,
                    honorific=honorific,
                    native_name=native_name,
                    native_name_language=native_language,
                    country=country,
                    description=f"{rng.choice(DESCRIPTIONS[country])} (generated for load tests).",
                    outside_fields=[],
                )
            )
            for alias, kind in forms[: rng.randint(1, 3)]:
                aliases.append(Alias(pk=alias_pk, person_id=pk, name=alias, kind=kind))
                alias_pk += 1
            if country in OFFICES and rng.random() < 0.3:
                start = draw_date(rng, datetime.date(1970, 1, 1).toordinal())
                for _ in range(rng.randint(1, 2)):
                    title, body = rng.choice(OFFICES[country])
                    if start.earliest is None:
                        end = UNKNOWN
                    else:
                        end = draw_date_after(rng, start.latest) if rng.random() < 0.6 else UNKNOWN
                    offices.append(
                        Office(
                            pk=office_pk,
                            person_id=pk,
                            title=title,
                            organization_id=self.first_organization_pk + CORE_BY_COUNTRY[country][body],
                            **start.as_fields("start"),
                            **end.as_fields("end"),
                        )
                    )
                    self.offices.setdefault(index, []).append(office_pk)
                    office_pk += 1
                    start = end if end.earliest else start
            self.person_names.append(f"{honorific} {name}" if honorific else name)
            self.person_countries.append(country)
            self.people_by_country.setdefault(country, []).append(index)
        with transaction.atomic():
            Person.objects.bulk_create(people, batch_size=self.batch_size)
            Alias.objects.bulk_create(aliases, batch_size=self.batch_size)
            Office.objects.bulk_create(offices, batch_size=self.batch_size)
        self.count("people", len(people))
        self.count("aliases", len(aliases))
        self.count("offices", len(offices))
        self.progress(f"People: {len(people)}, with {len(offices)} offices.")

    def draw_actor(self, rng):
        """(person index, None) or (None, organization index): a few of each are drawn very often."""
        if rng.random() < 0.75:
            return int(self.people_count * rng.random() ** SKEW), None
        return None, int(self.organization_count * rng.random() ** SKEW)

    def actor_name(self, actor):
        person, organization = actor
        return self.person_names[person] if person is not None else self.organization_names[organization]

    # Sources: generated text, and the sentences citations quote from it.

    def make_sentences(self):
        """A pool of sentences naming the archive's actors; each source's text is some of them."""
        rng = self.random("sentences")
        self.sentences = []
        for _ in range(min(50_000, max(200, self.event_count // 20))):
            place = PLACES.draw(rng)[0] or "Beijing"
            topic = self.topic_phrases[self.topic_draw.draw(rng)]
            self.sentences.append(
                rng.choice(SENTENCES).format(
                    a=self.actor_name(self.draw_actor(rng)), b=self.actor_name(self.draw_actor(rng)),
                    topic=topic, place=place,
                )
            )

    def write_sources(self):
        rng = self.random("sources")
        first_pk = next_pk(Source)
        self.first_source_pk = first_pk
        self.source_sentences = []
        sentence_count = len(self.sentences)
        batch = []
        for index in range(self.source_count):
            chosen = rng.sample(range(sentence_count), rng.randint(4, 10))
            paragraphs, at = [], 0
            while at < len(chosen):
                size = rng.randint(1, 3)
                paragraphs.append(" ".join(self.sentences[i] for i in chosen[at : at + size]))
                at += size
            text = "\n\n".join(paragraphs)
            # The pool may hold one sentence twice; a quote must be found once in its source.
            self.source_sentences.append([i for i in chosen if placement_problem(self.sentences[i], text) is None])
            kind = SOURCE_KIND.draw(rng)
            a, b = self.actor_name(self.draw_actor(rng)), self.actor_name(self.draw_actor(rng))
            topic = self.topic_names[self.topic_draw.draw(rng)]
            published = draw_date(rng)
            slug = f"{PREFIX}{kind.replace('_', '-')}-{index + 1}"
            batch.append(
                Source(
                    pk=first_pk + index,
                    slug=slug,
                    kind=kind,
                    title=SOURCE_TITLES[kind].format(a=a, b=b, topic=topic),
                    outlet=rng.choice(OUTLETS[kind]),
                    author=self.actor_name((int(self.people_count * rng.random()), None))
                    if kind == "news_article" and rng.random() < 0.7
                    else "",
                    url=f"https://example.org/{slug}" if rng.random() < 0.5 else "",
                    **published.as_fields("published"),
                    text=text,
                    notes=f"Generated by generate_archive (seed {self.seed}) for load tests; not a real document.",
                )
            )
            if len(batch) >= self.batch_size:
                self.flush(Source, batch)
        self.flush(Source, batch)
        self.progress(f"Sources: {self.source_count}.")

    def flush(self, model, rows):
        with transaction.atomic():
            model.objects.bulk_create(rows, batch_size=self.batch_size)
        self.count(str(model._meta.verbose_name_plural), len(rows))
        rows.clear()

    def draw_quote(self, rng):
        """(source pk, a sentence found once in that source's text)."""
        while True:  # past the rare source whose every sentence it holds twice
            index = rng.randrange(self.source_count)
            if self.source_sentences[index]:
                return self.first_source_pk + index, self.sentences[rng.choice(self.source_sentences[index])]

    # Sanctions are drawn before events, since some events announce them.

    def plan_sanctions(self):
        rng = self.random("sanctions")
        plans = []
        for _ in range(self.sanction_count):
            imposer = SANCTION_IMPOSERS.draw(rng)
            target_country = rng.choice(TARGETS_OF[imposer])
            target = None
            if rng.random() < 0.7 and self.people_by_country.get(target_country):
                target = (rng.choice(self.people_by_country[target_country]), None)
            elif self.organizations_by_country.get(target_country):
                target = (None, rng.choice(self.organizations_by_country[target_country]))
            else:
                target = (int(self.people_count * rng.random()), None)
            announced = draw_date(rng, datetime.date(1990, 1, 1).toordinal())
            status = SANCTION_STATUS.draw(rng)
            lifted = UNKNOWN
            if status == "lifted" and announced.latest:
                lifted = draw_date_after(rng, announced.latest)
            plans.append(
                {
                    "imposer": imposer,
                    "imposed_by": rng.choice(CORE_BY_COUNTRY[imposer]) if rng.random() < 0.7 else None,
                    "target": target,
                    "announced": announced,
                    "lifted": lifted,
                    "status": status,
                    "measures": rng.choice(MEASURES),
                    "topic": self.topic_draw.draw(rng),
                    "published": rng.random() < 0.97,
                }
            )
        # In date order, so a sanction answers one announced before it.
        plans.sort(key=lambda plan: plan["announced"].earliest or plan["announced"].latest or datetime.date.max)
        last_by_imposer = {}
        for number, plan in enumerate(plans):
            earlier = [i for imposer, i in last_by_imposer.items() if imposer != plan["imposer"]]
            answers = rng.random() < (0.6 if plan["imposer"] == "CN" else 0.15)
            plan["responds_to"] = rng.choice(earlier) if earlier and answers else None
            last_by_imposer[plan["imposer"]] = number
        # Two in five were announced at an event of their own.
        chosen = rng.sample(range(self.event_count), min(self.event_count, len(plans) * 2 // 5))
        self.announcements = {}
        for number, event_index in zip(rng.sample(range(len(plans)), len(chosen)), chosen, strict=True):
            plans[number]["event"] = event_index
            self.announcements[event_index] = plans[number]
        self.sanction_plans = plans

    # Events, with their participants, topics, citations and links to earlier events.

    def write_events(self):
        rng = self.random("events")
        event_pk, through_pk = next_pk(Event), next_pk(EventTopic)
        participation_pk, citation_pk, relation_pk = next_pk(Participation), next_pk(Citation), next_pk(EventRelation)
        self.first_event_pk = event_pk
        events, topics, participations, citations, relations = [], [], [], [], []
        person_pk, organization_pk = self.first_person_pk, self.first_organization_pk
        draw_actor, draw_quote, offices = self.draw_actor, self.draw_quote, self.offices
        for index in range(self.event_count):
            pk = event_pk + index
            plan = self.announcements.get(index)
            if plan:
                kind = "sanction_announcement"
                date = plan["announced"]
                imposer = CORE_BY_COUNTRY[plan["imposer"]][0] if plan["imposed_by"] is None else plan["imposed_by"]
                actors = [(None, imposer), plan["target"]]
                topic_pks = [plan["topic"]]
                place, country = "", plan["imposer"]
            else:
                kind = EVENT_KIND.draw(rng)
                date = draw_date(rng)
                actors = []
                for _ in range(PARTICIPANT_COUNT.draw(rng)):
                    actor = draw_actor(rng)
                    if actor not in actors:
                        actors.append(actor)
                topic_pks = list({self.topic_draw.draw(rng) for _ in range(TOPIC_COUNT.draw(rng))})
                place, country = PLACES.draw(rng)
            first_role, other_role = ROLES_BY_KIND[kind]
            for order, (person, organization) in enumerate(actors):
                office = None
                if person is not None and person in offices and rng.random() < 0.5:
                    office = rng.choice(offices[person])
                participations.append(
                    Participation(
                        pk=participation_pk,
                        event_id=pk,
                        person_id=None if person is None else person_pk + person,
                        organization_id=None if organization is None else organization_pk + organization,
                        role=first_role if order == 0 else other_role,
                        office_id=office,
                        order=order,
                    )
                )
                participation_pk += 1
            for topic_pk in topic_pks:
                topics.append(EventTopic(pk=through_pk, event_id=pk, topic_id=topic_pk))
                through_pk += 1
            words = {
                "a": self.actor_name(actors[0]),
                "b": self.actor_name(actors[1]) if len(actors) > 1 else "officials",
                "topic": self.topic_names[topic_pks[0]] if topic_pks else "relations with China",
                "place": place or "the region",
            }
            title = TITLES[kind].format(**words)
            summary = rng.choice(SUMMARIES).format(**words)
            if place:
                title = f"{title} in {place}" if kind in ("meeting", "debate", "agreement") else title
            events.append(
                Event(
                    pk=pk,
                    title=title,
                    slug=f"{PREFIX}{kind.replace('_', '-')}-{index + 1}",
                    kind=kind,
                    **date.as_fields("date"),
                    place=place,
                    country=country,
                    summary=summary,
                    is_published=rng.random() >= 0.02,
                )
            )
            for _ in range(CITATION_COUNT.draw(rng)):
                source_pk, quote = draw_quote(rng)
                citations.append(Citation(pk=citation_pk, source_id=source_pk, quote=quote, event_id=pk))
                citation_pk += 1
            if index and rng.random() < 0.04:
                relations.append(
                    EventRelation(
                        pk=relation_pk, from_event_id=pk, to_event_id=event_pk + rng.randrange(index),
                        relation=RELATION.draw(rng),
                    )
                )
                relation_pk += 1
            if len(events) >= self.batch_size:
                self.write_event_batch(events, topics, participations, citations, relations)
        self.write_event_batch(events, topics, participations, citations, relations)

    def write_event_batch(self, events, topics, participations, citations, relations):
        if not events:
            return
        with transaction.atomic():
            for model, rows in [(Event, events), (EventTopic, topics), (Participation, participations),
                                (Citation, citations), (EventRelation, relations)]:
                model.objects.bulk_create(rows, batch_size=self.batch_size)
                name = {EventTopic: "topic links"}.get(model, model._meta.verbose_name_plural)
                self.count(str(name), len(rows))
                rows.clear()
        self.progress(f"Events: {self.counts['events']} of {self.event_count}.")

    def write_sanctions(self):
        rng = self.random("sanction citations")
        first_pk, citation_pk, status_change_pk = next_pk(Sanction), next_pk(Citation), next_pk(StatusChange)
        organization_pk = self.first_organization_pk
        sanctions, citations, responses, status_log = [], [], [], []
        for number, plan in enumerate(self.sanction_plans):
            person, organization = plan["target"]
            if plan["responds_to"] is not None:
                responses.append(
                    SanctionResponse(sanction_id=first_pk + number, answers_sanction_id=first_pk + plan["responds_to"])
                )
            sanctions.append(
                Sanction(
                    pk=first_pk + number,
                    imposing_country=plan["imposer"],
                    imposed_by_id=None if plan["imposed_by"] is None else organization_pk + plan["imposed_by"],
                    target_person_id=None if person is None else self.first_person_pk + person,
                    target_organization_id=None if organization is None else organization_pk + organization,
                    regime=REGIMES[plan["imposer"]],
                    measures=plan["measures"],
                    reason=f"Over {self.topic_phrases[plan['topic']]} (generated for load tests).",
                    status=plan["status"],
                    **plan["announced"].as_fields("announced"),
                    announced_in_id=self.first_event_pk + plan["event"] if "event" in plan else None,
                    is_published=plan["published"],
                )
            )
            # Its status log, each entry with a quote of its own, ending in the status drawn: nothing
            # for an unknown status, as a sanction no document dates has an empty log.
            changes = {
                "active": [("imposed", plan["announced"])],
                "lifted": [("imposed", plan["announced"]), ("lifted", plan["lifted"])],
                "suspended": [("imposed", plan["announced"]), ("suspended", UNKNOWN)],
                "unknown": [],
            }[plan["status"]]
            for change, date in changes or [(None, None)]:
                source_pk, quote = self.draw_quote(rng)
                citations.append(
                    Citation(pk=citation_pk, source_id=source_pk, quote=quote, sanction_id=first_pk + number)
                )
                if change is not None:
                    status_log.append(
                        StatusChange(pk=status_change_pk, sanction_id=first_pk + number, change=change,
                                     citation_id=citation_pk, **date.as_fields("date"))
                    )
                    status_change_pk += 1
                citation_pk += 1
        with transaction.atomic():
            Sanction.objects.bulk_create(sanctions, batch_size=self.batch_size)
            Citation.objects.bulk_create(citations, batch_size=self.batch_size)
            StatusChange.objects.bulk_create(status_log, batch_size=self.batch_size)
            SanctionResponse.objects.bulk_create(responses, batch_size=self.batch_size)
        self.count("sanctions", len(sanctions))
        self.count("sanction responses", len(responses))
        self.count("status changes", len(status_log))
        self.count("citations", len(citations))
        self.progress(f"Sanctions: {len(sanctions)}.")
