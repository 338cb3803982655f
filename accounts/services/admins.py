"""The operator's admin account, made or repaired from the command line (`manage.py create_admin`)."""

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.selectors import user_by_email
from accounts.services.activity import activity_record
from accounts.services.sessions import sessions_revoke_all


class AdminAccountRefused(Exception):
    """The admin account cannot be made as asked; the message says why (never with the password)."""


@dataclass(frozen=True)
class AdminAccountOutcome:
    user: User
    created: bool
    # What an existing account needed: "role admin", "superuser", "active", "address verified", "password".
    changes: list[str] = field(default_factory=list)


def admin_account_ensure(*, email: str, password: str, update_password: bool = False) -> AdminAccountOutcome:
    """Make `email` an active admin (role admin, superuser, address counted as verified: the operator
    named it). A new account gets `password`, checked by AUTH_PASSWORD_VALIDATORS; an existing one keeps
    its password unless `update_password`, and a changed password ends all its sessions. Idempotent: a
    second identical call changes nothing. Raises AdminAccountRefused for an invalid address, a weak
    password, or an existing non-admin account whose address nobody confirmed (it may be a squatter's)."""
    email = User.objects.normalize_email(email) or ""
    try:
        validate_email(email)
    except ValidationError:
        raise AdminAccountRefused(f"{email!r} is not a valid email address.") from None
    user = user_by_email(email=email)
    if user is None:
        return _create(email=email, password=password)
    return _update(user=user, password=password, update_password=update_password)


def _password_checked(password: str, user: User) -> str:
    """The hash of `password` once the validators accept it (hashed before any transaction: Argon2 is
    slow on purpose, and on SQLite a transaction holds the write lock)."""
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise AdminAccountRefused("The password was refused: " + " ".join(exc.messages)) from None
    return make_password(password)


def _create(*, email: str, password: str) -> AdminAccountOutcome:
    password_hash = _password_checked(password, User(email=email))
    with transaction.atomic():
        user = User.objects.create(
            email=email,
            password=password_hash,
            role=User.Role.ADMIN,
            is_superuser=True,
            is_active=True,
            email_verified_at=timezone.now(),
        )
        activity_record(action="admin.account_created", target_type="user", target_id=user.pk)
    return AdminAccountOutcome(user=user, created=True)


def _update(*, user: User, password: str, update_password: bool) -> AdminAccountOutcome:
    already_admin = user.role == User.Role.ADMIN and user.is_superuser
    if not already_admin and user.email_verified_at is None:
        # Anyone may register an address they do not own; promoting that account would hand them the site.
        raise AdminAccountRefused(
            f"An account with {user.email} exists, but nobody confirmed that address: it may not be yours. "
            "Confirm the address (its owner opens the confirmation link) or delete that account, then run again."
        )
    new_hash = None
    if update_password and not user.check_password(password):
        new_hash = _password_checked(password, user)
    changes = {
        "role admin": ("role", User.Role.ADMIN),
        "superuser": ("is_superuser", True),
        "active": ("is_active", True),
    }
    fields = {name: value for name, value in changes.values() if getattr(user, name) != value}
    done = [label for label, (name, _value) in changes.items() if name in fields]
    if user.email_verified_at is None:
        fields["email_verified_at"] = timezone.now()
        done.append("address verified")
    if new_hash is not None:
        fields["password"] = new_hash
        done.append("password")
    if not done:
        return AdminAccountOutcome(user=user, created=False)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(user, name, value)
        user.save(update_fields=[*fields, "updated_at"])
        if new_hash is not None:
            # Whoever knew the old password signs in no more with it, nor goes on with a session.
            sessions_revoke_all(user=user)
        activity_record(
            action="admin.account_updated", target_type="user", target_id=user.pk, metadata={"changes": done}
        )
    return AdminAccountOutcome(user=user, created=False, changes=done)
