"""Data migrations of the contracts app, run forwards and backwards on the real database."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import UserFactory

BEFORE = [("contracts", "0001_initial")]
AFTER = [("contracts", "0002_contract_query_event_timestamps_unix")]
ADDRESS = "0x" + "7" * 64


def _events_result(*timestamps) -> dict:
    return {
        "from_block": 0,
        "to_block": 9,
        "truncated": False,
        "events": [{"block_number": n, "event_name": "Transfer", "timestamp": t} for n, t in enumerate(timestamps)],
    }


def _migrate(executor: MigrationExecutor, targets):
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps.get_model("contracts", "ContractQuery")


@pytest.mark.django_db(transaction=True)  # migrations run their own transactions (SQLite's schema editor)
def test_event_timestamps_migration_converts_stored_results_to_unix_seconds_and_back():
    user = UserFactory()
    receipt = {"transaction_hash": "0x1", "events": [{"block_number": None, "event_name": "Transfer"}]}
    executor = MigrationExecutor(connection)
    try:
        # given: results stored with RFC 3339 chain times (and one null time), beside other query types
        old = _migrate(executor, BEFORE)
        rows = {
            "events": ("events", "success", _events_result("2026-01-01T00:00:30Z", "2026-01-01T00:02:00Z", None)),
            "empty": ("events", "success", _events_result()),
            "failed": ("events", "failed", None),
            "receipt": ("receipt", "success", receipt),
        }
        stored = {
            name: old.objects.create(
                user_id=user.pk, contract_address=ADDRESS, query_type=kind, status=status, result=result
            ).pk
            for name, (kind, status, result) in rows.items()
        }

        # when: forwards
        new = _migrate(executor, AFTER)
        forwards = {name: new.objects.get(pk=pk).result for name, pk in stored.items()}

        # when: backwards
        first = _migrate(executor, BEFORE)
        backwards = {name: first.objects.get(pk=pk).result for name, pk in stored.items()}
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert forwards == {
        "events": _events_result(1_767_225_630, 1_767_225_720, None),
        "empty": _events_result(),
        "failed": None,
        "receipt": receipt,
    }
    assert backwards == {
        "events": _events_result("2026-01-01T00:00:30Z", "2026-01-01T00:02:00Z", None),
        "empty": _events_result(),
        "failed": None,
        "receipt": receipt,
    }
