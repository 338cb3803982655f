"""Helpers of the bounties tests."""

from bounties.services import participant_join, submission_create


def join(bounty, user):
    return participant_join(bounty_id=bounty.pk, user=user)


def submit(bounty, user, content="my work"):
    return submission_create(bounty_id=bounty.pk, user=user, content=content)


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["code"] == code
