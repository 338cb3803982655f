"""Visualization suggestions: the rules over a saved query's content and the user's history."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.models import WidgetPreference
from contracts.suggestions import suggest_visualizations
from tests.contracts.conftest import assert_error
from tests.factories import SavedQueryFactory

SUGGEST = "/api/dashboard-builder/suggest/{id}"
ONE = ["0x" + "1".rjust(64, "0")]
TWO = [*ONE, "0x" + "2".rjust(64, "0")]


def kinds(suggestions) -> list[str]:
    return [s["visualization_type"] for s in suggestions]


def by_kind(suggestions) -> dict[str, int]:
    return {s["visualization_type"]: s["confidence"] for s in suggestions}


# --- Rules (no database) ------------------------------------------------------------------------------
def test_suggest_stats_as_a_number():
    suggestions = suggest_visualizations(
        content={"contracts": ONE, "stats": {"volume": True}}, contract_address=None, usage={}
    )

    assert kinds(suggestions) == ["number"]
    assert suggestions[0]["confidence"] == 90
    assert "statistics" in suggestions[0]["reason"]


def test_suggest_events_over_a_date_range_as_line_then_bar_then_table():
    content = {"contracts": ONE, "events": ["Transfer"], "fromDate": "2026-01-01", "toDate": "2026-01-31"}

    suggestions = suggest_visualizations(content=content, contract_address=None, usage={})

    assert kinds(suggestions) == ["line", "bar", "table"]
    assert by_kind(suggestions) == {"line": 85, "bar": 70, "table": 50}


def test_suggest_raw_events_without_a_range_as_a_table():
    content = {"contracts": ONE, "events": True, "fromDate": "2026-01-01", "toDate": None}

    assert by_kind(suggest_visualizations(content=content, contract_address=None, usage={})) == {"table": 75}


def test_suggest_several_contracts_as_bar_then_pie():
    suggestions = suggest_visualizations(content={"contracts": TWO}, contract_address=None, usage={})

    assert by_kind(suggestions) == {"bar": 80, "pie": 65}
    assert "2 contracts" in suggestions[0]["reason"]


def test_suggest_keeps_the_best_score_when_rules_overlap():
    content = {"contracts": TWO, "events": True, "fromDate": "2026-01-01", "toDate": "2026-01-02", "stats": [1]}

    suggestions = suggest_visualizations(content=content, contract_address=None, usage={})

    assert kinds(suggestions) == ["number", "line", "bar", "pie", "table"]
    assert by_kind(suggestions)["bar"] == 80


def test_suggest_nothing_for_a_single_contract_without_events_or_stats():
    assert suggest_visualizations(content={"contracts": ONE}, contract_address=None, usage={}) == []
    assert suggest_visualizations(content={}, contract_address=ONE[0], usage={}) == []


def test_suggest_tolerates_odd_stored_content():
    content = {"contracts": "0x1", "events": None, "stats": 0, "fromDate": 5}

    assert suggest_visualizations(content=content, contract_address=None, usage={}) == []


def test_suggest_blends_history_of_this_query():
    usage = {
        "pie": {"this_query": 3, "all_queries": 3},
        "bar": {"this_query": 1, "all_queries": 9},
    }

    suggestions = suggest_visualizations(content={"contracts": TWO}, contract_address=None, usage=usage)

    # bar: 0.75 * 0.8 + 0.25 * 1/4 = 0.6625 -> 66; pie: 0.75 * 0.65 + 0.25 * 3/4 = 0.675 -> 68 (half up)
    assert by_kind(suggestions) == {"pie": 68, "bar": 66}
    assert kinds(suggestions) == ["pie", "bar"]
    assert "this query as a pie chart 3 of 4 times" in suggestions[0]["reason"]


def test_suggest_uses_history_of_all_queries_when_this_one_was_never_charted():
    usage = {"table": {"this_query": 0, "all_queries": 2}, "line": {"this_query": 0, "all_queries": 2}}

    suggestions = suggest_visualizations(content={"contracts": ONE}, contract_address=None, usage=usage)

    # no content rule applies: each history share is 1/2, weighted 0.25: 0.125 is 12.5 %, rounded half up to 13
    # (round() would give 12); the tie keeps bar, line, pie, table order
    assert suggestions == [
        {
            "visualization_type": "line",
            "confidence": 13,
            "reason": "You charted your queries as a line chart 2 of 4 times.",
        },
        {
            "visualization_type": "table",
            "confidence": 13,
            "reason": "You charted your queries as a table 2 of 4 times.",
        },
    ]


def test_suggest_is_deterministic_and_bounded():
    content = {"contracts": TWO, "events": [1], "fromDate": "2026-01-01", "toDate": "2026-02-01", "stats": {"a": 1}}
    usage = {kind: {"this_query": 1000, "all_queries": 1000} for kind in ("bar", "line", "pie", "table", "number")}

    first = suggest_visualizations(content=content, contract_address=None, usage=usage)

    assert first == suggest_visualizations(content=dict(reversed(content.items())), contract_address=None, usage=usage)
    assert all(type(s["confidence"]) is int and 0 < s["confidence"] <= 100 for s in first)


@pytest.mark.parametrize(
    ("score_content", "usage", "kind", "percent"),
    [
        # 0.75 * 0.9 = 0.675: 67.5 % rounds half up to 68
        ({"stats": [1]}, {"line": {"this_query": 1, "all_queries": 1}}, "number", 68),
        # 0.75 * 0.65 + 0.25 * 1/2 = 0.6125: 61.25 % is 61
        (
            {"contracts": TWO},
            {"pie": {"this_query": 1, "all_queries": 1}, "bar": {"this_query": 1, "all_queries": 1}},
            "pie",
            61,
        ),
        # 0.75 * 0.5 + 0.25 * 1/2 = 0.5 exactly: 50
        (
            {"events": [1], "fromDate": "2026-01-01", "toDate": "2026-01-02"},
            {"table": {"this_query": 1, "all_queries": 1}, "pie": {"this_query": 1, "all_queries": 1}},
            "table",
            50,
        ),
        # 0.75 * 0.85 + 0.25 * 1/1 = 0.8875: 88.75 % is 89
        (
            {"events": [1], "fromDate": "2026-01-01", "toDate": "2026-01-02"},
            {"line": {"this_query": 2, "all_queries": 2}},
            "line",
            89,
        ),
        # 0.25 * 1/8 = 0.03125: 3.125 % is 3
        ({}, {"bar": {"this_query": 0, "all_queries": 1}, "line": {"this_query": 0, "all_queries": 7}}, "bar", 3),
        # 0.25 * 1/400 = 0.000625: 0.0625 % is 0, and left out
        ({}, {"bar": {"this_query": 0, "all_queries": 1}, "line": {"this_query": 0, "all_queries": 399}}, "bar", None),
    ],
)
def test_suggest_confidence_is_the_blend_as_a_percentage_rounded_half_up(score_content, usage, kind, percent):
    suggestions = suggest_visualizations(
        content={"contracts": ONE, **score_content}, contract_address=None, usage=usage
    )

    assert by_kind(suggestions).get(kind) == percent


# The content scores when every rule fires, as exact fractions.
_ALL_RULES = {"contracts": TWO, "events": [1], "fromDate": "2026-01-01", "toDate": "2026-01-02", "stats": {"a": 1}}
_ALL_SCORES = {
    "bar": Fraction(8, 10),
    "line": Fraction(85, 100),
    "pie": Fraction(65, 100),
    "table": Fraction(1, 2),
    "number": Fraction(9, 10),
}


@settings(max_examples=200)
@given(
    this_query=st.lists(st.integers(0, 10**6), min_size=5, max_size=5),
    all_queries=st.lists(st.integers(0, 10**6), min_size=5, max_size=5),
)
def test_suggest_confidence_is_always_an_exact_integer_percentage(this_query, all_queries):
    usage = {
        kind: {"this_query": min(this, every), "all_queries": every}
        for kind, this, every in zip(_ALL_SCORES, this_query, all_queries, strict=True)
        if every
    }

    suggestions = suggest_visualizations(content=_ALL_RULES, contract_address=None, usage=usage)

    # the expected percentage from exact fractions, rounded half up: floor(x + 1/2)
    this_total = sum(entry["this_query"] for entry in usage.values())
    total = this_total or sum(entry["all_queries"] for entry in usage.values())
    assert sorted(kinds(suggestions)) == sorted(_ALL_SCORES)
    for suggestion in suggestions:
        kind = suggestion["visualization_type"]
        assert type(suggestion["confidence"]) is int
        assert 0 < suggestion["confidence"] <= 100
        entry = usage.get(kind, {"this_query": 0, "all_queries": 0})
        uses = entry["this_query"] if this_total else entry["all_queries"]
        blended = (
            Fraction(3, 4) * _ALL_SCORES[kind] + Fraction(1, 4) * Fraction(uses, total) if total else _ALL_SCORES[kind]
        )
        assert suggestion["confidence"] == int(blended * 100 + Fraction(1, 2))


# --- API ----------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_suggest_api_answers_suggestions_for_the_callers_query(
    owner, stranger, owner_client, django_assert_num_queries
):
    saved = SavedQueryFactory(user=owner, query={"contracts": TWO, "stats": {"tvl": True}})
    WidgetPreference.objects.create(user=owner, query=saved, visualization_type="pie", use_count=2)
    WidgetPreference.objects.create(user=stranger, query=SavedQueryFactory(user=stranger), visualization_type="line")
    # user of the token, the saved query (scoped to the owner), the preferences grouped by visualization
    with django_assert_num_queries(3):
        response = owner_client.get(SUGGEST.format(id=saved.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["has_suggestions"] is True
    # number 0.75*0.9 = 0.675 -> 68, pie 0.75*0.65 + 0.25 = 0.7375 -> 74, bar 0.75*0.8 = 0.6 -> 60; the
    # stranger's line is unseen. Percentages are JSON integers (the app prints Math.round(confidence) + "%").
    assert by_kind(body["suggestions"]) == {"pie": 74, "number": 68, "bar": 60}
    assert all(isinstance(s["confidence"], int) for s in body["suggestions"])
    assert b'"confidence":68' in response.content.replace(b" ", b"")
    assert kinds(body["suggestions"]) == ["pie", "number", "bar"]


@pytest.mark.django_db
def test_suggest_api_costs_the_same_for_little_and_much_history(owner, owner_client, django_assert_num_queries):
    saved = SavedQueryFactory(user=owner, query={"contracts": TWO})
    # history on other queries only, so all of it counts for this never-charted one
    WidgetPreference.objects.create(user=owner, query=SavedQueryFactory(user=owner), visualization_type="bar")
    # user of the token, the saved query, the preferences grouped by visualization
    with django_assert_num_queries(3):
        owner_client.get(SUGGEST.format(id=saved.pk))
    for kind in ("line", "pie", "table", "number"):
        WidgetPreference.objects.create(user=owner, query=SavedQueryFactory(user=owner), visualization_type=kind)
    with django_assert_num_queries(3):
        assert len(owner_client.get(SUGGEST.format(id=saved.pk)).json()["suggestions"]) == 5


@pytest.mark.django_db
def test_suggest_api_says_when_it_has_nothing(owner, owner_client):
    saved = SavedQueryFactory(user=owner, query={"contracts": ONE})

    assert owner_client.get(SUGGEST.format(id=saved.pk)).json() == {
        "success": True,
        "suggestions": [],
        "has_suggestions": False,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("client_name", ["stranger_client", "admin_api"])
def test_suggest_api_for_another_users_query_is_not_found(client_name, owner, request):
    saved = SavedQueryFactory(user=owner)

    response = request.getfixturevalue(client_name).get(SUGGEST.format(id=saved.pk))

    assert_error(response, 404, "contracts.saved_query_not_found")


@pytest.mark.django_db
def test_suggest_api_for_an_unknown_query_is_not_found(owner_client):
    assert_error(owner_client.get(SUGGEST.format(id=424242)), 404, "contracts.saved_query_not_found")
