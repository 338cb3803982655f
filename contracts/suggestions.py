"""Which visualization suits a saved query: pure rules over its content and the user's history.

Deterministic: the same content and history give the same suggestions in the same order. Scores are
exact decimals (no binary floats), and the answer's confidence is an integer percentage, 0 to 100: the
app prints it as `Math.round(confidence) + "% match"`.
"""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypedDict

from contracts.models import VISUALIZATION_TYPES

# Share of the confidence that comes from the user's history once there is any.
HISTORY_WEIGHT = Decimal("0.25")
_PERCENT = Decimal(100)
# How a visualization reads in a sentence.
_LABELS = {"bar": "a bar chart", "line": "a line chart", "pie": "a pie chart", "table": "a table", "number": "a number"}


class Suggestion(TypedDict):
    visualization_type: str
    confidence: int  # a percentage, 0 to 100
    reason: str


class Usage(TypedDict):
    """How often the user charted as one visualization: this query, and all their queries."""

    this_query: int
    all_queries: int


def _content_scores(content: Mapping[str, Any], contract_address: str | None) -> dict[str, tuple[Decimal, str]]:
    """Score each visualization from the query's content alone: {type: (score 0..1, reason)}."""
    contracts = content.get("contracts")
    contract_count = len(contracts) if isinstance(contracts, list) else 0
    if contract_count == 0 and contract_address:
        contract_count = 1
    has_events = bool(content.get("events"))
    has_stats = bool(content.get("stats"))
    has_range = bool(content.get("fromDate")) and bool(content.get("toDate"))

    scores: dict[str, tuple[Decimal, str]] = {}

    def offer(kind: str, score: str, reason: str) -> None:
        # A visualization named by several rules keeps its best score and that rule's reason.
        if Decimal(score) > scores.get(kind, (Decimal(0), ""))[0]:
            scores[kind] = (Decimal(score), reason)

    if has_stats:
        offer("number", "0.9", "The query asks for summary statistics: a single figure reads best.")
    if has_events and has_range:
        offer("line", "0.85", "Events over a date range form a time series.")
        offer("bar", "0.7", "Bars compare event counts per period of the date range.")
        offer("table", "0.5", "A table lists the raw events.")
    elif has_events:
        offer("table", "0.75", "Raw events without a date range read best as rows.")
    if contract_count >= 2:
        offer("bar", "0.8", f"Bars compare the {contract_count} contracts side by side.")
        offer("pie", "0.65", f"A pie shows each of the {contract_count} contracts' share.")
    return scores


def suggest_visualizations(
    *, content: Mapping[str, Any], contract_address: str | None, usage: Mapping[str, Usage]
) -> list[Suggestion]:
    """Suggestions for a saved query, best first.

    Content rules (score, 0..1):
      - `stats` present: number 0.9.
      - `events` with both `fromDate` and `toDate`: line 0.85, bar 0.7, table 0.5.
      - `events` without a full date range: table 0.75.
      - two or more contracts: bar 0.8, pie 0.65.
      A visualization named by several rules keeps its highest score.
    History: `usage` counts the user's widgets per visualization (WidgetPreference). The share of
    a visualization among the user's uses of this query, or of all their queries when they never
    charted this one, adds to the score: blended = 0.75 * content + 0.25 * share. Without any
    history the blend is the content score alone.
    Confidence is the blend as an integer percentage: blended x 100, rounded half up on the exact
    decimal (0.675 is 68, 0.6625 is 66), so always an int from 0 to 100. Visualizations whose
    confidence is 0 are left out; ties are broken by the order bar, line, pie, table, number.
    """
    scores = _content_scores(content, contract_address)
    this_total = sum(entry["this_query"] for entry in usage.values())
    all_total = sum(entry["all_queries"] for entry in usage.values())
    total = this_total or all_total

    suggestions: list[Suggestion] = []
    for kind in VISUALIZATION_TYPES:
        score, reason = scores.get(kind, (Decimal(0), ""))
        uses = (usage[kind]["this_query"] if this_total else usage[kind]["all_queries"]) if kind in usage else 0
        blended = (1 - HISTORY_WEIGHT) * score + HISTORY_WEIGHT * Decimal(uses) / total if total else score
        confidence = int((blended * _PERCENT).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if confidence <= 0:
            continue
        if uses:
            where = "this query" if this_total else "your queries"
            history = f"You charted {where} as {_LABELS[kind]} {uses} of {total} times."
            reason = f"{reason} {history}" if reason else history
        suggestions.append({"visualization_type": kind, "confidence": confidence, "reason": reason})
    order = {kind: index for index, kind in enumerate(VISUALIZATION_TYPES)}
    suggestions.sort(key=lambda s: (-s["confidence"], order[s["visualization_type"]]))
    return suggestions
