"""One declaration per API shape: which columns a JSON object reads, how each key renders, and how the
OpenAPI schema documents it.

A `Shape` renders the same dict from a `values_list` row (the hot list paths build no model instances)
and from a model instance, and builds the DRF serializer the schema documents, so the fast rendering
and the documentation cannot drift apart. Keys are declared in answer order.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import models
from rest_framework import serializers

from blocra.amounts import format_amount


@dataclass(frozen=True)
class Key:
    """One key of a JSON object: the ORM columns it reads (values_list paths, `__` across relations), how
    those values become the JSON value, and the serializer field that documents it."""

    sources: tuple[str, ...]
    render: Callable[..., Any]
    schema: Callable[[], "serializers.Field[Any, Any, Any, Any]"]


def key(
    source: str, render: Callable[[Any], Any], schema: Callable[[], "serializers.Field[Any, Any, Any, Any]"]
) -> Key:
    """A key read from one column."""
    return Key((source,), render, schema)


class Shape:
    """A JSON object of the API, declared once (`keys`: name -> Key, in answer order)."""

    def __init__(self, name: str, keys: dict[str, Key]) -> None:
        self.name = name
        self.keys = keys
        # Each source read once, in first-use order; each key remembers where its values sit in a row.
        self.columns: tuple[str, ...] = tuple(dict.fromkeys(s for k in keys.values() for s in k.sources))
        index = {column: position for position, column in enumerate(self.columns)}
        self._plan = tuple(
            (name, entry.render, tuple(index[source] for source in entry.sources)) for name, entry in keys.items()
        )

    def only_fields(self) -> tuple[str, ...]:
        """The columns as `.only()` names for model instances: a relation's id column by the relation."""
        return tuple(column.removesuffix("_id") for column in self.columns)

    def from_row(self, row: Sequence[Any]) -> dict[str, Any]:
        """The JSON object from a `values_list(*shape.columns)` row."""
        return {
            name: render(row[positions[0]]) if len(positions) == 1 else render(*(row[p] for p in positions))
            for name, render, positions in self._plan
        }

    def from_instance(self, instance: models.Model) -> dict[str, Any]:
        """The JSON object from a model instance (relations the columns cross should be joined in)."""
        return self.from_row([_follow(instance, column) for column in self.columns])

    def serializer(self, **overrides: Any) -> "type[serializers.Serializer[Any]]":
        """The output serializer documenting this shape in the OpenAPI schema (component `name`)."""
        fields = {name: entry.schema() for name, entry in self.keys.items()}
        return type(f"{self.name}Serializer", (serializers.Serializer,), {**fields, **overrides})


def _follow(instance: Any, column: str) -> Any:
    value = instance
    for part in column.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return value


# --- Renderers shared by the shapes ------------------------------------------------------------------


def same(value: Any) -> Any:
    return value


def text(value: Any) -> str:
    return str(value)


def amount_text(value: Any) -> str | None:
    """An exact decimal amount as its plain string (JSON carries money as strings)."""
    return format_amount(value)


def datetime_text(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with a `Z` suffix, as DRF renders datetimes."""
    if value is None:
        return None
    rendered = value.astimezone(UTC).isoformat()
    return rendered[:-6] + "Z" if rendered.endswith("+00:00") else rendered
