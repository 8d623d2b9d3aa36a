"""Search as people type it: any form of a word, any spelling editors list, phrases and words left
out, the passage that matched, and the most relevant first (issue 9, finding 2)."""

import re
from html import unescape

import pytest
from django.db import connection
from django.urls import reverse

from events import paging, search
from events.models import SpellingVariant

from .factories import cite, make_event, make_source
from .helpers import html_of, passages, summary, text_of, titles

pytestmark = pytest.mark.django_db

TIMELINE = reverse("timeline")


def found(client, text, **params):
    """The titles a search for `text` lists, in date order."""
    return titles(client.get(TIMELINE, {"q": text, "sort": "oldest", **params}))


def error_of(response):
    return unescape(re.search(r'<ul class="errorlist" id="id_q_error"><li>(.*?)</li>', html_of(response)).group(1))


def make_variant(term, *equivalents, note="Where it comes from."):
    return SpellingVariant.objects.create(term=term, equivalents="\n".join(equivalents), note=note)


# Any form of a word


def test_sanctioned_sanctions_and_sanction_find_the_same_events(client):
    make_event("UK sanctions Chinese officials over Xinjiang", date="2021-03-22")
    make_event("MPs sanctioned by China", date="2021-03-26")
    cite(make_event("A statement", date="2021-03-27"), "we will sanction those responsible")
    make_event("Trade talks", date="2021-03-28")

    everything = ["UK sanctions Chinese officials over Xinjiang", "MPs sanctioned by China", "A statement"]
    for word in ["sanctioned", "sanctions", "sanction", "Sanctioning"]:
        assert found(client, word) == everything, word


def test_in_the_archive_sanctioned_finds_the_uk_sanctions_on_chinese_officials(archive, client):
    results = found(client, "sanctioned")

    assert "UK sanctions Chinese officials over Xinjiang" in results
    assert results == found(client, "sanctions") == found(client, "sanction")


def test_the_last_word_is_matched_as_it_is_typed_the_others_as_words(client):
    make_event("Lammy visits Beijing")

    assert found(client, "Beijing Lamm") == ["Lammy visits Beijing"]
    assert found(client, "Lamm Beijing") == []


def test_a_search_of_only_common_words_says_so_instead_of_finding_everything_or_nothing(client):
    make_event("The Foreign Secretary visits Beijing")

    response = client.get(TIMELINE, {"q": "the"})

    assert response.status_code == 400
    assert error_of(response).startswith("“the” is too common to search for")
    assert found(client, "the Beijing") == ["The Foreign Secretary visits Beijing"]


def test_a_search_that_only_leaves_words_out_asks_for_a_word_to_find(client):
    response = client.get(TIMELINE, {"q": "-Lammy"})

    assert response.status_code == 400
    assert "Say what to find as well as what to leave out" in error_of(response)


# Spellings editors list


def test_uyghur_finds_the_events_that_spell_it_uighur_in_the_archive(archive, client):
    uighur = found(client, "Uighur")

    assert len(uighur) == 8  # 7 when the issue was filed; the fact-check cited one more statement on the Uighurs
    assert found(client, "Uyghur") == found(client, "Uigur") == uighur


def test_every_spelling_of_a_variant_finds_the_others(client):
    make_variant("Beijing", "Peking")
    make_event("Talks in Peking", date="2024-10-18")
    make_event("Talks in Beijing", date="2024-10-19")

    assert found(client, "Beijing") == found(client, "peking") == ["Talks in Peking", "Talks in Beijing"]


def test_a_variant_of_several_words_is_found_as_a_phrase_and_typed_as_one(client):
    make_variant("Xinjiang", "East Turkestan")
    make_event("A report on East Turkestan", date="2021-01-01")
    make_event("East of the river, Turkestan", date="2021-01-02")
    make_event("Sanctions over Xinjiang", date="2021-01-03")

    assert found(client, "Xinjiang") == ["A report on East Turkestan", "Sanctions over Xinjiang"]
    assert found(client, "East Turkestan") == ["A report on East Turkestan", "Sanctions over Xinjiang"]


def test_a_variant_with_an_apostrophe_finds_the_spelling_without(client):
    make_variant("Tiananmen", "Tian'anmen")
    make_event("Vigil for Tiananmen", date="2021-06-04")
    make_event("A statement on Tian’anmen", date="2021-06-05")

    assert found(client, "Tian'anmen") == ["Vigil for Tiananmen", "A statement on Tian’anmen"]
    assert found(client, "Tiananmen") == ["Vigil for Tiananmen", "A statement on Tian’anmen"]


def test_a_variant_saved_is_searched_at_once_though_variants_are_cached(client):
    make_event("Talks in Peking")
    assert found(client, "Beijing") == []

    variant = make_variant("Beijing", "Peking")
    assert found(client, "Beijing") == ["Talks in Peking"]

    variant.delete()
    assert found(client, "Beijing") == []


def test_the_archive_is_loaded_with_its_spelling_variants_each_saying_where_it_comes_from(archive):
    terms = set(SpellingVariant.objects.values_list("term", flat=True))

    assert {"Uyghur", "Xinjiang", "Beijing", "Tiananmen", "Xi Jinping"} <= terms
    assert all("Not from the documents" in note for note in SpellingVariant.objects.values_list("note", flat=True))


# Phrases and words left out


def test_quoted_words_are_found_as_a_phrase(client):
    make_event("G7 leaders on forced labour", date="2021-06-13")
    make_event("Labour MPs forced a vote", date="2021-06-14")

    assert found(client, '"forced labour"') == ["G7 leaders on forced labour"]
    assert found(client, "forced labour") == ["G7 leaders on forced labour", "Labour MPs forced a vote"]


def test_a_word_with_a_minus_before_it_leaves_out_the_events_that_have_it(client):
    make_event("Lammy visits Beijing", date="2024-10-18")
    make_event("Cleverly visits Beijing", date="2023-08-30")

    assert found(client, "Beijing -Lammy") == ["Cleverly visits Beijing"]
    assert found(client, 'Beijing -"Lammy visits"') == ["Cleverly visits Beijing"]


# The passage that matched


def test_each_result_shows_where_it_matched_with_the_matched_words_marked(client):
    make_event(
        "A meeting", summary="The Foreign Secretary raised the sanctions on MPs with Wang Yi in Beijing."
    )

    [passage] = passages(client.get(TIMELINE, {"q": "sanctioned"}))

    assert "raised the <mark>sanctions</mark> on MPs" in passage


def test_a_match_in_a_quote_links_to_the_quote_in_its_source(client):
    event = make_event("A statement", summary="What was said.")
    source = make_source(text="Before. The UK will sanction those responsible. After.", title="FCDO statement")
    citation = cite(event, "The UK will sanction those responsible.", source=source)

    html = html_of(client.get(TIMELINE, {"q": "sanction responsible"}))

    link = f'<a href="{source.get_absolute_url()}#quote-{citation.pk}">Quoted in its source</a>'
    assert link in html
    assert "The UK will <mark>sanction</mark> those <mark>responsible</mark>." in html


def test_a_passage_is_escaped_whatever_an_editor_typed(client):
    event = make_event("A statement", summary="Tags <b>here</b> & there.")
    cite(event, 'He wrote "<script>alert(1)</script>" in the sanctions letter.')

    html = html_of(client.get(TIMELINE, {"q": "sanctions"}))

    assert "<script>" not in html.replace('<script src', "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<mark>sanctions</mark> letter" in html


def test_a_search_of_the_archive_shows_a_passage_for_every_result(archive, client):
    response = client.get(TIMELINE, {"q": "Uyghur"})

    assert len(passages(response)) >= len(titles(response))
    assert all("<mark>" in passage for passage in passages(response))


# The most relevant first


def test_a_search_lists_the_most_relevant_first_and_the_date_order_is_a_link_away(client):
    make_event("A trade deal", date="2020-01-01", summary="Also, sanctions were mentioned once.")
    make_event("Sanctions on sanctions", date="2024-01-01", summary="Sanctions, sanctions and sanctions.")

    response = client.get(TIMELINE, {"q": "sanctions"})

    assert titles(response) == ["Sanctions on sanctions", "A trade deal"]
    assert "Most relevant first" in text_of(response)
    assert 'href="?q=sanctions&amp;sort=oldest"' in html_of(response)
    assert found(client, "sanctions") == ["A trade deal", "Sanctions on sanctions"]


def test_relevance_without_a_search_is_the_date_order(client):
    make_event("Later", date="2024-01-01")
    make_event("Earlier", date="2020-01-01")

    assert titles(client.get(TIMELINE, {"sort": "relevance"})) == ["Later", "Earlier"]  # newest first, the default date order


def test_an_unknown_order_is_a_bad_request_that_says_so(client):
    response = client.get(TIMELINE, {"q": "x", "sort": "random"})

    assert response.status_code == 400
    assert "“random” is not an order the timeline can be shown in." in text_of(response)


def test_pages_of_relevance_follow_on_without_repeating_an_event(client):
    for number in range(55):
        make_event(f"Sanction {number:02d}", date=f"2020-01-{number % 28 + 1:02d}", summary="sanction " * (number % 5))

    first = client.get(TIMELINE, {"q": "sanction"})
    following = re.search(r'<a href="\?([^"]*)" rel="next">Less relevant', html_of(first)).group(1)
    second = client.get(f"{TIMELINE}?{unescape(following)}")
    back = re.search(r'<a href="\?([^"]*)" rel="prev">', html_of(second)).group(1)

    assert len(titles(first)) == 50 and len(titles(second)) == 5
    assert set(titles(first)).isdisjoint(titles(second))
    assert titles(client.get(f"{TIMELINE}?{unescape(back)}")) == titles(first)


def test_past_the_ranking_bound_the_page_says_what_was_ranked_and_links_to_every_match(client, monkeypatch):
    monkeypatch.setattr(paging, "RANKED", 3)
    for day in range(1, 6):
        make_event(f"Sanction {day}", date=f"2021-03-0{day}")

    response = client.get(TIMELINE, {"q": "sanction"})

    assert titles(response) == ["Sanction 1", "Sanction 2", "Sanction 3"]
    assert "among the first 3 matches in date order: there are more, which are not ranked" in text_of(response)
    assert summary(response) == "More than 3 events · matching “sanction”"
    assert len(found(client, "sanction")) == 5


def test_the_query_reads_one_word_at_a_time_never_the_indexes_syntax():
    query = search.parse('NEAR(x) "forced labour" -y z:* OR', variants={})

    assert search.tsquery(query) == "(near <-> x) & (forced <-> labour) & !(y) & (z)"
    assert search.fts5_query(query) == '(("near x") AND ("forced labour") AND ("z")) NOT ("y")'


# Editors keep the variants


def test_an_editor_adds_a_variant_in_the_admin_with_its_history_and_search_uses_it_at_once(editor, client):
    make_event("Talks in Peking")
    assert found(client, "Beijing") == []

    response = client.post(
        reverse("admin:events_spellingvariant_add"),
        {"term": "Beijing", "equivalents": "Peking", "note": "Wikipedia, “Beijing”."},
    )

    assert response.status_code == 302
    variant = SpellingVariant.objects.get(term="Beijing")
    assert variant.history.get().history_user == editor
    assert found(client, "Beijing") == ["Talks in Peking"]


def test_a_variant_without_another_spelling_is_refused_with_a_message_and_not_saved(editor, client):
    response = client.post(
        reverse("admin:events_spellingvariant_add"), {"term": "Beijing", "equivalents": " - ", "note": "A note."}
    )

    assert response.status_code == 200
    assert "Give at least one other spelling, in letters or digits." in text_of(response)
    assert not SpellingVariant.objects.exists()


def test_relevance_ranks_the_first_matches_not_the_first_events(client, monkeypatch):
    monkeypatch.setattr(paging, "RANKED", 2)
    for day in range(1, 4):
        make_event(f"Trade talks {day}", date=f"2021-01-0{day}")
    make_event("Sanctions announced", date="2021-02-01")
    make_event("Sanctions lifted", date="2021-02-02")

    assert sorted(titles(client.get(TIMELINE, {"q": "sanctions"}))) == ["Sanctions announced", "Sanctions lifted"]


# The ranking is kept, never stale


def ranking_queries(client, text):
    """The queries a search's page ran that ranked its matches."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(TIMELINE, {"q": text})
    return [query["sql"] for query in queries if "bm25" in query["sql"] or "ts_rank" in query["sql"]]


def test_the_same_search_again_is_not_ranked_again(client):
    make_event("Sanctions announced", date="2021-02-01")

    assert len(ranking_queries(client, "sanctions")) == 1
    assert ranking_queries(client, "sanctions") == []
    assert len(ranking_queries(client, "sanction talks")) == 1  # another search is ranked on its own


def test_a_saved_event_is_ranked_at_once_though_rankings_are_kept(client):
    make_event("Sanctions announced", date="2021-02-01", summary="Sanctions.")
    trade = make_event("Trade talks", date="2021-01-01")
    assert titles(client.get(TIMELINE, {"q": "sanctions"})) == ["Sanctions announced"]

    trade.summary = "Sanctions were raised."
    trade.save()

    assert sorted(titles(client.get(TIMELINE, {"q": "sanctions"}))) == ["Sanctions announced", "Trade talks"]


def test_a_new_quote_is_ranked_at_once_though_rankings_are_kept(client):
    make_event("Sanctions announced", date="2021-02-01")
    talks = make_event("Trade talks", date="2021-01-01")
    assert titles(client.get(TIMELINE, {"q": "sanctions"})) == ["Sanctions announced"]

    cite(talks, "sanctions were raised")

    assert sorted(titles(client.get(TIMELINE, {"q": "sanctions"}))) == ["Sanctions announced", "Trade talks"]


# The passages are kept with the ranking, never stale


def passage_queries(client, text):
    """The queries a search's page ran that marked its matches."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(TIMELINE, {"q": text})
    return response, [query["sql"] for query in queries if "highlight(" in query["sql"] or "ts_headline" in query["sql"]]


def test_the_same_page_of_a_search_again_shows_the_same_passages_without_marking_them_again(client):
    event = make_event("A statement", summary="Tags <b>here</b> & the sanctions.")
    source = make_source(text="Before. The UK will sanction those responsible. After.", title="FCDO statement")
    citation = cite(event, "The UK will sanction those responsible.", source=source)

    first, marked = passage_queries(client, "sanctions")
    again, marked_again = passage_queries(client, "sanctions")

    assert len(marked) == 1 and marked_again == []
    assert passages(again) == passages(first)
    assert "Tags &lt;b&gt;here&lt;/b&gt; &amp; the <mark>sanctions</mark>." in passages(again)[0]
    assert f'<a href="{source.get_absolute_url()}#quote-{citation.pk}">Quoted in its source</a>' in passages(again)[1]


def test_a_saved_summary_shows_its_new_passage_at_once_though_passages_are_kept(client):
    event = make_event("A statement", summary="The sanctions were announced.")
    assert "<mark>sanctions</mark> were announced" in passages(client.get(TIMELINE, {"q": "sanctions"}))[0]

    event.summary = "The sanctions were lifted."
    event.save()

    assert "<mark>sanctions</mark> were lifted" in passages(client.get(TIMELINE, {"q": "sanctions"}))[0]


# SQLite counts a search's matches to choose how to read them (search.matching): kept, never stale


def match_count_queries(client, text):
    """The queries a search's page ran that counted its matches."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(TIMELINE, {"q": text})
    return response, [query["sql"] for query in queries if "SELECT count(*) FROM (SELECT rowid FROM events_search" in query["sql"]]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's planner chooses how to read the matches itself")
def test_the_same_search_again_does_not_count_its_matches_again_and_a_new_match_is_counted(client, monkeypatch):
    monkeypatch.setattr(search, "MANY_MATCHES", 1)
    make_event("Sanctions announced", date="2021-02-01")

    _, counted = match_count_queries(client, "sanctions")
    _, counted_again = match_count_queries(client, "sanctions")
    assert len(counted) == 1 and counted_again == []

    make_event("Sanctions lifted", date="2021-03-01")
    make_event("Sanctions renewed", date="2021-04-01")  # now more than MANY_MATCHES: read along the timeline
    response, counted_after = match_count_queries(client, "sanctions")

    assert len(counted_after) == 1
    assert sorted(titles(response)) == ["Sanctions announced", "Sanctions lifted", "Sanctions renewed"]
