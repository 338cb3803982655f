"""Amounts through the bounties API at every size the schema stores: what is created is shown, in the
create answer, the detail and the list, as its canonical text with every digit; totals are exact."""

import json
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bounties.models import Bounty
from tests.bounties.helpers import assert_error
from tests.factories import RewardFactory, UserFactory
from tests.properties import AUDIT, FORTY, SMALLEST, WIDEST, Amount, amount_of_units, amounts, example_rolled_back

pytestmark = pytest.mark.django_db

API_EXAMPLES = settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
PAID = {"status": "paid", "transaction_hash": "0x" + "ab" * 32, "paid_at": timezone.now()}
# How a client may write the amount it sends: every form means the same number.
WRITINGS = ("string", "json number", "trailing zeros", "exponent")


@pytest.fixture(autouse=True)
def _every_stored_amount_allowed(settings):
    """MAX_REWARD_AMOUNT (10**12 by default) would refuse the upper half of the range."""
    settings.MAX_REWARD_AMOUNT = Decimal(WIDEST.text)


def written(amount: Amount, writing: str) -> str:
    """The JSON value of `reward_amount` for `amount` written one way."""
    if writing == "json number":
        return amount.text
    if writing == "trailing zeros":
        return json.dumps(amount.text + ("" if "." in amount.text else ".") + "000")
    if writing == "exponent":
        return json.dumps(f"{amount.units}E-18")
    return json.dumps(amount.text)


def create(client, reward_amount_json: str):
    """POST /bounties with a raw JSON body, so a JSON number reaches the parser as the client wrote it."""
    body = (
        '{"title": "Exact amounts", "description": "Pay exactly this.", "reward_token": "STRK", '
        f'"difficulty": "beginner", "category": "development", "reward_amount": {reward_amount_json}}}'
    )
    return client.post("/api/bounties", body, content_type="application/json")


def shown_everywhere(client, owner, bounty_id: str) -> list[str]:
    """The bounty's reward_amount as the detail, the list and the caller's own list show it."""
    detail = client.get(f"/api/bounties/{bounty_id}")
    listed = client.get(f"/api/bounties?created_by={owner.pk}")
    mine = client.get("/api/bounties/mine")
    for response in (detail, listed, mine):
        assert response.status_code == 200, response.content
    (in_list,) = [item["reward_amount"] for item in listed.json() if item["id"] == bounty_id]
    (in_mine,) = [item["reward_amount"] for item in mine.json() if item["id"] == bounty_id]
    return [detail.json()["reward_amount"], in_list, in_mine]


@given(amount=amounts(), writing=st.sampled_from(WRITINGS))
@API_EXAMPLES
@example(amount=AUDIT, writing="json number")
@example(amount=FORTY, writing="json number")
@example(amount=WIDEST, writing="trailing zeros")
@example(amount=SMALLEST, writing="exponent")
def test_bounty_amount_round_trips_through_create_read_and_list(clients, owner, amount, writing):
    with example_rolled_back():
        # when
        response = create(clients["owner"], written(amount, writing))

        # then: stored exactly, and shown as the canonical text in every answer
        assert response.status_code == 201, response.content
        bounty_id = response.json()["id"]
        assert response.json()["reward_amount"] == amount.text
        assert Bounty.objects.get(pk=bounty_id).reward_amount == Decimal(amount.text)
        assert shown_everywhere(clients["owner"], owner, bounty_id) == [amount.text] * 3


@pytest.mark.parametrize("amount", [AUDIT, FORTY, WIDEST])
def test_bounty_amount_of_forty_digits_is_shown_as_sent(clients, owner, amount):
    response = create(clients["owner"], json.dumps(amount.text))

    assert response.status_code == 201, response.content
    assert response.json()["reward_amount"] == amount.text
    assert shown_everywhere(clients["owner"], owner, response.json()["id"]) == [amount.text] * 3


def test_bounty_amount_update_keeps_forty_digits(clients, owner):
    bounty_id = create(clients["owner"], json.dumps("1")).json()["id"]

    response = clients["owner"].patch(f"/api/bounties/{bounty_id}", {"reward_amount": FORTY.text}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["reward_amount"] == FORTY.text
    assert shown_everywhere(clients["owner"], owner, bounty_id) == [FORTY.text] * 3


@pytest.mark.parametrize("limit", ["1E+30", WIDEST.text])
def test_bounty_amount_above_what_the_database_stores_is_refused(clients, settings, limit):
    # given: a limit above the widest stored amount (the setting refuses it at start-up; tests may not)
    settings.MAX_REWARD_AMOUNT = Decimal(limit)

    response = create(clients["owner"], json.dumps("1" + "0" * 22))

    assert_error(response, 400, "request.validation_failed")
    assert response.json()["errors"]["reward_amount"] == [f"Must be at most {WIDEST.text}."]
    assert not Bounty.objects.exists()


# --- totals ----------------------------------------------------------------------------------------


def test_stats_rewards_paid_sums_forty_digit_amounts_exactly(clients):
    # given: paid rewards whose total has 41 significant digits
    for amount in (WIDEST, AUDIT, FORTY):
        RewardFactory(amount=Decimal(amount.text), token="STRK", **PAID)

    response = clients["anonymous"].get("/api/bounties/stats")

    assert response.status_code == 200, response.content
    total = amount_of_units(WIDEST.units + AUDIT.units + FORTY.units)
    assert total.text == "11234567890135802467913.469135690246913568"
    assert response.json()["data"]["rewards_paid"] == {"STRK": total.text}


@given(paid=st.lists(amounts(), min_size=1, max_size=6), pending=amounts())
@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_stats_rewards_paid_equals_the_sum_of_base_units(clients, paid, pending):
    with example_rolled_back():
        hunter = UserFactory()
        for amount in paid:
            RewardFactory(user=hunter, amount=Decimal(amount.text), token="ETH", **PAID)
        RewardFactory(user=hunter, amount=Decimal(pending.text), token="ETH")  # not paid: not counted

        response = clients["anonymous"].get("/api/bounties/stats")

        assert response.status_code == 200, response.content
        expected = amount_of_units(sum(amount.units for amount in paid)).text
        assert response.json()["data"]["rewards_paid"] == {"ETH": expected}
