"""Filters and orderings of the bounty list: parsing the query parameters, applying them to a queryset."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q
from rest_framework import serializers

from bounties.fields import MAX_ID
from bounties.models import Bounty
from bounties.querysets import BountyQuerySet
from bounties.tokens import token_normalize

# Listing orderings, each completed by a unique tie-breaker so pages never overlap.
ORDERINGS: dict[str, tuple[Any, ...]] = {
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "reward_amount": ("reward_amount", "-created_at", "-id"),
    "-reward_amount": ("-reward_amount", "-created_at", "-id"),
    "deadline": (F("deadline").asc(nulls_last=True), "-created_at", "-id"),
    "-deadline": (F("deadline").desc(nulls_last=True), "-created_at", "-id"),
}


# The accepted values, computed once: Django's `Choices.values` builds a new list on every access.
_STATUSES = frozenset([*Bounty.Status.values, "active"])
_DIFFICULTIES = frozenset(Bounty.Difficulty.values)


@dataclass(frozen=True)
class BountyFilters:
    status: str | None = None
    category: str | None = None
    difficulty: str | None = None
    reward_token: str | None = None
    created_by: int | None = None
    search: str | None = None
    ordering: str = "-created_at"


def bounty_filters_apply(queryset: BountyQuerySet, filters: BountyFilters) -> BountyQuerySet:
    """`queryset` narrowed by the filters and search, in the requested order (ties broken by id)."""
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.category:
        queryset = queryset.filter(category=filters.category)
    if filters.difficulty:
        queryset = queryset.filter(difficulty=filters.difficulty)
    if filters.reward_token:
        queryset = queryset.filter(reward_token=filters.reward_token)
    if filters.created_by is not None:
        queryset = queryset.filter(created_by_id=filters.created_by)
    if filters.search:
        queryset = queryset.filter(Q(title__icontains=filters.search) | Q(description__icontains=filters.search))
    return queryset.order_by(*ORDERINGS[filters.ordering])


def bounty_list_filters_parse(params: Mapping[str, str]) -> BountyFilters:
    """The list's query parameters as BountyFilters; raises ValidationError with field errors.

    Hand-written rather than `BountyListQuerySerializer.is_valid()` because the list is the hottest
    endpoint and DRF's field machinery costs more than the page's SQL. That serializer only describes
    the same parameters in the schema; the API tests exercise the rules here.
    """
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}

    def text(name: str, max_length: int) -> str | None:
        value = params.get(name)
        if value is None or value.strip() == "":
            return None
        value = value.strip()
        if len(value) > max_length:
            errors[name] = [f"Ensure this field has no more than {max_length} characters."]
        elif "\x00" in value:
            errors[name] = ["Null characters are not allowed."]
        return value

    def choice(name: str, allowed: Iterable[str]) -> str | None:
        value = text(name, 64)
        if value is not None and name not in errors and value not in allowed:
            errors[name] = [f'"{value}" is not a valid choice.']
        return value

    status = choice("status", _STATUSES)
    values["status"] = Bounty.Status.OPEN if status == "active" else status
    values["category"] = text("category", 64)
    values["difficulty"] = choice("difficulty", _DIFFICULTIES)
    values["ordering"] = choice("ordering", ORDERINGS) or "-created_at"
    values["search"] = text("search", 200)
    token = text("reward_token", 70)
    if token is not None and "reward_token" not in errors:
        try:
            token = token_normalize(token)
        except ValueError as exc:
            errors["reward_token"] = [str(exc)]
    values["reward_token"] = token
    created_by = text("created_by", 20)
    if created_by is not None and "created_by" not in errors:
        if not created_by.isdigit() or not 1 <= int(created_by) <= MAX_ID:
            errors["created_by"] = ["A valid positive integer is required."]
        else:
            values["created_by"] = int(created_by)
    if errors:
        raise serializers.ValidationError(errors)
    return BountyFilters(**values)
