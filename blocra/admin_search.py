"""Admin search by Starknet address or hash, for every app's admin screens (they sit above `blocra`)."""

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from blocra.starknet import felt_hex, parse_felt

if TYPE_CHECKING:
    from django.contrib import admin

    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = object


class FeltSearchMixin(_ModelAdmin):
    """A search term that is a whole `0x` felt (an address or a transaction hash) also matches the
    normalised form stored in `felt_search_fields`, so `0x49d3...` finds rows stored as `0x049d3...`
    (64 digits, zero-padded). Put it before the ModelAdmin class in the bases."""

    felt_search_fields: tuple[str, ...] = ()

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        felt = _hex_felt(search_term)
        if felt is None or not self.felt_search_fields:
            return results, may_have_duplicates
        exact = Q()
        for field in self.felt_search_fields:
            exact |= Q(**{field: felt})
        return results | queryset.filter(exact), may_have_duplicates


def _hex_felt(term: str) -> str | None:
    """The normalised `0x` + 64 digits form of a hex felt; None for anything else (decimals too: a
    number typed in the search box is not meant as an address)."""
    text = term.strip()
    if not text.lower().startswith("0x"):
        return None
    try:
        return felt_hex(parse_felt("0x" + text[2:]))
    except ValueError:
        return None
