"""Users, wallet sign-in challenges and the activity log every app writes to."""

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower

ADDRESS_REGEX = r"^0x[0-9a-f]{64}$"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        # Stored lower-case; an account without an email (wallet sign-in) keeps NULL, not "".
        return (email or "").strip().lower() or None  # type: ignore[return-value]

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=(username or "").strip())

    def create_user(self, email: str | None = None, password: str | None = None, **extra_fields: Any) -> "User":
        user = self.model(email=self.normalize_email(email), **extra_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str | None, password: str | None, **extra_fields: Any) -> "User":
        extra_fields.pop("is_staff", None)
        extra_fields.setdefault("role", User.Role.ADMIN)
        extra_fields["is_superuser"] = True
        if not email or not password:
            raise ValueError("A superuser needs an email and a password.")
        return self.create_user(email=email, password=password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        USER = "user", "User"
        MODERATOR = "moderator", "Moderator"
        ADMIN = "admin", "Admin"

    email = models.EmailField(max_length=254, unique=True, null=True, blank=True)
    # The address in lower case, kept by the database: its unique constraint makes addresses unique
    # ignoring case, and case-insensitive lookups use its index. A column rather than an index on
    # Lower(email), which MySQL/MariaDB cannot build (MariaDB indexes no expressions).
    email_lower = models.GeneratedField(
        expression=Lower("email"), output_field=models.CharField(max_length=254, null=True), db_persist=True
    )
    # When the owner of `email` proved it (a confirmation link, or Google's verified claim). An address
    # nobody proved grants nothing: Google sign-in does not link to it (accounts.services.google).
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # An address asked for in a profile change, waiting for its confirmation link; `email` stays meanwhile.
    pending_email = models.EmailField(max_length=254, null=True, blank=True)
    username = models.CharField(max_length=150, null=True, blank=True)
    wallet_address = models.CharField(max_length=66, unique=True, null=True, blank=True)
    google_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.USER)
    profile_picture = models.CharField(max_length=500, null=True, blank=True)
    is_active = models.BooleanField(default=True)
    # Carried in every JWT as the "gen" claim; bumping it (sign out everywhere, deactivation) makes
    # all earlier access tokens fail at once, without a lookup table of access tokens.
    token_generation = models.PositiveIntegerField(default=0)
    # The one session (the "sid" claim) whose tokens of an earlier generation stay valid: the session
    # that changed a credential ends every other one but keeps itself (accounts.services.sessions).
    kept_session = models.CharField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["email_lower"], name="accounts_user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=["user", "moderator", "admin"]),
                name="accounts_user_role_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(wallet_address__isnull=True) | models.Q(wallet_address__regex=ADDRESS_REGEX),
                name="accounts_user_wallet_normalized",
            ),
        ]
        indexes = [
            models.Index(fields=["role"], name="accounts_user_role_idx"),
            models.Index(fields=["-created_at"], name="accounts_user_created_idx"),
        ]

    def __str__(self) -> str:
        return self.email or self.username or self.wallet_address or f"user {self.pk}"

    @property
    def email_verified(self) -> bool:
        return self.email is not None and self.email_verified_at is not None

    @property
    def is_staff(self) -> bool:
        """Admins and moderators use the admin site; the role is the one source of truth."""
        return self.is_active and self.role in (self.Role.ADMIN, self.Role.MODERATOR)

    @property
    def is_admin(self) -> bool:
        return self.is_active and (self.role == self.Role.ADMIN or self.is_superuser)


class WalletChallenge(models.Model):
    """A server-issued sign-in nonce: single use (`used_at` set by a conditional update), short-lived."""

    class Purpose(models.TextChoices):
        SIGNIN = "signin", "Sign in"
        LINK = "link", "Link wallet"

    nonce = models.CharField(max_length=31, unique=True)
    address = models.CharField(max_length=66)
    chain_id = models.CharField(max_length=16)
    purpose = models.CharField(max_length=8, choices=Purpose.choices, default=Purpose.SIGNIN)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(address__regex=ADDRESS_REGEX), name="accounts_challenge_address_normalized"
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("issued_at")), name="accounts_challenge_expiry_after_issue"
            ),
            models.CheckConstraint(
                condition=models.Q(purpose__in=["signin", "link"]), name="accounts_challenge_purpose_valid"
            ),
        ]
        indexes = [models.Index(fields=["expires_at"], name="accounts_challenge_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.nonce} for {self.address}"


class ActivityLog(models.Model):
    """Who did what, from where: sign-ins, bounty and reward changes, moderation. Written by every app."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=32, blank=True, default="")
    target_id = models.CharField(max_length=64, blank=True, default="")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True, default="")
    # The X-Request-ID of the request that wrote the row (empty outside a request): joins it to the logs.
    request_id = models.CharField(max_length=128, blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["-created_at"], name="accounts_activity_created_idx"),
            models.Index(fields=["actor", "-created_at"], name="accounts_activity_actor_idx"),
            models.Index(fields=["action", "-created_at"], name="accounts_activity_action_idx"),
            models.Index(fields=["target_type", "target_id"], name="accounts_activity_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id or '-'} at {self.created_at:%Y-%m-%d %H:%M:%S}"


class Notification(models.Model):
    """One event told to one user, for the in-app inbox. Written by the services of every app in the
    transaction of the change it tells about (a rolled-back change leaves none), never to the actor."""

    class Kind(models.TextChoices):
        PARTICIPANT_JOINED = "bounty.participant_joined", "A hunter joined your bounty"
        SUBMISSION_RECEIVED = "bounty.submission_received", "Your bounty received a submission"
        SUBMISSION_REVIEWED = "submission.reviewed", "Your submission was reviewed"
        WINNER_CHOSEN = "bounty.winner_chosen", "You won a bounty: its reward was created"
        PAYOUT_VERIFIED = "reward.payout_verified", "A reward's payout was verified on chain"
        BOUNTY_CANCELLED = "bounty.cancelled", "A bounty you take part in was cancelled"
        BOUNTY_EXPIRED = "bounty.expired", "A bounty you take part in expired"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=64, choices=Kind.choices)
    # Who caused it (none for the system: expiry, payout checks by `verify_payouts`).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The bounty it is about, as a plain id: accounts sits below bounties (no foreign key upwards), and a
    # deleted bounty leaves its notifications readable (the payload carries its title).
    bounty_id = models.UUIDField(null=True, blank=True)
    # What the app shows, small and flat: the bounty's title and the ids and values of the kind.
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "bounty.participant_joined",
                        "bounty.submission_received",
                        "submission.reviewed",
                        "bounty.winner_chosen",
                        "reward.payout_verified",
                        "bounty.cancelled",
                        "bounty.expired",
                    ]
                ),
                name="accounts_notification_kind_valid",
            ),
            # Nobody is told about their own action.
            models.CheckConstraint(
                condition=models.Q(actor__isnull=True) | ~models.Q(actor=models.F("recipient")),
                name="accounts_notification_not_to_actor",
            ),
        ]
        indexes = [
            # The inbox, newest first (ids grow with creation), and its unread part and count. Plain
            # composite indexes rather than a partial one on unread rows, which MySQL/MariaDB cannot build.
            models.Index(fields=["recipient", "-id"], name="accounts_notif_inbox_idx"),
            models.Index(fields=["recipient", "read_at", "-id"], name="accounts_notif_unread_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id} at {self.created_at:%Y-%m-%d %H:%M:%S}"
