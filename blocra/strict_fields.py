"""Serializer fields that take JSON values of their own type only.

DRF's CharField turns a number into its text (`0` becomes `"0"`), so a body the OpenAPI schema calls
invalid (a number where a string is documented) would be accepted. The API's string inputs refuse it.
"""

from typing import Any

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A CharField that accepts a JSON string only (never a number, boolean, list or object)."""

    default_error_messages = {"invalid": "Not a valid string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
