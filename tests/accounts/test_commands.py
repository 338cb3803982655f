"""The accounts app's maintenance commands: create_admin and flush_expired_tokens, through call_command."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import ActivityLog, User, WalletChallenge
from accounts.services import session_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMIN_EMAIL = "ops@blocra.example"
STRONG = "lantern-harbor-quietly-2931"
OTHER_STRONG = "meadow-copper-silently-7154"


@pytest.fixture(autouse=True)
def _no_admin_environment(monkeypatch):
    """The commands read the environment: start each test without the operator's variables."""
    for name in ("ADMIN_EMAIL", "ADMIN_PASSWORD", "ADMIN_PASSWORD_FILE"):
        monkeypatch.delenv(name, raising=False)


def create_admin(*args: str) -> str:
    out = StringIO()
    call_command("create_admin", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def admin_env(monkeypatch):
    monkeypatch.setenv("ADMIN_EMAIL", ADMIN_EMAIL)
    monkeypatch.setenv("ADMIN_PASSWORD", STRONG)


# --- create_admin -----------------------------------------------------------------------------------


def test_create_admin_creates_an_active_verified_superuser_from_the_environment(admin_env):
    # when
    output = create_admin()

    # then
    user = User.objects.get(email=ADMIN_EMAIL)
    assert (user.role, user.is_superuser, user.is_active, user.email_verified) == ("admin", True, True, True)
    assert user.is_admin and user.is_staff
    assert user.check_password(STRONG)
    assert user.password.startswith("argon2")
    assert f"Created admin account {ADMIN_EMAIL}" in output
    assert STRONG not in output
    entry = ActivityLog.objects.get(action="admin.account_created")
    assert (entry.target_type, entry.target_id, entry.actor) == ("user", str(user.pk), None)


def test_create_admin_normalises_the_address(monkeypatch):
    monkeypatch.setenv("ADMIN_EMAIL", "  Ops@BlocRA.Example ")
    monkeypatch.setenv("ADMIN_PASSWORD", STRONG)
    create_admin()
    assert User.objects.get().email == ADMIN_EMAIL


def test_create_admin_reads_the_password_file_without_its_trailing_newline(tmp_path, monkeypatch):
    # given: a secret file as `echo` writes it
    secret = tmp_path / "admin_password"
    secret.write_text(STRONG + "\n")
    monkeypatch.setenv("ADMIN_EMAIL", ADMIN_EMAIL)
    monkeypatch.setenv("ADMIN_PASSWORD", "ignored-when-a-file-is-named-1234")
    monkeypatch.setenv("ADMIN_PASSWORD_FILE", str(secret))

    # when
    create_admin()

    # then
    user = User.objects.get(email=ADMIN_EMAIL)
    assert user.check_password(STRONG)
    assert not user.check_password(STRONG + "\n")


def test_create_admin_options_override_the_environment(tmp_path, admin_env):
    secret = tmp_path / "pw"
    secret.write_text(OTHER_STRONG)
    create_admin("--email", "second@blocra.example", "--password-file", str(secret))
    assert User.objects.get(email="second@blocra.example").check_password(OTHER_STRONG)
    assert not User.objects.filter(email=ADMIN_EMAIL).exists()


def test_create_admin_second_identical_run_changes_nothing(admin_env):
    # given
    create_admin()
    before = User.objects.values().get(email=ADMIN_EMAIL)

    # when
    output = create_admin()

    # then
    assert "already as asked; nothing changed" in output
    assert User.objects.values().get(email=ADMIN_EMAIL) == before
    assert ActivityLog.objects.count() == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [("short1", "too short"), ("password123", "too common"), ("83749201938475", "entirely numeric")],
)
def test_create_admin_refuses_a_weak_password_with_the_validators_messages(monkeypatch, password, message):
    monkeypatch.setenv("ADMIN_EMAIL", ADMIN_EMAIL)
    monkeypatch.setenv("ADMIN_PASSWORD", password)
    with pytest.raises(CommandError, match=message) as refused:
        create_admin()
    assert password not in str(refused.value)
    assert not User.objects.exists()
    assert not ActivityLog.objects.exists()


def test_create_admin_refuses_a_password_like_the_address(monkeypatch):
    monkeypatch.setenv("ADMIN_EMAIL", "quartermaster.general@blocra.example")
    monkeypatch.setenv("ADMIN_PASSWORD", "quartermaster.general")
    with pytest.raises(CommandError, match="too similar"):
        create_admin()
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "ADMIN_EMAIL (or --email) and ADMIN_PASSWORD or ADMIN_PASSWORD_FILE"),
        ({"ADMIN_PASSWORD": STRONG}, "Set ADMIN_EMAIL (or --email)."),
        ({"ADMIN_EMAIL": ADMIN_EMAIL}, "Set ADMIN_PASSWORD or ADMIN_PASSWORD_FILE (or --password-file)."),
        ({"ADMIN_EMAIL": ADMIN_EMAIL, "ADMIN_PASSWORD": ""}, "Set ADMIN_PASSWORD or ADMIN_PASSWORD_FILE"),
    ],
)
def test_create_admin_without_address_or_password_names_the_variables(monkeypatch, env, named):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(CommandError) as refused:
        create_admin()
    assert named in str(refused.value)
    assert not User.objects.exists()


def test_create_admin_with_an_empty_password_file_is_missing_the_password(tmp_path, monkeypatch):
    secret = tmp_path / "empty"
    secret.write_text("\n")
    monkeypatch.setenv("ADMIN_EMAIL", ADMIN_EMAIL)
    monkeypatch.setenv("ADMIN_PASSWORD_FILE", str(secret))
    with pytest.raises(CommandError, match="Set ADMIN_PASSWORD or ADMIN_PASSWORD_FILE"):
        create_admin()


def test_create_admin_with_an_unreadable_password_file_says_which(tmp_path, monkeypatch):
    missing = tmp_path / "nowhere"
    monkeypatch.setenv("ADMIN_EMAIL", ADMIN_EMAIL)
    monkeypatch.setenv("ADMIN_PASSWORD_FILE", str(missing))
    with pytest.raises(CommandError, match=r"Cannot read the password file .*nowhere"):
        create_admin()


def test_create_admin_refuses_an_invalid_address(monkeypatch):
    monkeypatch.setenv("ADMIN_EMAIL", "not-an-address")
    monkeypatch.setenv("ADMIN_PASSWORD", STRONG)
    with pytest.raises(CommandError, match="not a valid email address"):
        create_admin()
    assert not User.objects.exists()


def test_create_admin_promotes_an_existing_confirmed_account_and_keeps_its_password(admin_env):
    # given: a confirmed regular account holding the address, signed in
    user = UserFactory(email=ADMIN_EMAIL, email_verified_at=timezone.now())
    old_hash = user.password
    session_create(user=user)

    # when
    output = create_admin()

    # then: admin now, same password, sessions untouched
    user.refresh_from_db()
    assert (user.role, user.is_superuser, user.is_active) == ("admin", True, True)
    assert user.password == old_hash
    assert user.token_generation == 0 and not BlacklistedToken.objects.exists()
    assert "Updated admin account" in output and "role admin, superuser." in output
    entry = ActivityLog.objects.get(action="admin.account_updated")
    assert entry.target_id == str(user.pk)
    assert entry.metadata == {"changes": ["role admin", "superuser"]}


def test_create_admin_reactivates_a_deactivated_admin(admin_env):
    user = UserFactory(email=ADMIN_EMAIL, role="admin", is_superuser=True, is_active=False)
    output = create_admin()
    user.refresh_from_db()
    assert user.is_active and user.email_verified
    assert ActivityLog.objects.get(action="admin.account_updated").metadata == {
        "changes": ["active", "address verified"]
    }
    assert "active, address verified." in output


def test_create_admin_refuses_to_promote_an_account_nobody_confirmed(admin_env):
    # given: someone registered the operator's address before the operator ran the command
    squatter = UserFactory(email=ADMIN_EMAIL, email_verified_at=None)

    # when / then
    with pytest.raises(CommandError, match="nobody confirmed that address"):
        create_admin("--update-password")
    squatter.refresh_from_db()
    assert (squatter.role, squatter.is_superuser) == ("user", False)
    assert not ActivityLog.objects.exists()


def test_create_admin_update_password_changes_it_and_ends_the_sessions(admin_env, monkeypatch):
    # given: the admin exists and is signed in
    create_admin()
    user = User.objects.get(email=ADMIN_EMAIL)
    session_create(user=user)
    monkeypatch.setenv("ADMIN_PASSWORD", OTHER_STRONG)

    # when: without the flag the password stays
    assert "nothing changed" in create_admin()
    assert User.objects.get(pk=user.pk).check_password(STRONG)
    # and with it, it changes
    output = create_admin("--update-password")

    # then
    user.refresh_from_db()
    assert user.check_password(OTHER_STRONG)
    assert "password." in output and OTHER_STRONG not in output
    assert user.token_generation == 1
    assert BlacklistedToken.objects.filter(token__user=user).count() == 1
    assert ActivityLog.objects.get(action="admin.account_updated").metadata == {"changes": ["password"]}
    # a second run with the same password changes nothing
    assert "nothing changed" in create_admin("--update-password")
    assert User.objects.get(pk=user.pk).token_generation == 1


def test_create_admin_update_password_checks_the_new_password(admin_env, monkeypatch):
    create_admin()
    monkeypatch.setenv("ADMIN_PASSWORD", "abc")
    with pytest.raises(CommandError, match="too short"):
        create_admin("--update-password")
    assert User.objects.get(email=ADMIN_EMAIL).check_password(STRONG)


# --- flush_expired_tokens ---------------------------------------------------------------------------


def refresh_record(user, *, expired: bool, blacklisted: bool) -> OutstandingToken:
    session_create(user=user)
    record = OutstandingToken.objects.filter(user=user).latest("id")
    if expired:
        record.expires_at = timezone.now() - timedelta(minutes=1)
        record.save(update_fields=["expires_at"])
    if blacklisted:
        BlacklistedToken.objects.create(token=record)
    return record


def challenge(nonce: str, *, expired_ago: timedelta) -> WalletChallenge:
    expires_at = timezone.now() - expired_ago
    return WalletChallenge.objects.create(
        nonce=nonce,
        address="0x" + "1" * 64,
        chain_id="SN_SEPOLIA",
        issued_at=expires_at - timedelta(minutes=5),
        expires_at=expires_at,
    )


def test_flush_expired_tokens_deletes_expired_records_and_keeps_live_ones():
    # given
    user = UserFactory()
    expired = refresh_record(user, expired=True, blacklisted=False)
    expired_revoked = refresh_record(user, expired=True, blacklisted=True)
    live = refresh_record(user, expired=False, blacklisted=False)
    live_revoked = refresh_record(user, expired=False, blacklisted=True)
    challenge("long-expired", expired_ago=timedelta(hours=2))
    challenge("just-expired", expired_ago=timedelta(minutes=1))
    challenge("live", expired_ago=-timedelta(minutes=4))
    out = StringIO()

    # when
    call_command("flush_expired_tokens", stdout=out)

    # then
    assert set(OutstandingToken.objects.values_list("pk", flat=True)) == {live.pk, live_revoked.pk}
    assert list(BlacklistedToken.objects.values_list("token_id", flat=True)) == [live_revoked.pk]
    assert not OutstandingToken.objects.filter(pk__in=[expired.pk, expired_revoked.pk]).exists()
    assert set(WalletChallenge.objects.values_list("nonce", flat=True)) == {"just-expired", "live"}
    assert out.getvalue().strip() == (
        "Deleted 2 expired refresh token(s) (1 of them blacklisted) and 1 expired wallet challenge(s)."
    )


def test_flush_expired_tokens_second_run_deletes_nothing():
    refresh_record(UserFactory(), expired=True, blacklisted=True)
    call_command("flush_expired_tokens", stdout=StringIO())
    out = StringIO()
    call_command("flush_expired_tokens", stdout=out)
    assert "Deleted 0 expired refresh token(s) (0 of them blacklisted) and 0 expired wallet challenge(s)." in (
        out.getvalue()
    )


def test_flush_expired_tokens_keeps_a_revoked_live_session_revoked():
    # given: a session revoked while still live, then the flush
    user = UserFactory()
    record = refresh_record(user, expired=False, blacklisted=True)
    call_command("flush_expired_tokens", stdout=StringIO())

    # then: its refresh token is still refused
    response = APIClient().post("/api/auth/refresh", {"refresh_token": record.token}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_refresh_token"
