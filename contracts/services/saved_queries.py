"""Saved queries: what the app saves from its contract-events page, at most MAX_SAVED_QUERIES_PER_USER
per user (409 past it; the count is taken under the user's lock, so concurrent saves cannot overshoot)."""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.db import transaction

from accounts.models import User
from accounts.services import activity_record
from contracts.chains import DEFAULT_CHAIN
from contracts.dates import iso_text
from contracts.errors import SavedQueryLimitReached
from contracts.locks import user_lock
from contracts.models import SavedQuery

MAX_SAVED_QUERIES_PER_USER = 200


def default_saved_query_name(contracts: list[str], names: Mapping[str, str] | None = None) -> str:
    """`Query on STRK` when the first contract has a name, else `Query on 0x49d3…4dc7`; plus `and N more`
    when several contracts are named."""
    short = hex(int(contracts[0], 16))
    # A contract name is at most 100 characters: the whole name stays within the 200 of the column.
    label = (names or {}).get(contracts[0]) or (short if len(short) <= 14 else f"{short[:6]}…{short[-4:]}")
    more = len(contracts) - 1
    return f"Query on {label}" + (f" and {more} more" if more else "")


def saved_query_create(
    *,
    user: User,
    contracts: list[str],
    contract_names: Mapping[str, str] | None = None,
    name: str | None = None,
    chain: str = DEFAULT_CHAIN,
    from_date: date | datetime | None = None,
    to_date: date | datetime | None = None,
    events: Any = None,
    stats: Any = None,
    contract_info: Mapping[str, Any] | None = None,
) -> SavedQuery:
    """Store a saved query over normalised, distinct, non-empty `contracts`; the first one is its
    contract_address. `contract_names` maps some of them to the names the app gave them.

    The content (`query`) keeps the app's camelCase keys: `contracts`, `contractNames`, `fromDate`,
    `toDate`, `events`, `stats`, `contractInfo`.
    Raises SavedQueryLimitReached past MAX_SAVED_QUERIES_PER_USER. Logged as `contract.saved_query_created`.
    """
    given = contract_names or {}
    names = {address: given[address] for address in contracts if given.get(address)}
    content = {
        "contracts": contracts,
        "contractNames": names,
        "fromDate": iso_text(from_date) if from_date is not None else None,
        "toDate": iso_text(to_date) if to_date is not None else None,
        "events": events,
        "stats": stats,
        "contractInfo": dict(contract_info) if contract_info is not None else None,
    }
    with transaction.atomic():
        user_lock(user)
        if SavedQuery.objects.filter(user=user).count() >= MAX_SAVED_QUERIES_PER_USER:
            raise SavedQueryLimitReached(f"You can keep at most {MAX_SAVED_QUERIES_PER_USER} saved queries.")
        saved = SavedQuery.objects.create(
            user=user,
            name=(name or "").strip() or default_saved_query_name(contracts, names),
            contract_address=contracts[0],
            chain=chain,
            query=content,
        )
        activity_record(
            action="contract.saved_query_created",
            actor=user,
            target_type="saved_query",
            target_id=saved.pk,
            metadata={"contract_address": saved.contract_address, "contracts": len(contracts), "chain": chain},
        )
    return saved
