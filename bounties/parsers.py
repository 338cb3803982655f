"""A JSON parser that reads numbers with a fraction as Decimal, so `150.1` in a body means exactly 150.1."""

import codecs
from collections.abc import Mapping
from decimal import Decimal
from typing import IO, Any, cast

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

from blocra.parsers import TOO_DEEP, JSONParser, check_depth


class DecimalJSONParser(JSONParser):
    """DRF's JSONParser (NaN and Infinity refused in strict mode) with `parse_float=Decimal`: a binary
    float never stands between the client's digits and the stored amount. Nested at most JSON_MAX_DEPTH
    levels, like every API body."""

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            decoded_stream = codecs.getreader(encoding)(stream)
            parse_constant = json.strict_constant if self.strict else None
            document = json.load(cast(IO[str], decoded_stream), parse_constant=parse_constant, parse_float=Decimal)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        return check_depth(document)
