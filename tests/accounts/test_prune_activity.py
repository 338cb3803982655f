"""`manage.py prune_activity`: rows older than the retention go, in batches; the cutoff row stays."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import ActivityLog
from accounts.services.activity import activity_prune
from tests.blocra.test_settings import PRODUCTION_ENV, run_settings
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db


def fake_now(fake_clock) -> datetime:
    # The command's "now": the application's clock, read as the command reads it.
    return datetime.fromtimestamp(fake_clock.time(), tz=UTC)


def rows_aged(fake_clock, *ages: timedelta) -> list[int]:
    """One activity row per age, created that long before the fake clock's now; their ids."""
    ids = []
    for age in ages:
        row = ActivityFactory(actor=None)
        ActivityLog.objects.filter(pk=row.pk).update(created_at=fake_now(fake_clock) - age)
        ids.append(row.pk)
    return ids


def prune(*args: str) -> str:
    out = StringIO()
    call_command("prune_activity", *args, stdout=out)
    return out.getvalue()


def test_prune_activity_deletes_rows_older_than_the_retention_and_keeps_the_cutoff_row(fake_clock, settings):
    # given: a retention of 30 days, and rows just past, exactly at, and within it
    settings.ACTIVITY_RETENTION_DAYS = 30
    fake_clock.advance(3600)  # "now" is the application's clock, not the wall clock
    old, at_cutoff, recent = rows_aged(
        fake_clock, timedelta(days=30, microseconds=1), timedelta(days=30), timedelta(days=29)
    )

    # when
    output = prune()

    # then
    assert set(ActivityLog.objects.values_list("pk", flat=True)) == {at_cutoff, recent}
    cutoff = fake_now(fake_clock) - timedelta(days=30)
    assert output.strip() == f"Deleted 1 activity row(s) created before {cutoff.isoformat()} (kept: 30 days)."
    assert old not in ActivityLog.objects.values_list("pk", flat=True)


def test_prune_activity_is_idempotent(fake_clock):
    rows_aged(fake_clock, timedelta(days=400), timedelta(days=1))

    first, second = prune(), prune()

    assert first.startswith("Deleted 1 activity row(s)")
    assert second.startswith("Deleted 0 activity row(s)")
    assert ActivityLog.objects.count() == 1


def test_prune_activity_days_overrides_the_setting(fake_clock, settings):
    settings.ACTIVITY_RETENTION_DAYS = 365
    rows_aged(fake_clock, timedelta(days=8), timedelta(days=6))

    output = prune("--days", "7")

    assert "Deleted 1 activity row(s)" in output
    assert "(kept: 7 days)" in output
    assert ActivityLog.objects.count() == 1


def test_prune_activity_dry_run_counts_and_deletes_nothing(fake_clock):
    rows_aged(fake_clock, timedelta(days=366), timedelta(days=500), timedelta(days=3))

    output = prune("--dry-run")

    assert output.startswith("Would delete 2 activity row(s)")
    assert ActivityLog.objects.count() == 3


def test_prune_activity_deletes_in_batches(fake_clock, django_assert_num_queries):
    # given: 7 expired rows and 1 kept, batches of 3
    rows_aged(fake_clock, *[timedelta(days=400 + n) for n in range(7)], timedelta(days=1))

    # when: 3 full batches (7 = 3 + 3 + 1), each its ids then DELETE, then the empty read that ends it
    with django_assert_num_queries(3 * 2 + 1):
        output = prune("--batch-size", "3")

    # then
    assert output.startswith("Deleted 7 activity row(s)")
    assert ActivityLog.objects.count() == 1


def test_prune_activity_oldest_go_first(fake_clock):
    # Each batch takes the oldest rows: an interrupted run has removed the oldest.
    ids = rows_aged(fake_clock, timedelta(days=500), timedelta(days=600), timedelta(days=400))

    deleted = activity_prune(older_than=fake_now(fake_clock) - timedelta(days=450), batch_size=1)

    assert deleted == 2
    assert list(ActivityLog.objects.values_list("pk", flat=True)) == [ids[2]]


@pytest.mark.parametrize(("option", "value"), [("--days", "0"), ("--days", "-3"), ("--batch-size", "0")])
def test_prune_activity_refuses_a_retention_or_batch_below_one(option, value, fake_clock):
    rows_aged(fake_clock, timedelta(days=400))

    with pytest.raises(CommandError, match="must be at least 1"):
        prune(option, value)

    assert ActivityLog.objects.count() == 1


def test_prune_activity_refuses_a_retention_setting_below_one(settings, fake_clock):
    settings.ACTIVITY_RETENTION_DAYS = 0
    rows_aged(fake_clock, timedelta(days=400))

    with pytest.raises(CommandError, match="at least 1 day"):
        prune()

    assert ActivityLog.objects.count() == 1


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_settings_refuse_a_bad_activity_retention(value, tmp_path):
    result = run_settings({**PRODUCTION_ENV, "ACTIVITY_RETENTION_DAYS": value}, tmp_path)

    assert result.returncode != 0
    assert "ACTIVITY_RETENTION_DAYS must be" in result.stderr


def test_settings_default_activity_retention_is_a_year(tmp_path):
    probe = "import django; django.setup(); from django.conf import settings; print(settings.ACTIVITY_RETENTION_DAYS)"

    result = run_settings({**PRODUCTION_ENV, "ACTIVITY_RETENTION_DAYS": ""}, tmp_path, probe=probe)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "365"
