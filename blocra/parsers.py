"""The API's JSON parser: DRF's, except that a body nested deeper than JSON_MAX_DEPTH is a 400."""

from collections.abc import Iterable, Mapping
from typing import IO, Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Levels of arrays and objects a request body may nest. The deepest documents the API takes (a saved
# query's events, a dashboard's widgets) are bounded at 8 levels below their field; deeper bodies only
# cost stack on every later walk (serializers, json.dumps into a JSONField), and past Python's
# recursion limit, a RecursionError.
JSON_MAX_DEPTH = 32
TOO_DEEP = f"JSON parse error - the document is nested deeper than {JSON_MAX_DEPTH} levels."


def check_depth(document: Any) -> Any:
    """`document` unchanged; ParseError (a 400) when its arrays and objects nest deeper than
    JSON_MAX_DEPTH. Iterative: the check itself never recurses."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > JSON_MAX_DEPTH:
            raise ParseError(TOO_DEEP)
        stack.extend((child, depth + 1) for child in children)
    return document


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser (NaN and Infinity refused), with the depth bound; a RecursionError from a
    document too deep for Python's parser is the same 400."""

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            document = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        return check_depth(document)
