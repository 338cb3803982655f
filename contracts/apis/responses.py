"""What the contracts API documents about its answers: envelopes and the common error answers."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers


def envelope(name: str, **fields: serializers.Field) -> serializers.Serializer:
    """The schema of a `{"success": true, ...}` answer."""
    return inline_serializer(name, {"success": serializers.BooleanField(), **fields})


SuccessMessage = envelope("ContractsSuccessMessage", message=serializers.CharField())


ERRORS = {
    400: OpenApiResponse(description="Invalid input (`errors` names the fields)."),
    401: OpenApiResponse(description="Not authenticated."),
    404: OpenApiResponse(description="Not found, or not yours."),
}


UPSTREAM = {
    502: OpenApiResponse(description="The Starknet node answered incorrectly (`starknet.bad_gateway`)."),
    503: OpenApiResponse(
        description="No Starknet node is reachable (`starknet.unavailable`), or this server runs as many "
        "Starknet calls as it allows (`starknet.busy`); see Retry-After."
    ),
    504: OpenApiResponse(description="The Starknet node did not answer in time (`starknet.timeout`)."),
}


def string(**kwargs) -> serializers.CharField:
    return serializers.CharField(**kwargs)


def fee() -> serializers.CharField:
    """A fee in STRK. A new field each time: one instance shared by two names takes the first one's title."""
    return string(allow_null=True, help_text="Decimal string in STRK.")


def unix_seconds(**kwargs) -> serializers.IntegerField:
    """A time read from the chain: an integer, Unix seconds, as the chain gives it."""
    return serializers.IntegerField(**{"help_text": "Unix seconds.", **kwargs})
