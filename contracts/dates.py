"""Date bounds of saved queries: `fromDate`/`toDate` are ISO dates or RFC 3339 date-times."""

from datetime import UTC, date, datetime, time


def iso_text(value: date | datetime) -> str:
    """`YYYY-MM-DD` for a date, RFC 3339 in UTC (`...Z`) for a date-time."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def range_start(value: date | datetime) -> datetime:
    """The first instant a `fromDate` covers: a date starts at midnight UTC."""
    return value if isinstance(value, datetime) else datetime.combine(value, time.min, tzinfo=UTC)


def range_end(value: date | datetime) -> datetime:
    """The last instant a `toDate` covers: a date includes its whole day."""
    return value if isinstance(value, datetime) else datetime.combine(value, time.max, tzinfo=UTC)
