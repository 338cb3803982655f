"""Helpers of the bounties tests."""

from bounties.services import participant_join, submission_create

# The fields of the contract's Bounty.
BOUNTY_KEYS = {
    "id",
    "title",
    "description",
    "reward_amount",
    "reward_token",
    "status",
    "difficulty",
    "category",
    "created_by",
    "creator",
    "deadline",
    "max_participants",
    "participant_count",
    "submission_count",
    "requirements",
    "created_at",
    "updated_at",
}


def join(bounty, user):
    return participant_join(bounty_id=bounty.pk, user=user)


def submit(bounty, user, content="my work"):
    return submission_create(bounty_id=bounty.pk, user=user, content=content)


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["code"] == code
