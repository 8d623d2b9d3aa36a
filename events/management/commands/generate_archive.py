"""Build a synthetic archive of N events, to see how Diplo behaves with far more data than it holds.

    manage.py generate_archive 100000 --seed 1
    manage.py generate_archive 100000 --seed 1 --replace   # delete generated records first

The same seed gives the same records, row for row, on SQLite and PostgreSQL alike (on a database
that holds the same records to begin with); `--batch-size` changes only how they are written.
For N events it makes about N/20 people (each with 1-3 aliases, some with offices), N/100
organizations (at least 10), N/5 sources with generated text, N/50 sanctions, and the real topic
tree (taken from fixtures/diplo.json, so names and slugs match the archive's). Every event has 1-6
participants, drawn so that a few people and organizations take part in very many events, and 1-3
citations, each quoting its source's text verbatim. Dates run from 1950 to 2026, to the day, the
month or the year, or unknown; a few events and sanctions are drafts.

Generated people, organizations, events and sources have slugs starting with "gen-"; with
`--replace` those and everything hanging from them are deleted before the new ones are made, and
real records are left alone. Without it the command refuses a database that already holds events.

Speed: rows are written with bulk_create in batches, with their primary keys chosen here, so a
million events load in minutes. bulk_create sends no signals, so nothing lands in the edit
history: loading data is not an edit.
"""

import calendar
import datetime
import json
import random
import time
from bisect import bisect
from itertools import accumulate

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils.text import slugify

from events.dates import Precision
from events.models import (
    Alias,
    Citation,
    Event,
    EventRelation,
    Organization,
    Participation,
    Person,
    Office,
    Sanction,
    Source,
    Topic,
)

PREFIX = "gen-"
FIRST_DAY = datetime.date(1950, 1, 1).toordinal()
LAST_DAY = datetime.date(2026, 12, 31).toordinal()
# Participants are drawn as int(count * random() ** SKEW): the first 1% of actors take about
# 0.01 ** (1 / SKEW), a fifth, of all participations, as the most prominent do in a real archive.
SKEW = 3.0
EventTopic = Event.topics.through


class Weighted:
    """Draws from `choices` with the given weights, quickly: one random() and one bisect."""

    def __init__(self, pairs):
        self.values = [value for value, _ in pairs]
        self.cumulative = list(accumulate(weight for _, weight in pairs))
        self.total = self.cumulative[-1]

    def draw(self, rng):
        return self.values[bisect(self.cumulative, rng.random() * self.total)]


# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

WESTERN_NAMES = {
    # country: (men's first names, women's first names, surnames)
    "GB": (
        "David James Thomas William Richard Andrew Robert Michael Peter John Edward Oliver Harry George "
        "Charles Henry Alexander Daniel Matthew Simon Nicholas Stephen Graham Alistair Hugh Iain Keith",
        "Sarah Emma Catherine Elizabeth Anne Helen Rachel Victoria Charlotte Alison Jane Margaret Priti "
        "Yvette Liz Nusrat Lisa Fiona Angela Harriet Joanna Bridget Wendy Kemi Shabana",
        "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker White "
        "Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis Hughes Edwards Harrison Morgan Cooper Ward "
        "Hunt Bennett Gray Ellis Fraser Campbell Stewart Murray Grant Reid Marshall Owen Pryce Lloyd "
        "Ashworth Fairbairn Hollingsworth Pemberton Whitaker Kingsley Ogilvy Ramsay",
    ),
    "US": (
        "John Michael Robert Brian Kevin Mark Jeffrey Scott Ryan Marco Antony Lloyd Mike Jake Chris",
        "Nancy Hillary Condoleezza Janet Gina Linda Elise Kamala Samantha Wendy Katherine Susan",
        "Miller Davis Garcia Rodriguez Martinez Anderson Taylor Moore Blinken Rubio Sullivan Austin Burns "
        "Campbell Kritenbrink Gallagher Krishnamoorthi Pelosi McCaul Risch Cardin",
    ),
    "CA": (
        "Justin Marc Stephen Pierre Jean Michael Dominic Bill",
        "Mélanie Chrystia Anita Catherine Mary Diane",
        "Tremblay Gagnon Roy Côté Bouchard Gauthier Morin Lavoie Fortin Joly Garneau Champagne",
    ),
    "DE": (
        "Olaf Frank Walter Heiko Jürgen Markus Friedrich Robert Christian",
        "Annalena Angela Ursula Svenja Katarina Nancy",
        "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Baerbock Scholz",
    ),
    "EU": (
        "Josep Charles Valdis Thierry Maroš Olivér Kaja Antonio",
        "Ursula Margrethe Věra Helena Roberta Kaja Dubravka",
        "Borrell Michel Dombrovskis Breton Šefčovič Várhelyi Kallas Costa Vestager Metsola Šuica",
    ),
    "RU": (
        "Sergey Dmitry Vladimir Nikolai Andrei Alexei",
        "Maria Valentina Elvira Tatiana Svetlana",
        "Lavrov Peskov Medvedev Zakharova Nabiullina Ryabkov Ivanov Smirnov Kuznetsov Popov",
    ),
    "UA": (
        "Volodymyr Dmytro Andriy Oleksii Denys Rustem",
        "Olena Iryna Yulia Oksana",
        "Zelensky Kuleba Yermak Reznikov Shmyhal Umerov Sybiha Stefanchuk Kovalenko Bondarenko",
    ),
}
CHINESE_NAMES = {
    # country: (surnames, given names), each "Romanized:characters"; Hong Kong and Taiwan in traditional script.
    "CN": (
        "Wang:王 Li:李 Zhang:张 Liu:刘 Chen:陈 Yang:杨 Zhao:赵 Huang:黄 Zhou:周 Wu:吴 Xu:徐 Sun:孙 Hu:胡 "
        "Zhu:朱 Gao:高 Lin:林 He:何 Guo:郭 Ma:马 Luo:罗 Liang:梁 Song:宋 Zheng:郑 Xie:谢 Han:韩 Tang:唐 "
        "Feng:冯 Yu:于 Dong:董 Xiao:萧 Cheng:程 Cao:曹 Yuan:袁 Deng:邓 Fu:傅 Shen:沈 Zeng:曾 Peng:彭 Qin:秦",
        "Wei:伟 Fang:芳 Na:娜 Min:敏 Jing:静 Li:丽 Qiang:强 Lei:磊 Jun:军 Yang:洋 Yong:勇 Yan:艳 Jie:杰 "
        "Tao:涛 Ming:明 Chao:超 Xiuying:秀英 Hua:华 Ping:平 Gang:刚 Guiying:桂英 Jianguo:建国 Xiaoming:晓明 "
        "Yi:毅 Gang:钢 Kequan:克全 Zheng:正 Xuexiang:薛祥 Huning:沪宁 Zhaoxu:朝旭 Zhiqiang:志强",
    ),
    "HK": (
        "Chan:陳 Wong:黃 Lee:李 Cheung:張 Lau:劉 Leung:梁 Lam:林 Ho:何 Tsang:曾 Yip:葉 Tang:鄧 Kwok:郭",
        "Ka-wai:嘉慧 Chi-ming:志明 Wing-yan:詠欣 Ho-yin:浩賢 Man-kit:文傑 Siu-fung:少峰 Yuk-ling:玉玲 Kin-chung:建中",
    ),
    "TW": (
        "Chen:陳 Lin:林 Huang:黃 Chang:張 Lee:李 Wang:王 Wu:吳 Liu:劉 Tsai:蔡 Yang:楊 Hsu:許 Lai:賴",
        "Ing-wen:英文 Ching-te:清德 Chia-lung:佳龍 Hsiao-kuang:曉光 Mei-ling:美玲 Chih-wei:志偉 Shu-fen:淑芬",
    ),
}
COUNTRY_OF_PEOPLE = Weighted(
    [("GB", 34), ("CN", 28), ("HK", 7), ("US", 10), ("EU", 4), ("DE", 4), ("CA", 3), ("TW", 4), ("RU", 3), ("UA", 3)]
)
PEERS = ["Lord", "Baroness"]
HONORIFIC = Weighted([("", 80), ("Sir", 6), ("Dame", 2), ("Lord", 5), ("Baroness", 3), ("Dr", 4)])
TOWNS = (
    "Liverpool Leeds Bristol Sheffield Norwich Durham Bath Exeter Lancaster Stirling Ludlow Richmond Tonbridge "
    "Chingford Shaws Blaby Hove Wells Ripon Truro"
).split()
DESCRIPTIONS = {
    "GB": ["Member of Parliament", "Peer", "Diplomat", "Minister", "Civil servant", "Campaigner", "Journalist"],
    "CN": ["Diplomat", "Official of the Communist Party", "Minister", "Spokesperson", "Delegate to the NPC"],
    "HK": ["Pro-democracy activist", "Member of the Legislative Council", "Official", "Publisher", "Lawyer"],
    "TW": ["Legislator", "Minister", "Diplomat"],
    "US": ["Member of Congress", "Official of the State Department", "Senator", "Diplomat"],
    "EU": ["Member of the European Parliament", "Commissioner", "Diplomat"],
    "DE": ["Minister", "Member of the Bundestag", "Diplomat"],
    "CA": ["Member of Parliament", "Minister", "Diplomat"],
    "RU": ["Minister", "Spokesperson", "Diplomat"],
    "UA": ["Minister", "Diplomat", "Member of the Verkhovna Rada"],
}
OFFICES = {
    # country: [(title, index into that country's core organizations or None)]
    "GB": [("Foreign Secretary", 1), ("Minister of State for the Indo-Pacific", 1), ("Ambassador to China", 1),
           ("Member of Parliament", 2), ("Chair of the Foreign Affairs Committee", 2), ("Prime Minister", 0),
           ("Security Minister", 0)],
    "CN": [("Foreign Minister", 1), ("Vice Foreign Minister", 1), ("Ambassador to the United Kingdom", 1),
           ("Spokesperson of the Ministry of Foreign Affairs", 1), ("Vice Premier", 0), ("Delegate", 2)],
    "US": [("Secretary of State", 0), ("Ambassador to China", 0)],
    "EU": [("High Representative for Foreign Affairs", 0)],
    "CA": [("Minister of Foreign Affairs", 0)],
    "HK": [("Chief Executive", 0), ("Secretary for Security", 0)],
}
# Organizations that exist whatever N is, so sanctions have imposers and offices have bodies to sit in.
CORE_ORGANIZATIONS = [
    # country, kind, name, parent (index in this list), abbreviation
    ("GB", "government", "Government of the United Kingdom", None, "HMG"),
    ("GB", "ministry", "Foreign and Commonwealth Office", 0, "FCO"),
    ("GB", "parliament", "Parliament of the United Kingdom", None, ""),
    ("CN", "government", "State Council of the People's Republic of China", None, ""),
    ("CN", "ministry", "Ministry of Foreign Affairs of the People's Republic of China", 3, "MFA"),
    ("CN", "parliament", "National People's Congress", None, "NPC"),
    ("US", "ministry", "United States Department of State", None, ""),
    ("EU", "international", "Council of the European Union", None, ""),
    ("CA", "ministry", "Global Affairs Canada", None, "GAC"),
    ("HK", "government", "Government of the Hong Kong Special Administrative Region", None, "HKSAR Government"),
]
CORE_BY_COUNTRY = {}
for _index, (_country, *_) in enumerate(CORE_ORGANIZATIONS):
    CORE_BY_COUNTRY.setdefault(_country, []).append(_index)
ORGANIZATION_KIND = Weighted(
    [("company", 30), ("ngo", 14), ("media", 12), ("committee", 12), ("state_body", 12), ("ministry", 8),
     ("party", 4), ("court", 3), ("international", 3), ("parliament", 2)]
)
COUNTRY_OF_ORGANIZATIONS = Weighted(
    [("GB", 32), ("CN", 30), ("HK", 8), ("US", 10), ("EU", 4), ("DE", 4), ("CA", 3), ("TW", 4), ("RU", 2), ("UA", 3)]
)
ADJECTIVE = {"GB": "British", "CN": "Chinese", "HK": "Hong Kong", "US": "American", "EU": "European",
             "DE": "German", "CA": "Canadian", "TW": "Taiwanese", "RU": "Russian", "UA": "Ukrainian"}
ORGANIZATION_WORDS = {
    "company": ("Pacific Northern Imperial Golden Harbour Dragon Crown Silk Summit Meridian Pearl Eastern "
                "Union Great Wall Lotus Phoenix Sterling", "Steel Shipping Solar Telecom Cotton Vision Semiconductor "
                "Trading Rail Textiles Robotics Energy Capital Aviation Pharma", "Group Holdings Ltd Corporation plc"),
    "ngo": ("Rights Freedom Justice Liberty Open Uyghur Tibet Hong Kong Democracy Labour",
            "Watch Alliance Foundation Trust Network Council Initiative", "International Project"),
    "media": ("Daily Morning Evening Weekly Global Harbour Capital", "Post Times Herald Observer Courier "
              "Gazette Broadcasting News", "Online Group"),
    "committee": ("Foreign Affairs Human Rights Defence Trade Intelligence Security Business Science",
                  "Committee Select Committee Subcommittee Working Group", "Inquiry"),
    "state_body": ("Customs National Security Export Control Public Security Cyberspace Maritime Statistics",
                   "Bureau Office Administration Commission Agency Authority", "Service"),
    "ministry": ("Trade Defence Commerce Justice Home Affairs Culture Education Energy",
                 "Ministry Department", "Office"),
    "party": ("Liberal Conservative Democratic Progressive Labour Green Unity Reform",
              "Party Alliance Movement", "Front"),
    "court": ("High Supreme Appeal District Constitutional", "Court Tribunal", "Bench"),
    "international": ("United World Global Asian Atlantic Pacific", "Organisation Forum Bank Council Partnership",
                      "Assembly"),
    "parliament": ("Regional Provincial Municipal Legislative", "Assembly Council Chamber", "Congress"),
}
ORGANIZATION_WORDS = {kind: tuple(part.split() for part in parts) for kind, parts in ORGANIZATION_WORDS.items()}
PLACES = Weighted(
    [(("Beijing", "CN"), 20), (("Shanghai", "CN"), 5), (("London", "GB"), 20), (("Hong Kong", "HK"), 8),
     (("Brussels", "EU"), 5), (("Washington", "US"), 7), (("Ottawa", "CA"), 2), (("Berlin", "DE"), 3),
     (("Moscow", "RU"), 2), (("Taipei", "TW"), 4), (("Kyiv", "UA"), 2), (("Manchester", "GB"), 2),
     (("Guangzhou", "CN"), 2), (("Munich", "DE"), 1), (("New York", "US"), 2), (("", ""), 15)]
)
TOPIC_WEIGHTS = {
    "human-rights": 6, "xinjiang": 8, "hong-kong": 8, "tibet": 2, "transnational-repression": 3,
    "forced-labour": 2, "security": 5, "taiwan": 5, "espionage": 3, "surveillance-technology": 2,
    "russia-ukraine": 3, "trade-and-economy": 8, "climate": 3, "global-health": 1, "ai": 1,
    "parliamentary-exchanges": 3,
}
TOPIC_COUNT = Weighted([(0, 10), (1, 45), (2, 30), (3, 15)])
PARTICIPANT_COUNT = Weighted([(1, 15), (2, 30), (3, 25), (4, 15), (5, 10), (6, 5)])
CITATION_COUNT = Weighted([(1, 50), (2, 35), (3, 15)])
EVENT_KIND = Weighted(
    [("meeting", 22), ("statement", 20), ("visit", 10), ("speech", 10), ("letter", 6), ("report", 5),
     ("debate", 6), ("policy_decision", 6), ("agreement", 5), ("military_exercise", 3),
     ("sanction_announcement", 3)]
)
ROLES_BY_KIND = {
    # the first participant's role, then everyone else's
    "meeting": ("host", "visitor"),
    "visit": ("visitor", "host"),
    "statement": ("speaker", "mentioned"),
    "speech": ("speaker", "mentioned"),
    "letter": ("author", "recipient"),
    "report": ("author", "mentioned"),
    "debate": ("speaker", "speaker"),
    "policy_decision": ("author", "mentioned"),
    "agreement": ("signatory", "signatory"),
    "military_exercise": ("host", "mentioned"),
    "sanction_announcement": ("author", "target"),
}
TITLES = {
    "meeting": "{a} meets {b}",
    "visit": "{a} visits {place}",
    "statement": "{a} makes a statement on {topic}",
    "speech": "{a} speaks on {topic}",
    "letter": "{a} writes to {b} about {topic}",
    "report": "{a} reports on {topic}",
    "debate": "Debate on {topic}",
    "policy_decision": "{a} decides its approach to {topic}",
    "agreement": "{a} and {b} agree on {topic}",
    "military_exercise": "Military exercise near {place}",
    "sanction_announcement": "{a} announces sanctions over {topic}",
}
SUMMARIES = [
    "{a} raised {topic} with {b}, according to the sources.",
    "The sources report that {a} set out a position on {topic}; {b} was named in the exchange.",
    "{a} and {b} discussed {topic}. The reports differ on what was agreed.",
    "A record of {a} on {topic}, as reported; {b} responded.",
]
SENTENCES = [
    "{a} said the talks on {topic} had been “frank and constructive”.",
    "“We will not stay silent on {topic},” {a} told reporters in {place}.",
    "{a} met {b} in {place} to discuss {topic}.",
    "{b} accused {a} of interfering in China's internal affairs over {topic}.",
    "The meeting between {a} and {b} lasted just over an hour, officials said.",
    "{a} is expected to raise {topic} when {b} visits {place} next month.",
    "In a statement, {b} said it “firmly opposes” the measures on {topic}.",
    "Critics said {a} had not gone far enough on {topic}.",
    "{a} described relations with {b} as “at a crossroads”.",
    "Asked about {topic}, {b} declined to comment.",
    "{a} wrote to {b} setting out concerns about {topic}.",
    "The decision on {topic} follows months of pressure from MPs, {a} said.",
]
SENTENCE_TOPIC = {
    "human-rights": "human rights", "xinjiang": "the treatment of the Uighurs", "hong-kong": "Hong Kong",
    "tibet": "Tibet", "transnational-repression": "transnational repression", "forced-labour": "forced labour",
    "security": "national security", "taiwan": "the Taiwan Strait", "espionage": "espionage",
    "surveillance-technology": "surveillance cameras", "russia-ukraine": "the war in Ukraine",
    "trade-and-economy": "trade", "climate": "climate change", "global-health": "global health",
    "ai": "artificial intelligence", "parliamentary-exchanges": "the sanctioned parliamentarians",
}
SOURCE_KIND = Weighted(
    [("news_article", 60), ("press_release", 12), ("statement", 12), ("letter", 6), ("report", 10)]
)
OUTLETS = {
    "news_article": ["The Daily Courier", "The Morning Herald", "Harbour Post", "Capital Observer", "Global Wire",
                     "The Evening Gazette", "Pacific Times", "Radio Bulletin"],
    "press_release": ["Foreign Office press office", "Ministry of Foreign Affairs press office"],
    "statement": ["Embassy website", "Ministry website", "Parliament website"],
    "letter": ["A parliamentarian's blog", "Committee correspondence"],
    "report": ["Committee report", "Think-tank report", "Congressional commission"],
}
SOURCE_TITLES = {
    "news_article": "{a} and {b}: what was said on {topic}",
    "press_release": "Press release: {a} on {topic}",
    "statement": "Statement by {a} on {topic}",
    "letter": "Letter from {a} to {b} on {topic}",
    "report": "Report on {topic}",
}
SANCTION_IMPOSERS = Weighted([("CN", 50), ("GB", 20), ("US", 15), ("EU", 10), ("CA", 5)])
TARGETS_OF = {"CN": ["GB", "US", "EU", "DE", "CA", "TW"], "GB": ["CN", "HK"], "US": ["CN", "HK"],
              "EU": ["CN"], "CA": ["CN"]}
REGIMES = {
    "CN": "Anti-Foreign Sanctions Law",
    "GB": "Global Human Rights sanctions regime",
    "US": "Global Magnitsky Human Rights Accountability Act",
    "EU": "EU Global Human Rights Sanctions Regime",
    "CA": "Special Economic Measures Act",
}
MEASURES = ["asset freeze", "travel ban", "asset freeze and travel ban", "entry ban", "ban on doing business",
            "entry ban and asset freeze"]
SANCTION_STATUS = Weighted([("active", 75), ("lifted", 10), ("suspended", 3), ("unknown", 12)])
RELATION = Weighted([("responds_to", 50), ("follows", 35), ("part_of", 15)])


def name_parts(text):
    return [part.split(":") for part in text.split()]


CHINESE_PARTS = {
    country: (name_parts(surnames), name_parts(given)) for country, (surnames, given) in CHINESE_NAMES.items()
}
WESTERN_PARTS = {
    country: tuple(part.split() for part in parts) for country, parts in WESTERN_NAMES.items()
}


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------


def fuzzy_date(rng, first=FIRST_DAY, last=LAST_DAY):
    """(precision, earliest, latest), valid by events.dates' rules; later years are likelier."""
    day = datetime.date.fromordinal(first + int((last - first + 1) * rng.random() ** 0.5))
    r = rng.random()
    if r < 0.60:
        return Precision.DAY, day, day
    if r < 0.78:
        month_end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        return Precision.MONTH, day.replace(day=1), month_end
    if r < 0.82:
        # "Earlier this week": some days inside one month.
        month_end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        return Precision.MONTH, day, min(day + datetime.timedelta(days=rng.randrange(1, 7)), month_end)
    if r < 0.93:
        return Precision.YEAR, datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)
    r = rng.random()
    if r < 0.6:
        return Precision.UNKNOWN, None, None
    if r < 0.8:
        return Precision.UNKNOWN, None, day  # "before ..."
    return Precision.UNKNOWN, day - datetime.timedelta(days=rng.randrange(30, 3000)), day


def later_date(rng, after):
    """An end date after the day `after`, by 2026: four times in five a day, else of any precision."""
    first = min(after.toordinal() + 1, LAST_DAY)
    return fuzzy_date(rng, first, LAST_DAY) if rng.random() < 0.2 else _day_after(rng, first)


def _day_after(rng, first):
    day = datetime.date.fromordinal(first + rng.randrange(LAST_DAY - first + 1))
    return Precision.DAY, day, day


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------


class Command(BaseCommand):
    help = "Build a synthetic archive of N events, the same for the same seed (slugs start with “gen-”)."

    def add_arguments(self, parser):
        parser.add_argument("events", type=int, help="How many events to make.")
        parser.add_argument("--seed", type=int, default=1, help="The same seed makes the same archive (default 1).")
        parser.add_argument(
            "--batch-size", type=int, default=10_000, help="Events written per transaction (default 10,000)."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the generated records first (real records are kept), and run even if events exist.",
        )

    def handle(self, *args, events, seed, batch_size, replace, **options):
        if events < 1:
            raise CommandError("Ask for at least one event.")
        if batch_size < 1:
            raise CommandError("The batch size must be at least 1.")
        self.verbosity = options["verbosity"]
        self.started = time.monotonic()
        if replace:
            with transaction.atomic():
                deleted = delete_generated()
            self.progress(f"Deleted {deleted} generated rows.")
        elif Event.objects.exists():
            raise CommandError(
                f"The database already holds {Event.objects.count()} events. Use --replace to delete the "
                "generated ones and add a new synthetic archive beside any real records."
            )
        with fast_bulk_writes():
            archive = Generator(events, seed, batch_size, progress=self.progress)
            counts = archive.write()
            reset_sequences()
        self.progress("Analysed the tables for the query planner.")
        elapsed = time.monotonic() - self.started
        self.stdout.write(
            ", ".join(f"{count} {name}" for name, count in counts.items())
            + f" generated with seed {seed} in {elapsed:.0f} s."
        )

    def progress(self, message):
        if self.verbosity >= 2:
            self.stdout.write(f"[{time.monotonic() - self.started:6.1f} s] {message}")


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
        }[model]
    )


def delete_generated():
    """Delete every generated row, dependants first, in plain DELETE statements.

    Not QuerySet.delete(): it sends a signal per row, and the history would record each
    generated record's removal as an edit (and take hours over a million events).
    """
    order = [Citation, Sanction, Participation, EventRelation, EventTopic, Event, Office, Alias, Source, Person,
             Organization]
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
              Sanction, Citation]
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
                start = fuzzy_date(rng, datetime.date(1970, 1, 1).toordinal())
                for _ in range(rng.randint(1, 2)):
                    title, body = rng.choice(OFFICES[country])
                    if start[1] is None:
                        end = (Precision.UNKNOWN, None, None)
                    else:
                        end = later_date(rng, start[2]) if rng.random() < 0.6 else (Precision.UNKNOWN, None, None)
                    offices.append(
                        Office(
                            pk=office_pk,
                            person_id=pk,
                            title=title,
                            organization_id=self.first_organization_pk + CORE_BY_COUNTRY[country][body],
                            start_precision=start[0], start_earliest=start[1], start_latest=start[2],
                            end_precision=end[0], end_earliest=end[1], end_latest=end[2],
                        )
                    )
                    self.offices.setdefault(index, []).append(office_pk)
                    office_pk += 1
                    start = end if end[1] else start
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
            chosen = [rng.randrange(sentence_count) for _ in range(rng.randint(4, 10))]
            self.source_sentences.append(chosen)
            paragraphs, at = [], 0
            while at < len(chosen):
                size = rng.randint(1, 3)
                paragraphs.append(" ".join(self.sentences[i] for i in chosen[at : at + size]))
                at += size
            kind = SOURCE_KIND.draw(rng)
            a, b = self.actor_name(self.draw_actor(rng)), self.actor_name(self.draw_actor(rng))
            topic = self.topic_names[self.topic_draw.draw(rng)]
            precision, earliest, latest = fuzzy_date(rng)
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
                    published_precision=precision,
                    published_earliest=earliest,
                    published_latest=latest,
                    text="\n\n".join(paragraphs),
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
        """(source pk, a sentence of that source's text)."""
        index = rng.randrange(self.source_count)
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
            announced = fuzzy_date(rng, datetime.date(1990, 1, 1).toordinal())
            status = SANCTION_STATUS.draw(rng)
            lifted = (Precision.UNKNOWN, None, None)
            if status == "lifted" and announced[2]:
                lifted = later_date(rng, announced[2])
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
        plans.sort(key=lambda plan: plan["announced"][1] or plan["announced"][2] or datetime.date.max)
        last_by_imposer = {}
        for number, plan in enumerate(plans):
            earlier = [i for imposer, i in last_by_imposer.items() if imposer != plan["imposer"]]
            answers = rng.random() < (0.6 if plan["imposer"] == "CN" else 0.15)
            plan["responds_to"] = rng.choice(earlier) if earlier and answers else None
            last_by_imposer[plan["imposer"]] = number
        # Two in five were announced at an event of their own.
        chosen = rng.sample(range(self.event_count), min(self.event_count, len(plans) * 2 // 5))
        self.announcements = {}
        for number, event_index in zip(rng.sample(range(len(plans)), len(chosen)), chosen):
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
                precision, earliest, latest = plan["announced"]
                imposer = CORE_BY_COUNTRY[plan["imposer"]][0] if plan["imposed_by"] is None else plan["imposed_by"]
                actors = [(None, imposer), plan["target"]]
                topic_pks = [plan["topic"]]
                place, country = "", plan["imposer"]
            else:
                kind = EVENT_KIND.draw(rng)
                precision, earliest, latest = fuzzy_date(rng)
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
                    date_precision=precision,
                    date_earliest=earliest,
                    date_latest=latest,
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
        first_pk, citation_pk = next_pk(Sanction), next_pk(Citation)
        organization_pk = self.first_organization_pk
        sanctions, citations = [], []
        for number, plan in enumerate(self.sanction_plans):
            person, organization = plan["target"]
            responds_to = plan["responds_to"]
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
                    announced_precision=plan["announced"][0],
                    announced_earliest=plan["announced"][1],
                    announced_latest=plan["announced"][2],
                    lifted_precision=plan["lifted"][0],
                    lifted_earliest=plan["lifted"][1],
                    lifted_latest=plan["lifted"][2],
                    responds_to_id=None if responds_to is None else first_pk + responds_to,
                    announced_in_id=self.first_event_pk + plan["event"] if "event" in plan else None,
                    is_published=plan["published"],
                )
            )
            source_pk, quote = self.draw_quote(rng)
            citations.append(Citation(pk=citation_pk, source_id=source_pk, quote=quote, sanction_id=first_pk + number))
            citation_pk += 1
        with transaction.atomic():
            Sanction.objects.bulk_create(sanctions, batch_size=self.batch_size)
            Citation.objects.bulk_create(citations, batch_size=self.batch_size)
        self.count("sanctions", len(sanctions))
        self.count("citations", len(citations))
        self.progress(f"Sanctions: {len(sanctions)}.")
