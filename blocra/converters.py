"""Path converters shared by the apps' URL patterns, registered on import."""

from django.urls import register_converter


class RowIdConverter:
    """A positive integer id that fits a 64-bit column (at most 18 digits): larger numbers are a 404,
    never an overflow in the database driver."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(RowIdConverter, "row_id")
