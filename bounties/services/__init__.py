"""Writes of the bounties app. Every function owns its transaction and logs to the activity log."""

from bounties.services.bounties import (
    bounty_cancel,
    bounty_create,
    bounty_delete,
    bounty_expire_due,
    bounty_update,
)
from bounties.services.lifecycle import ALLOWED_TRANSITIONS, bounty_transition, transition_allowed
from bounties.services.participation import participant_join, participant_leave, submission_create
from bounties.services.payouts import reward_payout_submit, reward_payout_verify
from bounties.services.reviews import bounty_select_winner, submission_review
from bounties.services.rewards import reward_assign_recipient, rewards_recipient_clear

__all__ = [
    "ALLOWED_TRANSITIONS",
    "bounty_cancel",
    "bounty_create",
    "bounty_delete",
    "bounty_expire_due",
    "bounty_select_winner",
    "bounty_transition",
    "bounty_update",
    "participant_join",
    "participant_leave",
    "reward_assign_recipient",
    "reward_payout_submit",
    "reward_payout_verify",
    "rewards_recipient_clear",
    "submission_create",
    "submission_review",
    "transition_allowed",
]
