"""`manage.py prune_notifications`: notifications older than the retention go, read or not, in batches;
the cutoff one stays. (The batching and the command's options are shared with `prune_activity`, whose
tests cover them in full.)"""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Notification
from tests.blocra.test_settings import PRODUCTION_ENV, run_settings
from tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def aged(fake_clock, *ages: timedelta, read: bool = False) -> list[int]:
    """One notification per age, created that long before the fake clock's now; their ids."""
    now = datetime.fromtimestamp(fake_clock.time(), tz=UTC)
    ids = []
    for age in ages:
        notification = NotificationFactory(read_at=now - age if read else None)
        Notification.objects.filter(pk=notification.pk).update(created_at=now - age)
        ids.append(notification.pk)
    return ids


def prune(*args: str) -> str:
    out = StringIO()
    call_command("prune_notifications", *args, stdout=out)
    return out.getvalue()


def test_prune_notifications_deletes_read_and_unread_past_the_retention(fake_clock, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 30
    old_unread, at_cutoff, recent = aged(
        fake_clock, timedelta(days=30, microseconds=1), timedelta(days=30), timedelta(days=29)
    )
    (old_read,) = aged(fake_clock, timedelta(days=31), read=True)

    output = prune()

    assert set(Notification.objects.values_list("pk", flat=True)) == {at_cutoff, recent}
    cutoff = datetime.fromtimestamp(fake_clock.time(), tz=UTC) - timedelta(days=30)
    assert output.strip() == f"Deleted 2 notification(s) created before {cutoff.isoformat()} (kept: 30 days)."
    assert {old_unread, old_read}.isdisjoint(Notification.objects.values_list("pk", flat=True))


def test_prune_notifications_in_batches_oldest_first_then_nothing_left(fake_clock, django_assert_num_queries):
    aged(fake_clock, *[timedelta(days=200 + n) for n in range(5)], timedelta(days=1))

    # 5 = 2 + 2 + 1: each batch its ids then DELETE, then the empty read that ends it
    with django_assert_num_queries(3 * 2 + 1):
        first = prune("--batch-size", "2")
    second = prune("--dry-run")

    assert first.startswith("Deleted 5 notification(s)")
    assert second.startswith("Would delete 0 notification(s)")
    assert Notification.objects.count() == 1


def test_prune_notifications_refuses_days_below_one(fake_clock):
    aged(fake_clock, timedelta(days=400))

    with pytest.raises(CommandError, match="must be at least 1"):
        prune("--days", "0")

    assert Notification.objects.count() == 1


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_settings_refuse_a_bad_notification_retention(value, tmp_path):
    result = run_settings({**PRODUCTION_ENV, "NOTIFICATION_RETENTION_DAYS": value}, tmp_path)

    assert result.returncode != 0
    assert "NOTIFICATION_RETENTION_DAYS must be" in result.stderr
