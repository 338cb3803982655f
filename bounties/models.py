"""Bounties, their participants, submissions, rewards, and the on-chain transfers that paid them."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When

from blocra.amounts import AmountField
from bounties.querysets import BountyQuerySet

ADDRESS_REGEX = r"^0x[0-9a-f]{64}$"
TX_HASH_REGEX = r"^0x[0-9a-f]{64}$"
TOKEN_REGEX = r"^(STRK|ETH|USDC|USDT|0x[0-9a-f]{64})$"


class Bounty(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_REVIEW = "in_review", "In review"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"

    class Difficulty(models.TextChoices):
        BEGINNER = "beginner", "Beginner"
        INTERMEDIATE = "intermediate", "Intermediate"
        ADVANCED = "advanced", "Advanced"
        EXPERT = "expert", "Expert"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField()
    reward_amount = AmountField()
    reward_token = models.CharField(max_length=66)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    difficulty = models.CharField(max_length=16, choices=Difficulty.choices)
    category = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bounties_created")
    deadline = models.DateTimeField(null=True, blank=True)
    max_participants = models.PositiveIntegerField(null=True, blank=True)
    requirements = models.TextField(null=True, blank=True)
    # Maintained counters: active participants and submissions. The check constraint below makes the
    # counter, not a COUNT(*), the gate that keeps a bounty from over-filling under concurrency.
    participant_count = models.PositiveIntegerField(default=0)
    submission_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BountyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "bounties"
        constraints = [
            models.CheckConstraint(condition=Q(reward_amount__gt=0), name="bounties_bounty_reward_positive"),
            models.CheckConstraint(condition=Q(reward_token__regex=TOKEN_REGEX), name="bounties_bounty_token_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["open", "in_review", "completed", "cancelled", "expired"]),
                name="bounties_bounty_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(difficulty__in=["beginner", "intermediate", "advanced", "expert"]),
                name="bounties_bounty_difficulty_valid",
            ),
            models.CheckConstraint(
                condition=Q(max_participants__isnull=True) | Q(max_participants__gte=1, max_participants__lte=10000),
                name="bounties_bounty_max_participants_range",
            ),
            models.CheckConstraint(
                condition=Q(max_participants__isnull=True) | Q(participant_count__lte=F("max_participants")),
                name="bounties_bounty_not_overfilled",
            ),
            models.CheckConstraint(condition=Q(participant_count__gte=0), name="bounties_bounty_participants_nonneg"),
            models.CheckConstraint(condition=Q(submission_count__gte=0), name="bounties_bounty_submissions_nonneg"),
        ]
        indexes = [
            models.Index(fields=["-created_at"], name="bounties_created_idx"),
            models.Index(fields=["status", "-created_at"], name="bounties_status_created_idx"),
            models.Index(fields=["category", "-created_at"], name="bounties_category_idx"),
            models.Index(fields=["difficulty", "-created_at"], name="bounties_difficulty_idx"),
            models.Index(fields=["reward_token", "-created_at"], name="bounties_token_idx"),
            models.Index(fields=["created_by", "-created_at"], name="bounties_creator_idx"),
            models.Index(fields=["reward_amount"], name="bounties_reward_idx"),
            models.Index(fields=["deadline"], name="bounties_deadline_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class BountyParticipant(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        WITHDRAWN = "withdrawn", "Withdrawn"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    bounty = models.ForeignKey(Bounty, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    joined_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bounty", "user"], name="bounties_participant_once"),
            models.CheckConstraint(
                condition=Q(status__in=["active", "withdrawn"]), name="bounties_participant_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["bounty", "joined_at"], name="bounties_participant_list_idx"),
            models.Index(fields=["user", "-joined_at"], name="bounties_participant_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.bounty_id}"


class Submission(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    bounty = models.ForeignKey(Bounty, on_delete=models.CASCADE, related_name="submissions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    content = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    feedback = models.TextField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # True while pending, NULL once reviewed, kept by the database: unique with the bounty and the user,
    # it allows one pending submission per user and bounty beside any number of reviewed ones (NULLs
    # never collide). A column rather than a conditional unique constraint, which MySQL/MariaDB ignore.
    pending_key = models.GeneratedField(
        expression=Case(When(status="pending", then=Value(True)), default=None),
        output_field=models.BooleanField(null=True),
        db_persist=True,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bounty", "user", "pending_key"], name="bounties_submission_one_pending"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "rejected"]), name="bounties_submission_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(reviewed_at__isnull=False),
                name="bounties_submission_reviewed_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["bounty", "-submitted_at"], name="bounties_submission_list_idx"),
            models.Index(fields=["user", "-submitted_at"], name="bounties_submission_user_idx"),
        ]

    def __str__(self) -> str:
        return f"submission {self.pk} by {self.user_id}"


class Reward(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    bounty = models.ForeignKey(Bounty, on_delete=models.PROTECT, related_name="rewards")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rewards")
    submission = models.ForeignKey(Submission, null=True, blank=True, on_delete=models.PROTECT, related_name="rewards")
    amount = AmountField()
    token = models.CharField(max_length=66)
    # Empty until the winner links a payout wallet; the reward waits in `pending` meanwhile.
    recipient_address = models.CharField(max_length=66, null=True, blank=True)
    transaction_hash = models.CharField(max_length=66, null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    failure_reason = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One winner's reward per bounty: choosing a winner twice can never create a second one.
            models.UniqueConstraint(fields=["bounty"], name="bounties_reward_one_per_bounty"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="bounties_reward_amount_positive"),
            models.CheckConstraint(condition=Q(token__regex=TOKEN_REGEX), name="bounties_reward_token_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "processing", "paid", "failed"]), name="bounties_reward_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(recipient_address__isnull=True) | Q(recipient_address__regex=ADDRESS_REGEX),
                name="bounties_reward_recipient_normalized",
            ),
            models.CheckConstraint(
                condition=Q(transaction_hash__isnull=True) | Q(transaction_hash__regex=TX_HASH_REGEX),
                name="bounties_reward_tx_hash_normalized",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | (Q(transaction_hash__isnull=False) & Q(paid_at__isnull=False)),
                name="bounties_reward_paid_has_proof",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="bounties_reward_user_idx"),
            models.Index(fields=["status", "-created_at"], name="bounties_reward_status_idx"),
            models.Index(fields=["transaction_hash"], name="bounties_reward_tx_idx"),
        ]

    def __str__(self) -> str:
        return f"reward {self.pk} ({self.status})"


class PayoutTransfer(models.Model):
    """An ERC-20 Transfer event accepted as the payment of a reward: one transfer pays one reward."""

    reward = models.OneToOneField(Reward, on_delete=models.PROTECT, related_name="transfer")
    transaction_hash = models.CharField(max_length=66)
    event_index = models.PositiveIntegerField()
    token_address = models.CharField(max_length=66)
    from_address = models.CharField(max_length=66)
    to_address = models.CharField(max_length=66)
    amount_base_units = models.CharField(max_length=80)
    block_number = models.PositiveBigIntegerField(null=True, blank=True)
    finality_status = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["transaction_hash", "event_index"], name="bounties_transfer_pays_once"),
            models.CheckConstraint(
                condition=Q(transaction_hash__regex=TX_HASH_REGEX), name="bounties_transfer_tx_hash_normalized"
            ),
            models.CheckConstraint(
                condition=Q(amount_base_units__regex=r"^[1-9][0-9]*$"), name="bounties_transfer_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transaction_hash}#{self.event_index}"
