"""How a typed name is read when the actor and target filters look for people and organizations:
as whole words, compared the same way in Python and in the database, and how alike two names are
where the database cannot say (SQLite has no pg_trgm)."""

from django.db.models import CharField, F, Func, TextField, Value
from django.db.models.expressions import Expression
from django.db.models.functions import Concat, Lower, Replace

# Marks that part the words of a name: "Foreign, Commonwealth", "state-run", "Xi Jinping (习近平)",
# "Forename M. Surname", "O’Brien" (found, typed either way, by its words "O" and "Brien"). SQLite's
# FTS5 tokenizer parts words at every mark that is not a letter or digit; these are the ones names have.
SEPARATORS = ",.;:()[]/\"“”-'’"
# Words that style a person rather than name them: "Mr Xi" is asked for by "Xi".
HONORIFICS = {"mr", "mrs", "ms", "miss", "mx", "dr", "sir", "dame", "lord", "lady", "baroness", "baron"}
# As it is typed, a last word of at least this many letters may be the start of a word ("Lamm"):
# fewer would make "Li" find Liverpool and Lisa.
PREFIX_LETTERS = 3
# The least likeness (below) of a name offered as a suggestion: pg_trgm's own default threshold
# for similarity().
LEAST_LIKENESS = 0.3


def straightened(text):
    """`text` with each separator a space."""
    for mark in SEPARATORS:
        text = text.replace(mark, " ")
    return text


def words_of(field):
    """SQL: the field's text lowercased and straightened, with a space at each end, so that it
    contains " lammy " exactly when "Lammy" is one of its words. PostgreSQL's trigram indexes
    (migration *_actor_name_words) are built on this very expression: a change here needs new ones."""
    return WordsOf(field)


def words_tree(expression):
    """words_of's SQL as Django's functions write it: a REPLACE for each separator."""
    expression = Lower(expression)
    for mark in SEPARATORS:
        expression = Replace(expression, Value(mark), Value(" "))
    return Concat(Value(" "), expression, Value(" "))


class Column(Expression):
    """Where WordsOf puts the column, written as a column is (RawSQL would put it in parentheses)."""

    output_field = CharField()

    def as_sql(self, compiler, connection):
        return WordsOf.COLUMN, []


class WordsOf(Func):
    """words_tree of a column, its SQL written once per database and the column put in: as some forty
    nested functions, Django copied and resolved the tree again for every filter added to a query,
    most of the time of finding an actor by name (some 30 ms a page on PostgreSQL)."""

    output_field = TextField()
    COLUMN = "__words_of_column__"
    written = {}  # by database vendor: (SQL with COLUMN for the column, its parameters)

    def __init__(self, field):
        super().__init__(F(field))

    def as_sql(self, compiler, connection, **extra_context):
        column, column_params = compiler.compile(self.source_expressions[0])
        if column_params:  # not a plain column: Django's functions write it
            return compiler.compile(words_tree(self.source_expressions[0]))
        if connection.vendor not in self.written:
            tree = words_tree(Column()).resolve_expression(compiler.query)
            sql, params = compiler.compile(tree)
            self.written[connection.vendor] = (sql, tuple(params))
        sql, params = self.written[connection.vendor]
        return sql.replace(self.COLUMN, column), list(params)


def typed_words(text):
    """The words of a typed name, honorifics left out unless they are all there is.

    Case is left to the database, which lowers both sides alike (SQLite lowers ASCII only).
    """
    words = straightened(text).split()
    named = [word for word in words if word.casefold() not in HONORIFICS]
    return named or words


def fts_query(words, last_may_begin_a_word=False):
    """An FTS5 query (SQLite) for names that have each of `words` as a word, the last perhaps only
    the start of one; None when no word has a letter or digit. Each word is quoted, so nothing
    typed is read as FTS5's syntax."""
    words = [word for word in words if any(character.isalnum() for character in word)]
    if not words:
        return None
    quoted = ['"' + word.replace('"', '""') + '"' for word in words]
    if last_may_begin_a_word:
        quoted[-1] += "*"
    return " AND ".join(quoted)


def fts_starts(words):
    """An FTS5 query for names with a word that starts as one of `words` does: the closest names' candidates."""
    starts = ['"' + word[:2].replace('"', '""') + '"*' for word in words if any(c.isalnum() for c in word[:2])]
    return " OR ".join(starts) or None


def trigrams(text):
    """The trigrams pg_trgm makes of `text`: each word lowercased, two spaces before it and one after."""
    found = set()
    for word in "".join(c if c.isalnum() else " " for c in text.lower()).split():
        padded = f"  {word} "
        found.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return found


def similarity(one, other):
    """pg_trgm's similarity(): the trigrams two texts share over all the trigrams either has."""
    first, second = trigrams(one), trigrams(other)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def likeness(typed, name):
    """How like a typed name `name` is: the similarity of the whole of each, or, if higher, of
    each typed word to the word of `name` most like it, on average ("Kerns" is like "Alicia
    Kearns", which as a whole it shares too few trigrams with)."""
    words = typed_words(typed)
    their_words = straightened(name).split()
    if not words or not their_words:
        return similarity(typed, name)
    by_word = sum(max(similarity(word, theirs) for theirs in their_words) for word in words) / len(words)
    return max(similarity(typed, name), by_word)
