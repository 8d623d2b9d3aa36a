"""The words the synthetic archive is made of (names, offices, places, phrases) and how often each is drawn.

What the generator makes from them is described in events/management/commands/generate_archive.py.
"""

from bisect import bisect
from itertools import accumulate


class Weighted:
    """Draws one value of `pairs`, (value, weight), by weight, quickly: one random() and one bisect."""

    def __init__(self, pairs):
        self.values = [value for value, _ in pairs]
        self.cumulative = list(accumulate(weight for _, weight in pairs))
        self.total = self.cumulative[-1]

    def draw(self, rng):
        return self.values[bisect(self.cumulative, rng.random() * self.total)]



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
