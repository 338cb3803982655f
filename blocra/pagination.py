"""List pagination per the API contract: a bare JSON array, with X-Total-Count and Link headers."""

import functools
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import InvalidPage, Paginator
from django.db.models import QuerySet
from django.http import QueryDict
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
PAGE_SCHEMA: dict[str, Any] = {"type": "integer", "minimum": 1}
PAGE_SIZE_SCHEMA: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}
# The query parameters of a paginated list, for views that document theirs with extend_schema.
PAGE_PARAMETERS = [
    OpenApiParameter("page", PAGE_SCHEMA, OpenApiParameter.QUERY, description="Page number, from 1."),
    OpenApiParameter(
        "page_size",
        PAGE_SIZE_SCHEMA,
        OpenApiParameter.QUERY,
        description=f"Rows per page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}).",
    ),
]


def _positive_int(request: Request, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError({name: ["Must be a positive integer."]}) from None
    if value < 1:
        raise ValidationError({name: ["Must be a positive integer."]})
    if maximum is not None and value > maximum:
        raise ValidationError({name: [f"Must be at most {maximum}."]})
    return value


class HeaderPagination(BasePagination):
    """`?page=1&page_size=20` (max 100). A page past the last one is an empty array, not an error."""

    def parse(self, request: Request) -> tuple[int, int]:
        """The requested page number and page size; ValidationError (400) when malformed."""
        self.request = request
        self.page_number = _positive_int(request, "page", 1)
        self.page_size = _positive_int(request, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        return self.page_number, self.page_size

    def paginate_queryset(
        self, queryset: QuerySet[Any, Any], request: Request, view: APIView | None = None
    ) -> list[Any]:
        self.parse(request)
        paginator = Paginator(queryset, self.page_size)
        self.total = paginator.count
        try:
            return list(paginator.page(self.page_number).object_list)
        except InvalidPage:
            return []

    def get_paginated_response(self, data: Any) -> Response:
        response = Response(data)
        for name, value in self.headers(self.total).items():
            response[name] = value
        return response

    def headers(self, total: int) -> dict[str, str]:
        """X-Total-Count and Link for the parsed page of a list of `total` rows."""
        headers = {"X-Total-Count": str(total)}
        link = link_header(
            self.request.build_absolute_uri(self.request.path),
            self.request.META.get("QUERY_STRING", ""),
            self.page_number,
            self.page_size,
            total,
        )
        if link:
            headers["Link"] = link
        return headers

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return schema

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        return [
            {"name": "page", "required": False, "in": "query", "schema": PAGE_SCHEMA},
            {"name": "page_size", "required": False, "in": "query", "schema": PAGE_SIZE_SCHEMA},
        ]


@functools.lru_cache(maxsize=1024)
def link_header(base: str, query_string: str, page: int, page_size: int, total: int) -> str:
    """The Link header (first, last, prev, next) of page `page` of `total` rows at `base` (the absolute
    URL of the path) with the request's own query string: a pure function of its arguments, memoized
    because the cached list answers (bounties.caching) would otherwise spend a fifth of their time here."""
    params = QueryDict(query_string, mutable=True)
    # As Paginator.num_pages counts them (an empty list has one page).
    last = max(1, -(-total // page_size))

    def url(number: int) -> str:
        params["page"] = str(number)
        params["page_size"] = str(page_size)
        return base + "?" + urlencode(sorted(params.lists()), doseq=True)

    links = [("first", url(1)), ("last", url(last))]
    if page > 1:
        links.append(("prev", url(min(page - 1, last))))
    if page < last:
        links.append(("next", url(page + 1)))
    return ", ".join(f'<{link}>; rel="{rel}"' for rel, link in links)
