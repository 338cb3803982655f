"""Input validation and the JSON shape of the inbox endpoints (`/api/notifications...`)."""

from typing import Any

from rest_framework import serializers

from accounts.models import Notification
from blocra.shapes import Shape, datetime_text, key, same, text


class NotificationListQuerySerializer(serializers.Serializer[Any]):
    # default=None: a query string is form input, where DRF reads a missing boolean as false.
    unread = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="`true`: only unread notifications; `false`: only read ones; absent: all.",
    )


class NotificationPayloadSerializer(serializers.Serializer[Any]):
    """What the app shows: `bounty_title` always; the other keys as the kind has them."""

    bounty_title = serializers.CharField()
    submission_id = serializers.UUIDField(
        required=False, help_text="bounty.submission_received, submission.reviewed, bounty.winner_chosen."
    )
    status = serializers.CharField(
        required=False,
        help_text="submission.reviewed: `approved` or `rejected`; bounty.cancelled / bounty.expired: the status.",
    )
    reward_id = serializers.UUIDField(required=False, help_text="bounty.winner_chosen, reward.payout_verified.")
    amount = serializers.CharField(required=False, help_text='The reward: a decimal string, e.g. "150.5".')
    token = serializers.CharField(required=False, help_text="The reward's token.")
    transaction_hash = serializers.CharField(required=False, help_text="reward.payout_verified: the payment.")


NOTIFICATION = Shape(
    "Notification",
    {
        "id": key("id", same, serializers.IntegerField),
        "kind": key(
            "kind",
            same,
            lambda: serializers.ChoiceField(
                choices=Notification.Kind.choices, help_text="What happened; a stable code per event kind."
            ),
        ),
        "actor_id": key(
            "actor_id",
            same,
            lambda: serializers.IntegerField(allow_null=True, help_text="Who caused it; null for the system."),
        ),
        "bounty_id": key(
            "bounty_id",
            lambda value: None if value is None else text(value),
            lambda: serializers.UUIDField(allow_null=True),
        ),
        "payload": key("payload", same, NotificationPayloadSerializer),
        "created_at": key("created_at", datetime_text, serializers.DateTimeField),
        "read_at": key(
            "read_at",
            datetime_text,
            lambda: serializers.DateTimeField(allow_null=True, help_text="Null while unread."),
        ),
    },
)
NotificationSerializer = NOTIFICATION.serializer()
