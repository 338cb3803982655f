"""The Django admin's bounty screens: filters, the change form, and moderation actions through the
same services as the API, logged with the operator as actor. (Query counts of every changelist:
tests/adminpanel/test_changelists.py.)"""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages

from accounts.models import ActivityLog
from bounties.models import Bounty, PayoutTransfer, Reward, Submission
from tests.bounties.helpers import join, submit
from tests.bounties.payouts import RECEIPT, padded, payout, pending_reward
from tests.factories import AdminFactory, BountyFactory, RewardFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "/admin/bounties/bounty/",
    "/admin/bounties/bountyparticipant/",
    "/admin/bounties/submission/",
    "/admin/bounties/reward/",
]
REWARDS = "/admin/bounties/reward/"


def make_rows(count: int) -> None:
    for _ in range(count):
        bounty = BountyFactory()
        hunter = UserFactory()
        join(bounty, hunter)
        submit(bounty, hunter)
        RewardFactory(bounty=bounty, user=hunter)


@pytest.fixture
def admin_site(client, admin):
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    ("url", "status"), list(zip(CHANGELISTS, ["open", "active", "pending", "pending"], strict=True))
)
def test_admin_changelist_search_and_filter(admin_site, url, status):
    make_rows(2)
    assert admin_site.get(url + "?q=Bounty").status_code == 200
    response = admin_site.get(url + f"?status__exact={status}")
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 2


def test_admin_pages_refuse_non_staff(client, stranger):
    client.force_login(stranger)
    response = client.get(CHANGELISTS[0])
    assert response.status_code == 302  # to the admin login


def test_admin_moderator_may_view_not_moderate(client, bounty):
    moderator = UserFactory(role="moderator")
    client.force_login(moderator)
    response = client.get(CHANGELISTS[0])
    assert response.status_code == 200
    assert b"cancel_bounties" not in response.content


def test_admin_cancel_action_uses_the_service(admin_site, admin):
    open_bounty = BountyFactory()
    completed = BountyFactory(status="completed")
    response = admin_site.post(
        CHANGELISTS[0],
        {"action": "cancel_bounties", ACTION_CHECKBOX_NAME: [str(open_bounty.pk), str(completed.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    open_bounty.refresh_from_db()
    completed.refresh_from_db()
    assert open_bounty.status == Bounty.Status.CANCELLED
    assert completed.status == Bounty.Status.COMPLETED  # the lifecycle refuses; reported, not fatal
    entry = ActivityLog.objects.get(action="bounty.status_changed", target_id=str(open_bounty.pk))
    assert entry.actor == admin
    assert entry.metadata == {"from": "open", "to": "cancelled", "moderation": True}


def test_admin_reject_action_uses_the_service(admin_site, bounty, submission, admin):
    response = admin_site.post(
        CHANGELISTS[2], {"action": "reject_submissions", ACTION_CHECKBOX_NAME: [str(submission.pk)]}, follow=True
    )
    assert response.status_code == 200
    submission.refresh_from_db()
    assert submission.status == Submission.Status.REJECTED
    assert submission.reviewed_by == admin
    entry = ActivityLog.objects.get(action="submission.reviewed", target_id=str(submission.pk))
    assert entry.actor == admin
    assert entry.metadata["status"] == "rejected"


def test_admin_reject_action_reports_a_reviewed_submission(admin_site, bounty, submission, admin):
    # given: already rejected once (the page shown, so its message is read)
    admin_site.post(
        CHANGELISTS[2], {"action": "reject_submissions", ACTION_CHECKBOX_NAME: [str(submission.pk)]}, follow=True
    )

    # when: rejected again
    response = admin_site.post(
        CHANGELISTS[2], {"action": "reject_submissions", ACTION_CHECKBOX_NAME: [str(submission.pk)]}, follow=True
    )

    # then: the rule's refusal is a warning on the page, and nothing more is logged
    assert response.status_code == 200
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["warning"]
    assert ActivityLog.objects.filter(action="submission.reviewed", target_id=str(submission.pk)).count() == 1


@pytest.mark.parametrize(
    ("url", "action"), [(CHANGELISTS[0], "cancel_bounties"), (CHANGELISTS[2], "reject_submissions")]
)
def test_admin_moderator_cannot_post_a_moderation_action(client, bounty, submission, url, action):
    client.force_login(UserFactory(role="moderator"))
    selected = bounty.pk if url == CHANGELISTS[0] else submission.pk

    response = client.post(url, {"action": action, ACTION_CHECKBOX_NAME: [str(selected)]}, follow=True)

    # the action is not offered to a moderator: Django answers the list with "no action selected"
    assert response.status_code == 200
    bounty.refresh_from_db()
    submission.refresh_from_db()
    assert (bounty.status, submission.status) == (Bounty.Status.OPEN, Submission.Status.PENDING)
    assert not ActivityLog.objects.filter(action__in=["bounty.status_changed", "submission.reviewed"]).exists()


def test_admin_change_form_edits_text_only(admin_site, bounty):
    response = admin_site.get(f"/admin/bounties/bounty/{bounty.pk}/change/")
    assert response.status_code == 200
    assert b'name="title"' in response.content
    assert b'name="reward_amount"' not in response.content
    assert b'name="status"' not in response.content


def test_admin_shows_every_digit_of_a_forty_digit_amount(admin_site):
    # given: a bounty and its reward of 40 significant digits (Decimal's default context keeps 28)
    amount = "1234567890123456789012.345678901234567891"
    bounty = BountyFactory(reward_amount=Decimal(amount))
    reward = RewardFactory(bounty=bounty)

    for url in (
        CHANGELISTS[0],
        f"/admin/bounties/bounty/{bounty.pk}/change/",
        CHANGELISTS[3],
        f"/admin/bounties/reward/{reward.pk}/change/",
    ):
        response = admin_site.get(url)
        assert response.status_code == 200
        assert amount in response.content.decode(), url


# --- Re-verify payouts, against the local Starknet node ---------------------------------------------


def reverify(client, *rewards):
    return client.post(
        REWARDS, {"action": "reverify_payouts", ACTION_CHECKBOX_NAME: [str(r.pk) for r in rewards]}, follow=True
    )


def messages_of(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


def test_admin_reverify_pays_accepted_rewards_as_the_operator(
    admin_site, admin, starknet_node, funded_chain, processing_payouts
):
    # given: the first transaction is accepted now, the second still pre-confirmed; a pending reward too
    (accepted, accepted_hash), (waiting, _) = processing_payouts
    funded_chain.accept(int(accepted_hash, 16))
    pending = RewardFactory()
    starknet_node.clear_log()

    # when
    response = reverify(admin_site, accepted, waiting, pending)

    # then: one receipt call per processing reward, the accepted one paid in the operator's name
    assert response.status_code == 200
    assert len(starknet_node.calls(RECEIPT)) == 2
    assert Reward.objects.get(pk=accepted.pk).status == Reward.Status.PAID
    assert Reward.objects.get(pk=waiting.pk).status == Reward.Status.PROCESSING
    assert Reward.objects.get(pk=pending.pk).status == Reward.Status.PENDING
    assert PayoutTransfer.objects.get().reward_id == accepted.pk
    entry = ActivityLog.objects.get(action="reward.paid", target_id=str(accepted.pk))
    assert entry.actor == admin
    assert entry.metadata["transaction_hash"] == padded(accepted_hash)
    assert messages_of(response) == [
        ("info", "1 selected reward(s) neither processing nor failed: not checked."),
        ("success", "Checked 2 reward(s): 1 paid, 1 processing."),
    ]


def test_admin_reverify_fails_a_reward_whose_transfer_was_taken_and_rechecks_it(
    admin_site, admin, clients, funded_chain, processing_payouts, owner, participant
):
    # given: the first reward's transfer is accepted, then claimed first by another reward
    (taken, taken_hash), (waiting, _) = processing_payouts
    funded_chain.accept(int(taken_hash, 16))
    other = pending_reward(owner=owner, winner=participant)
    assert payout(clients["owner"], other, taken_hash).json()["status"] == "paid"

    # when
    response = reverify(admin_site, taken, waiting)

    # then: the refused one becomes failed, reported on its row, the other goes on
    assert response.status_code == 200
    taken.refresh_from_db()
    assert (taken.status, taken.transaction_hash) == (Reward.Status.FAILED, padded(taken_hash))
    levels = [level for level, _ in messages_of(response)]
    assert levels == ["warning", "success"]
    assert str(taken.pk) in messages_of(response)[0][1]
    failed = ActivityLog.objects.get(action="reward.payout_failed", target_id=str(taken.pk))
    assert (failed.actor, failed.metadata["code"]) == (admin, "bounties.transfer_already_used")

    # when: the failed reward is checked again, the refusal stands and is logged again as the operator's
    response = reverify(admin_site, taken)
    taken.refresh_from_db()
    assert taken.status == Reward.Status.FAILED
    assert [level for level, _ in messages_of(response)] == ["warning"]
    refused = ActivityLog.objects.get(action="reward.payout_refused", target_id=str(taken.pk))
    assert refused.actor == admin


def test_admin_reverify_with_the_node_down_warns_once_and_changes_nothing(
    admin_site, starknet_node, processing_payouts
):
    (first, _), (second, _) = processing_payouts
    starknet_node.fail(503)

    response = reverify(admin_site, first, second)

    assert response.status_code == 200
    (warning,) = messages_of(response)
    assert warning[0] == "warning"
    assert "2 reward(s) not checked." in warning[1]
    assert Reward.objects.filter(status=Reward.Status.PROCESSING).count() == 2
    assert not ActivityLog.objects.filter(action__startswith="reward.", actor__role="admin").exists()


def test_admin_reverify_is_not_offered_to_a_moderator(client, starknet_node, funded_chain, processing_payouts):
    (reward, tx_hash), _ = processing_payouts
    funded_chain.accept(int(tx_hash, 16))
    starknet_node.clear_log()
    client.force_login(UserFactory(role="moderator"))

    page = client.get(REWARDS)
    response = reverify(client, reward)

    assert b"reverify_payouts" not in page.content
    assert response.status_code == 200
    assert Reward.objects.get(pk=reward.pk).status == Reward.Status.PROCESSING
    assert starknet_node.calls(RECEIPT) == []


def test_admin_reward_search_finds_unpadded_hash_and_address(admin_site):
    # given: a reward with its payout recorded, and another
    reward = RewardFactory(
        recipient_address=f"0x{0xABCDEF:064x}", transaction_hash=f"0x{0x7E57:064x}", status="processing"
    )
    RewardFactory()

    # when: searched as a wallet shows them, without the leading zeros
    by_hash = admin_site.get(REWARDS, {"q": "0x7e57"})
    by_address = admin_site.get(REWARDS, {"q": "0xABCDEF"})

    # then
    assert list(by_hash.context["cl"].result_list) == [reward]
    assert list(by_address.context["cl"].result_list) == [reward]


def test_admin_bounty_form_edit_goes_through_bounty_update_and_is_logged(client):
    # given an operator who does not own the bounty
    operator = AdminFactory()
    bounty = BountyFactory(title="Old title", description="Old text")
    client.force_login(operator)
    url = f"/admin/bounties/bounty/{bounty.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}

    # when they change the title through the change form
    response = client.post(url, {**data, "title": "Clearer title"})

    # then the bounty changed and the activity log says who, what, and that it was moderation
    assert response.status_code == 302
    bounty.refresh_from_db()
    assert bounty.title == "Clearer title"
    entry = ActivityLog.objects.get(action="bounty.updated", target_id=str(bounty.pk))
    assert (entry.actor, entry.metadata) == (operator, {"fields": ["title"], "moderation": True})
