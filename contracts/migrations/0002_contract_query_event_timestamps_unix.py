# Data only: the block timestamps in stored `events` query results become integers, Unix seconds, as
# every chain time the API answers now is; reversed, they go back to RFC 3339 text in UTC. Values of
# neither shape (a null timestamp) are left as they are.

from datetime import UTC, datetime

from django.db import migrations

BATCH = 500


def rfc3339_to_unix(value):
    if not isinstance(value, str):
        return value
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return int(moment.timestamp()) if moment.tzinfo is not None else value


def unix_to_rfc3339(value):
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    return datetime.fromtimestamp(value, tz=UTC).isoformat().replace("+00:00", "Z")


def convert_event_timestamps(apps, convert):
    ContractQuery = apps.get_model("contracts", "ContractQuery")
    stored = ContractQuery.objects.filter(query_type="events", status="success")
    ids = list(stored.values_list("pk", flat=True))
    # Batches by id: rows are rewritten while they are read, which SQLite cannot do under one cursor.
    for start in range(0, len(ids), BATCH):
        changed = []
        for query in ContractQuery.objects.filter(pk__in=ids[start : start + BATCH]).only("pk", "result"):
            events = query.result.get("events") if isinstance(query.result, dict) else None
            touched = False
            for event in events if isinstance(events, list) else []:
                if isinstance(event, dict) and "timestamp" in event:
                    converted = convert(event["timestamp"])
                    touched = touched or converted is not event["timestamp"]
                    event["timestamp"] = converted
            if touched:
                changed.append(query)
        ContractQuery.objects.bulk_update(changed, ["result"])


def forwards(apps, schema_editor):
    convert_event_timestamps(apps, rfc3339_to_unix)


def backwards(apps, schema_editor):
    convert_event_timestamps(apps, unix_to_rfc3339)


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
