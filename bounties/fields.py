"""Serializer fields of the bounties API that both input serializers and output shapes use."""

from typing import Any

from rest_framework import serializers

# User ids are 64-bit integers: anything larger is invalid input, not a database error.
MAX_ID = 2**63 - 1


class StatusChoiceField(serializers.ChoiceField):
    """A `status` choice, documented as the enum component `enum_name` (bounties.schema)."""

    def __init__(self, *, enum_name: str, **kwargs: Any) -> None:
        self.enum_name = enum_name
        super().__init__(**kwargs)
