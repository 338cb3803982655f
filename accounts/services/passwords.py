"""Sign-up and sign-in with an email address and a password."""

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.errors import EmailTaken, InvalidCredentials
from accounts.models import User
from accounts.selectors import user_by_email, user_email_taken
from accounts.services.activity import activity_record
from accounts.services.email import email_verification_send
from accounts.services.sessions import SessionTokens, session_create


def user_register(
    *, email: str, password: str, username: str | None = None, link_template: str = ""
) -> tuple[User, SessionTokens]:
    """Create an account with a password and sign it in; its address is unproven until the link mailed
    to it (`link_template`) is opened. EmailTaken when the address is in use (case-insensitively), also
    when a concurrent registration wins the race."""
    email = email.strip().lower()
    if user_email_taken(email=email):
        raise EmailTaken()
    # Hashed before the transaction: Argon2 is slow on purpose, and on SQLite a transaction holds the
    # database's write lock from BEGIN (IMMEDIATE), so every other write would queue behind the hashing.
    password_hash = make_password(password)
    try:
        with transaction.atomic():
            user = User.objects.create(email=email, password=password_hash, username=username or None)
            activity_record(action="auth.register", actor=user, target_type="user", target_id=user.pk)
            email_verification_send(user=user, link_template=link_template)
            tokens = session_create(user=user)
    except IntegrityError as exc:
        # The case-insensitive unique constraint closes the check-then-insert race.
        raise EmailTaken() from exc
    return user, tokens


def password_check(*, email: str, password: str) -> tuple[User | None, bool]:
    """The account with this email address (case-insensitively, None when there is none), and whether
    `password` is its password (never for an account without one). Active or not: the caller decides.
    An older hash (PBKDF2) is upgraded to Argon2 on success."""
    user = user_by_email(email=email) if email else None
    if user is None or not user.has_usable_password():
        # Hash anyway, so the answer takes as long as for an account that exists.
        make_password(password)
        return user, False
    return user, user.check_password(password)


def user_login(*, email: str, password: str) -> tuple[User, SessionTokens]:
    """Sign in with email and password; an older hash (PBKDF2) is upgraded to Argon2 on success.
    InvalidCredentials for an unknown email, a wrong password, no password or a disabled account."""
    email = email.strip().lower()
    user, valid = password_check(email=email, password=password)
    if user is None or not valid or not user.is_active:
        activity_record(
            action="auth.login_failed",
            target_type="user" if user is not None else "",
            target_id=user.pk if user is not None else "",
            metadata={"email": email[:254]},
        )
        raise InvalidCredentials()
    with transaction.atomic():
        user.last_login = timezone.now()
        user.save(update_fields=["last_login"])
        activity_record(action="auth.login", actor=user, metadata={"method": "password"})
        tokens = session_create(user=user)
    return user, tokens
