"""The response cache of `GET /api/bounties` (every filter, search, ordering and page) and of
`GET /api/bounties/{id}`, on the shared cache, with strong ETags (blocra.response_cache).

What these answers show: bounty rows, with the maintained participant and submission counters (the
only way participants and submissions appear), and the creator's id, username and wallet. So every
write of a Bounty row (a save or delete: bounties.receivers; `QuerySet.update()`, `bulk_create()`,
`bulk_update()`: bounties.querysets) and every change of a user's username or wallet
(bounties.receivers) calls `bounty_reads_changed`. Rewards are not shown.

The answers depend on nobody's identity (same rows, same JSON for everyone), yet anonymous and
signed-in answers are stored apart (the variant is in the key), so a future per-user field cannot leak
between the two. Authentication has run before any of this (DRF's `initial()`): a bad token is a 401.
"""

import dataclasses
import uuid

from django.http import HttpResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from blocra.pagination import HeaderPagination
from blocra.response_cache import VersionedCache, cacheable_response, key_digest, strong_etag
from bounties import selectors
from bounties.filters import bounty_list_filters_parse
from bounties.representations import BOUNTY

BOUNTY_READS = VersionedCache("bounties:reads")

# A cached answer: the rendered JSON, the list's total (None for the detail) and the ETag.
Entry = tuple[bytes, int | None, str]


def bounty_reads_changed(*, using: str | None = None) -> None:
    """A write on database `using` changes the bounty list or detail: retire their cached answers
    (now, and again when the transaction commits)."""
    BOUNTY_READS.changed(using=using)


def _variant(request: Request) -> str:
    return "user" if request.user and request.user.is_authenticated else "anon"


def _version() -> int | None:
    """The version to read and store under, taken before any query; None: do not cache."""
    return BOUNTY_READS.version() if BOUNTY_READS.enabled else None


def bounty_list_response(request: Request, view: APIView) -> HttpResponse:
    """One page of the public list (a bare array with X-Total-Count and Link), from the cache when it
    holds this page of these filters; 400 for malformed parameters before the cache is asked."""
    filters = bounty_list_filters_parse(request.query_params)
    pagination = HeaderPagination()
    page, page_size = pagination.parse(request)
    version = _version()
    # The parsed values: `status=active` and `status=open`, ` x ` and `x`, `page=01` and `page=1` share
    # an entry; the digest covers every field, so different queries never do.
    key = f"list:{_variant(request)}:{key_digest(dataclasses.astuple(filters), page, page_size)}"
    entry: Entry | None = BOUNTY_READS.get(version, key) if version is not None else None
    if entry is None:
        rows = pagination.paginate_queryset(selectors.bounty_list(filters=filters), request, view)
        body = JSONRenderer().render([BOUNTY.from_row(row) for row in rows])
        # The total is part of the representation: an empty page past the end changes with it.
        entry = (body, pagination.total, strong_etag(body, str(pagination.total)))
        if version is not None:
            BOUNTY_READS.set(version, key, entry)
    body, total, etag = entry
    # Link is built from this request's own parameters (its host, its spelling), so it is not cached.
    return cacheable_response(body, etag, request, pagination.headers(total or 0))


def bounty_detail_response(request: Request, bounty_id: uuid.UUID) -> HttpResponse:
    """One bounty, from the cache when it holds it; BountyNotFound (404, never cached) otherwise."""
    version = _version()
    key = f"detail:{_variant(request)}:{bounty_id}"
    entry: Entry | None = BOUNTY_READS.get(version, key) if version is not None else None
    if entry is None:
        body = JSONRenderer().render(BOUNTY.from_instance(selectors.bounty_get(bounty_id=bounty_id)))
        entry = (body, None, strong_etag(body))
        if version is not None:
            BOUNTY_READS.set(version, key, entry)
    body, _, etag = entry
    return cacheable_response(body, etag, request, {})
