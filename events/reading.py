"""Reading a source's text for the editors' work page (events/workbench.py): the names the
archive knows in it, the names it does not, the topics whose words appear, and where a pasted
passage is. Pure functions of the text and the records passed in.

Names are matched as the actor filter reads a typed name (events/names.py): a name, an alias,
either with an honorific before it or without ("Mr Lammy", "Lammy"), and straight or
typographic apostrophes alike. They are matched with their capitals, as documents print names:
ignoring case would make the organization "Parliament" of every "parliament".
"""

import re
from dataclasses import dataclass, field

from .names import HONORIFICS

QUOTE_FORMS = {"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'", "′": "'", "″": '"'}


@dataclass
class Actor:
    """A person or organization the archive knows, with the forms of its name to look for."""

    kind: str  # "person" or "organization"
    pk: int
    name: str
    forms: set = field(default_factory=set)
    surname: str | None = None  # a person's family name, found after an honorific or, if no one else has it, alone


@dataclass(frozen=True)
class NameFound:
    start: int
    end: int
    text: str
    actor: Actor | None  # None: a name that matches no one in the archive


@dataclass(frozen=True)
class TopicFound:
    pk: int
    name: str
    words: tuple  # the words of the text that suggested it


def surname_of(sort_name):
    """The family name in a person's sort name: "Lammy" of "Lammy, David"; a sort name without a
    comma is the name in its own order, family name first ("Ding Xuexiang")."""
    if "," in sort_name:
        return sort_name.split(",")[0].strip()
    words = sort_name.split()
    return words[0] if len(words) > 1 else None


def name_forms(name, aliases=(), honorific=""):
    """The forms of a name an article may print: the name, with its honorific, each alias, and
    each of those with an honorific taken off ("Mr Lammy" is also "Lammy"). A surname after any
    honorific is found by known_names."""
    forms = {name, *aliases}
    if honorific:
        forms.add(f"{honorific} {name}")
    for form in list(forms):
        words = form.split()
        if len(words) > 1 and words[0].casefold().rstrip(".") in HONORIFICS:
            forms.add(" ".join(words[1:]))
    return {form for form in forms if len(form) >= 2}


# A name's tokens: its words and each mark between them, apostrophes made one.
TOKEN = re.compile(r"\w+|[^\w\s]")


def tokens(text):
    """(token, start, end) of each word and mark of `text`, any apostrophe as a straight one."""
    for match in TOKEN.finditer(text):
        yield match.group(0).replace("’", "'"), match.start(), match.end()


def token_key(text):
    return tuple(TOKEN.findall(text.replace("’", "'")))


def known_names(text, actors):
    """Every place in `text` where one of `actors` is named, the longest name where two start
    together, none inside another: by a form of their name, by their surname after an honorific
    ("Mr Lammy", "Ms Kearns"), or by their surname alone where no one else has it ("Lammy").

    Compared token by token through dictionaries of the names' tokens, so the time it takes
    grows with the text and the number of names, never with their product (a regular expression
    of every name of a large archive took minutes on a long article)."""
    by_tokens, surnames = {}, {}
    for actor in actors:
        for form in actor.forms:
            if key := token_key(form):
                by_tokens.setdefault(key, actor)
        if actor.surname and (key := token_key(actor.surname)):
            # None: a surname two people share names neither of them.
            surnames[key] = None if surnames.get(key, actor) is not actor else actor
    longest = max(map(len, [*by_tokens, *surnames, ()]))
    found_tokens = list(tokens(text))

    def match_at(index):
        """(length in tokens, actor) of the longest name starting at `index`, or None."""
        words = [token for token, _, _ in found_tokens[index : index + longest + 1]]
        styled = bool(words) and words[0].casefold() in HONORIFICS
        for length in range(len(words), 0, -1):
            key = tuple(words[:length])
            if key in by_tokens:
                return length, by_tokens[key]
            if styled and length > 1 and surnames.get(key[1:]):
                return length, surnames[key[1:]]
            if surnames.get(key) and len(key[0]) >= 3 and not styled:
                return length, surnames[key]
        return None

    found, index = [], 0
    while index < len(found_tokens):
        matched = match_at(index)
        if matched is None:
            index += 1
            continue
        length, actor = matched
        start, end = found_tokens[index][1], found_tokens[index + length - 1][2]
        found.append(NameFound(start, end, text[start:end], actor))
        index += length
    return found


# Words that start a sentence or a clause, capitalised but no part of a name after them.
NOT_NAMES = {
    "a", "an", "the", "but", "and", "or", "in", "on", "at", "as", "for", "of", "it", "he", "she", "they",
    "we", "i", "you", "this", "that", "these", "those", "his", "her", "their", "our", "its", "my", "during",
    "after", "before", "when", "while", "with", "by", "from", "to", "if", "since", "then", "there", "here",
    "speaking", "asked", "according", "meanwhile", "however", "last", "next", "earlier", "later", "both",
    "read", "more", "thank", "please", "yours", "dear", "mr", "mrs", "ms", "sir", "lord", "lady",
}
CALENDAR_WORDS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
}
# A name-like sequence: capitalised words, perhaps joined by "of" or "of the" ("Lord Alton of
# Liverpool", "Baroness Kennedy of the Shaws"), and apostrophes inside words (O’Brien). Not by
# "and", which joins two names far more often than it is part of one ("UK and China").
CAPITALISED = r"[A-Z][\w'’-]*[\w]|[A-Z]"
NAME_LIKE = re.compile(rf"(?<![\w'’])(?:{CAPITALISED})(?:(?: (?:of|of the|for|de|van|von))? (?:{CAPITALISED}))+")
POSSESSIVE = re.compile(r"[’']s$")


def unknown_names(text, found_names):
    """Name-like sequences of `text` that no known name covers: two capitalised words or more
    ("Alicia Kearns"), or an honorific and one ("Mr Kearns"), each once, in order of first sight.
    A word that opens a sentence ("But", "The") is dropped from the front."""
    covered = [(name.start, name.end) for name in found_names]
    seen, offered = set(), []
    for match in NAME_LIKE.finditer(text):
        words = match.group(0).split(" ")
        start = match.start()
        while words and words[0].casefold() in NOT_NAMES - {word for word in HONORIFICS}:
            start += len(words[0]) + 1
            words = words[1:]
        while words and words[-1].casefold() in {"of", "for", "the"}:
            words = words[:-1]
        while words and words[-1].casefold() in CALENDAR_WORDS:
            words = words[:-1]
        if not words:
            continue
        is_styled = words[0].casefold().rstrip(".") in HONORIFICS and len(words) >= 2
        if len(words) < 2 and not is_styled:
            continue
        if any(word.casefold() in CALENDAR_WORDS for word in words):
            continue
        name = POSSESSIVE.sub("", " ".join(words))
        end = start + len(name)
        if any(start < until and since < end for since, until in covered):
            continue
        if name not in seen:
            seen.add(name)
            offered.append(NameFound(start, end, name, None))
    return offered


def split_honorific(name):
    """("Mr", "Kearns") of "Mr Kearns"; ("", name) when it has no honorific."""
    first, _, rest = name.partition(" ")
    if rest and first.casefold().rstrip(".") in HONORIFICS:
        return first, rest
    return "", name


WORD = re.compile(r"[\w'’]+")
TOPIC_STOPWORDS = {"and", "the", "in", "of", "on", "for", "a", "an", "to", "s", "war"}


def word_forms(word):
    """A word's simple forms: as given, plural or singular, and possessive."""
    lowered = word.casefold()
    lowered = POSSESSIVE.sub("", lowered)
    forms = {lowered, lowered + "s", lowered + "es"}
    if lowered.endswith("ies"):
        forms.add(lowered[:-3] + "y")
    if lowered.endswith("y"):
        forms.add(lowered[:-1] + "ies")
    if lowered.endswith("s"):
        forms.add(lowered[:-1])
    return forms


def topics_in(text, topics):
    """The topics (pairs of pk and name) any of whose words, in a simple form, appears in `text`,
    with the words that did; words such as "and" or "war" say too little to suggest a topic."""
    words_here = {}
    for match in WORD.finditer(text):
        words_here.setdefault(POSSESSIVE.sub("", match.group(0).casefold()), match.group(0))
    found = []
    for pk, name in topics:
        matched = []
        for word in WORD.findall(name):
            lowered = POSSESSIVE.sub("", word.casefold())
            if lowered in TOPIC_STOPWORDS or (len(lowered) < 3 and not word.isupper()):
                continue
            if word.isupper():  # an abbreviation ("AI") only as printed, never the word "ai"
                hits = [words_here[form] for form in {lowered} if words_here.get(form) == word]
            else:
                hits = [words_here[form] for form in word_forms(lowered) if form in words_here]
            matched.extend(hits)
        if matched:
            found.append(TopicFound(pk, name, tuple(dict.fromkeys(matched))))
    return found


class PassageProblem(ValueError):
    """Why a pasted passage cannot be placed in the text, in a sentence for the editor."""


def loosened(text):
    """`text` with every curly quotation mark straight and each run of whitespace one space, and
    for each character kept, its index in `text`."""
    kept, places = [], []
    in_space = False
    for index, character in enumerate(text):
        if character.isspace():
            if not in_space:
                kept.append(" ")
                places.append(index)
            in_space = True
            continue
        in_space = False
        kept.append(QUOTE_FORMS.get(character, character))
        places.append(index)
    return "".join(kept), places


def find_passage(text, pasted):
    """(start, end) of `pasted` in `text`, comparing quotation marks straight or curly and any
    whitespace alike; the caller keeps `text[start:end]`, the source's exact words.

    Raises PassageProblem where it is not there, or is there more than once.
    """
    wanted, _ = loosened(pasted.strip())
    if not wanted.strip():
        raise PassageProblem("Paste or select a passage of the text.")
    loose, places = loosened(text)
    first = loose.find(wanted)
    if first < 0:
        raise PassageProblem(
            "This passage is not in the document’s text. Copy it from the text on this page; quotation "
            "marks and spaces may differ, words may not."
        )
    if loose.find(wanted, first + 1) >= 0:
        count = sum(1 for _ in re.finditer(f"(?={re.escape(wanted)})", loose))
        raise PassageProblem(
            f"This passage is in the text {count} times: add words before or after it, so that it is found once."
        )
    return places[first], places[first + len(wanted) - 1] + 1
