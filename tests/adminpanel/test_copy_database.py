"""`manage.py copy_database`: an installation's rows moved, exactly, into a new PostgreSQL or MySQL/MariaDB
database. The source is the test database (SQLite in a plain `make test`: the move the command is for)."""

from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connections, transaction

from accounts.models import ActivityLog, User
from adminpanel.database_copy import CopyRefused, copied_models, copy_target, database_copy
from blocra.amounts import AMOUNT_MAX
from bounties.models import Bounty, BountyParticipant, Reward, Submission
from contracts.models import Dashboard
from tests.factories import (
    ActivityFactory,
    BlacklistedTokenFactory,
    BountyFactory,
    ContractQueryFactory,
    PayoutTransferFactory,
    RewardFactory,
    UserFactory,
)
from tests.scratch_databases import scratch_database

pytestmark = pytest.mark.django_db

TARGETS = ["postgresql", "mysql"]


def fill_source() -> dict[str, object]:
    """The demo data set (people, bounties in every state with participants and submissions, rewards,
    queries, a dashboard, feedback, activity), and rows it lacks: extreme amounts, a paid transfer,
    group permissions, a revoked session, an admin log entry, text beyond ASCII."""
    call_command("seed_demo", "--no-password", "--allow-production", stdout=StringIO())
    largest = BountyFactory(reward_amount=AMOUNT_MAX, title="Größte Prämie 🚀")
    smallest = RewardFactory(bounty=BountyFactory(reward_amount=Decimal("0.000000000000000001")))
    PayoutTransferFactory()
    group = Group.objects.create(name="reviewers")
    group.permissions.set(Permission.objects.filter(codename__in=["view_bounty", "change_bounty"]))
    member = UserFactory(username="Zoë")
    member.groups.add(group)
    BlacklistedTokenFactory(token__user=member)
    ActivityFactory(actor=member, metadata={"note": "naïve café ✓", "amount": "1.000000000000000001"})
    ContractQueryFactory(user=member)
    LogEntry.objects.log_actions(
        user_id=member.pk, queryset=[largest], action_flag=ADDITION, change_message="made by the test"
    )
    return {"largest": largest, "smallest": smallest, "member": member}


def rows_per_model(alias: str) -> dict[str, int]:
    return {model._meta.label: model._base_manager.using(alias).count() for model in copied_models(alias)}


def amounts(alias: str) -> dict[object, Decimal]:
    return {
        **dict(Bounty.objects.using(alias).values_list("pk", "reward_amount")),
        **dict(Reward.objects.using(alias).values_list("pk", "amount")),
    }


def copy(*args: str) -> str:
    out = StringIO()
    call_command("copy_database", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("vendor", TARGETS)
def test_copy_database_moves_every_row_exactly_and_copies_over_rows_only_when_told(vendor, monkeypatch):
    # given: a filled installation and an empty database of the other kind
    made = fill_source()
    with scratch_database(vendor) as url, copy_target(url, alias="copied") as target:
        monkeypatch.setenv("TARGET_DATABASE_URL", url)

        # when
        printed = copy()

        # then: every table holds what the source holds, row for row
        assert "every row compared equal with its source" in printed
        source_rows = rows_per_model("default")
        assert rows_per_model(target) == source_rows
        assert source_rows["accounts.User"] >= 20 and source_rows["bounties.Submission"] > 0
        assert source_rows["auth.Group_permissions"] == 2 and source_rows["admin.LogEntry"] == 1
        # amounts to the last of 40 digits, timestamps not restamped by the copy
        assert amounts(target) == amounts("default")
        assert Bounty.objects.using(target).get(pk=made["largest"].pk).reward_amount == AMOUNT_MAX
        assert Reward.objects.using(target).get(pk=made["smallest"].pk).amount == Decimal("1E-18")
        assert dict(User.objects.using(target).values_list("pk", "created_at")) == dict(
            User.objects.values_list("pk", "created_at")
        )
        assert ActivityLog.objects.using(target).get(actor=made["member"]).metadata["note"] == "naïve café ✓"
        # relations hold: the rows each foreign key names arrived, under the same ids
        assert set(
            BountyParticipant.objects.using(target).values_list("bounty__title", "user__email", "status")
        ) == set(BountyParticipant.objects.values_list("bounty__title", "user__email", "status"))
        assert LogEntry.objects.using(target).get().content_type == ContentType.objects.get_for_model(Bounty)
        assert set(Group.objects.using(target).get().permissions.values_list("codename", flat=True)) == {
            "view_bounty",
            "change_bounty",
        }
        # the target's constraints work on the copied rows (generated columns computed there)
        pending = Submission.objects.filter(status=Submission.Status.PENDING).first()
        with pytest.raises(IntegrityError), transaction.atomic(using=target):
            Submission.objects.using(target).create(bounty_id=pending.bounty_id, user_id=pending.user_id, content="x")
        with pytest.raises(IntegrityError), transaction.atomic(using=target):
            User.objects.using(target).create(email=made["member"].email.upper())
        # and a row made after the move gets an id after the copied ones
        newcomer = User.objects.using(target).create(email="newcomer@example.com")
        assert newcomer.pk > max(User.objects.values_list("pk", flat=True))
        dashboard = Dashboard.objects.using(target).create(user=newcomer, name="after the move")
        assert dashboard.pk > max(Dashboard.objects.values_list("pk", flat=True))
        assert ActivityLog.objects.using(target).create(action="test").pk > max(
            ActivityLog.objects.values_list("pk", flat=True)
        )

        # given: the source changed since the copy
        UserFactory(email="late@example.com")

        # when: copied again without --replace
        with pytest.raises(CommandError, match=r"already holds rows .*accounts_user"):
            copy()

        # then: the target is as it was
        assert User.objects.using(target).filter(email="newcomer@example.com").exists()
        assert not User.objects.using(target).filter(email="late@example.com").exists()

        # when: with --replace
        copy("--replace")

        # then: the target holds the source as it is now, and nothing else
        assert rows_per_model(target) == rows_per_model("default")
        assert User.objects.using(target).filter(email="late@example.com").exists()
        assert not User.objects.using(target).filter(email="newcomer@example.com").exists()


def test_copy_database_refuses_a_mysql_database_that_ignores_case(monkeypatch):
    # given: a MySQL/MariaDB database made with the server's usual case-insensitive collation
    UserFactory()
    with scratch_database("mysql", collation="utf8mb4_general_ci") as url:
        monkeypatch.setenv("TARGET_DATABASE_URL", url)

        # when / then: refused by the database checks before any table is made
        with pytest.raises(CommandError, match=r"blocra\.E101"):
            copy()
        with copy_target(url, alias="copied") as target, connections[target].cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()")
            assert cursor.fetchone()[0] == 0


def test_copy_database_refuses_a_password_on_the_command_line():
    with pytest.raises(CommandError, match="TARGET_DATABASE_URL"):
        copy("--to", "postgres://blocra:secret@db.internal:5432/blocra")


def test_copy_database_takes_the_target_from_the_command_line_first(monkeypatch):
    # given: the variable names a database of a kind the command refuses
    monkeypatch.setenv("TARGET_DATABASE_URL", "sqlite:////nowhere/blocra.db")

    # when: --to names a PostgreSQL server that is not there (port 1 refuses at once)
    with pytest.raises(CommandError) as refused:
        copy("--to", "postgres://blocra@127.0.0.1:1/blocra")

    # then: the command tried --to's database
    assert "OperationalError" in str(refused.value)


def test_copy_database_refuses_a_sqlite_target(monkeypatch):
    monkeypatch.setenv("TARGET_DATABASE_URL", "sqlite:////nowhere/blocra.db")
    with pytest.raises(CommandError, match=r"PostgreSQL .* or MySQL/MariaDB"):
        copy()


def test_database_copy_refuses_to_copy_a_database_into_itself():
    with pytest.raises(CopyRefused, match="same database"):
        database_copy(source="default", target="default")


def test_copy_database_names_its_target(monkeypatch):
    monkeypatch.delenv("TARGET_DATABASE_URL", raising=False)
    with pytest.raises(CommandError, match="--to URL"):
        copy()
