"""The response cache of the bounty list and detail (bounties.caching): a write through any path is
visible on the very next request, hits run no query, ETags answer 304, and anonymous and signed-in
answers never mix.

The invalidation tests commit for real (the version is bumped again on commit), on the real database
and the real cache backend (a SQLite cache file, or Redis with REDIS_URL).
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from bounties.caching import BOUNTY_READS
from bounties.models import Bounty
from tests.conftest import bearer_client
from tests.factories import BountyFactory, UserFactory
from tests.starknet_wallets import ALICE, challenge_create, hexes

# Services, commands and the admin site run their transactions to a real commit.
pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/api/bounties?page_size=100"


def detail(bounty_id) -> str:
    return f"/api/bounties/{bounty_id}"


def read(client: APIClient, bounty_id) -> tuple:
    """What a client sees: the list (body and total) and the bounty's detail (status and body)."""
    listing = client.get(LIST)
    one = client.get(detail(bounty_id))
    assert listing.status_code == 200
    return listing.json(), listing["X-Total-Count"], one.status_code, one.json()


def truth(client: APIClient, bounty_id, settings) -> tuple:
    """What the database says now: the same reads with the cache switched off."""
    settings.RESPONSE_CACHE_ENABLED = False
    try:
        return read(client, bounty_id)
    finally:
        settings.RESPONSE_CACHE_ENABLED = True


@pytest.fixture
def readers(db):
    """An anonymous client and a signed-in one (each has entries of its own)."""
    return {"anonymous": APIClient(), "signed_in": bearer_client(UserFactory(username="reader"))}


@pytest.fixture
def watch(readers, settings):
    """`before = watch(bounty_id)` warms every reader's entries; `watch.check(bounty_id, before, changed)`
    reads again and asserts each next answer is the database's (and differs from before when `changed`)."""

    class Watch:
        def __call__(self, bounty_id):
            seen = {name: read(client, bounty_id) for name, client in readers.items()}
            # warm: the second read is served from the cache
            assert {name: read(client, bounty_id) for name, client in readers.items()} == seen
            return seen

        def check(self, bounty_id, before, *, changed: bool = True) -> None:
            for name, client in readers.items():
                after = read(client, bounty_id)
                assert after == truth(client, bounty_id, settings), name
                assert (after != before[name]) is changed, name

    return Watch()


# --- every write path --------------------------------------------------------------------------------


def test_read_cache_api_create_is_visible(clients, bounty, watch):
    before = watch(bounty.pk)
    response = clients["owner"].post(
        "/api/bounties",
        {
            "title": "A new one",
            "description": "Fresh.",
            "reward_amount": "10",
            "reward_token": "STRK",
            "difficulty": "beginner",
            "category": "development",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    watch.check(bounty.pk, before)


@pytest.mark.parametrize("method", ["patch", "put"])
def test_read_cache_api_update_is_visible(clients, bounty, watch, method):
    before = watch(bounty.pk)
    response = getattr(clients["owner"], method)(detail(bounty.pk), {"title": "Renamed"}, format="json")
    assert response.status_code == 200, response.content
    watch.check(bounty.pk, before)
    assert read(clients["anonymous"], bounty.pk)[3]["title"] == "Renamed"


def test_read_cache_api_status_change_is_visible(clients, bounty, watch):
    before = watch(bounty.pk)
    response = clients["owner"].patch(detail(bounty.pk), {"status": "cancelled"}, format="json")
    assert response.status_code == 200, response.content
    watch.check(bounty.pk, before)


def test_read_cache_api_delete_is_visible(clients, bounty, watch):
    before = watch(bounty.pk)
    assert clients["owner"].delete(detail(bounty.pk)).status_code == 200
    watch.check(bounty.pk, before)
    _, total, status, _ = read(clients["anonymous"], bounty.pk)
    assert (total, status) == ("0", 404)


def test_read_cache_api_join_and_leave_are_visible(clients, bounty, watch):
    before = watch(bounty.pk)
    assert clients["participant"].post(f"{detail(bounty.pk)}/join").status_code == 201
    watch.check(bounty.pk, before)
    assert read(clients["anonymous"], bounty.pk)[3]["participant_count"] == 1

    before = watch(bounty.pk)
    assert clients["participant"].post(f"{detail(bounty.pk)}/leave").status_code == 200
    watch.check(bounty.pk, before)
    assert read(clients["anonymous"], bounty.pk)[3]["participant_count"] == 0


def test_read_cache_api_submit_review_and_winner_are_visible(clients, bounty, joined, watch):
    before = watch(bounty.pk)
    response = clients["participant"].post(
        f"{detail(bounty.pk)}/submit", {"content": "https://github.com/example/pr/1"}, format="json"
    )
    assert response.status_code == 201, response.content
    watch.check(bounty.pk, before)
    assert read(clients["anonymous"], bounty.pk)[3]["submission_count"] == 1

    # A review changes the submission only, which these answers do not show: still the database's.
    before = watch(bounty.pk)
    review = clients["owner"].post(
        f"{detail(bounty.pk)}/submissions/{response.json()['id']}/review", {"status": "approved"}, format="json"
    )
    assert review.status_code == 200, review.content
    watch.check(bounty.pk, before, changed=False)

    before = watch(bounty.pk)
    winner = clients["owner"].post(
        f"{detail(bounty.pk)}/winner", {"submission_id": response.json()["id"]}, format="json"
    )
    assert winner.status_code == 200, winner.content
    watch.check(bounty.pk, before)
    assert read(clients["anonymous"], bounty.pk)[3]["status"] == "completed"


def test_read_cache_admin_change_form_is_visible(client, admin, bounty, watch):
    client.force_login(admin)
    before = watch(bounty.pk)
    form = {
        "title": "Edited by the operator",
        "description": bounty.description,
        "requirements": "",
        "category": bounty.category,
        "difficulty": bounty.difficulty,
    }
    response = client.post(f"/admin/bounties/bounty/{bounty.pk}/change/", form)
    assert response.status_code == 302, response.content
    watch.check(bounty.pk, before)
    assert read(APIClient(), bounty.pk)[3]["title"] == "Edited by the operator"


def test_read_cache_admin_actions_are_visible(client, admin, bounty, submission, watch):
    client.force_login(admin)
    before = watch(bounty.pk)
    client.post(
        "/admin/bounties/submission/",
        {"action": "reject_submissions", ACTION_CHECKBOX_NAME: [str(submission.pk)]},
        follow=True,
    )
    watch.check(bounty.pk, before, changed=False)  # the submission only: not shown

    before = watch(bounty.pk)
    response = client.post(
        "/admin/bounties/bounty/", {"action": "cancel_bounties", ACTION_CHECKBOX_NAME: [str(bounty.pk)]}, follow=True
    )
    assert response.status_code == 200
    watch.check(bounty.pk, before)
    assert read(APIClient(), bounty.pk)[3]["status"] == "cancelled"


def test_read_cache_expiry_is_visible(watch):
    # given: a bounty whose deadline has passed; the answers show what is stored (still open)
    bounty = BountyFactory(deadline=timezone.now() - timedelta(minutes=1))
    before = watch(bounty.pk)
    assert before["anonymous"][3]["status"] == "open"
    # when: the expiry path runs
    call_command("expire_bounties", stdout=StringIO())
    # then
    watch.check(bounty.pk, before)
    assert read(APIClient(), bounty.pk)[3]["status"] == "expired"


def test_read_cache_verify_payouts_leaves_the_answers_current(processing_payouts, watch):
    reward, _ = processing_payouts[0]
    before = watch(reward.bounty_id)
    call_command("verify_payouts", stdout=StringIO())
    # Rewards are not shown by the list or detail: the answers stay the database's.
    watch.check(reward.bounty_id, before, changed=False)


def test_read_cache_profile_username_change_is_visible(clients, bounty, watch):
    before = watch(bounty.pk)
    response = clients["owner"].patch("/api/auth/profile", {"username": "renamed-owner"}, format="json")
    assert response.status_code == 200, response.content
    watch.check(bounty.pk, before)
    assert read(APIClient(), bounty.pk)[3]["creator"]["username"] == "renamed-owner"


def test_read_cache_wallet_link_is_visible(clients, owner, bounty, watch, wallet_node, wallet_signer):
    before = watch(bounty.pk)
    challenge_create(ALICE, "cache-link-1")
    signature = wallet_signer(ALICE.address, "cache-link-1", ALICE.private_key)
    proof = {"wallet_address": ALICE.address, "nonce": "cache-link-1", "signature": hexes(*signature)}
    response = clients["owner"].post("/api/auth/wallet/link", proof, format="json")
    assert response.status_code == 200, response.content
    watch.check(bounty.pk, before)
    assert read(APIClient(), bounty.pk)[3]["creator"]["wallet_address"] == ALICE.address


def test_read_cache_admin_user_change_form_is_visible(client, admin, owner, bounty, watch):
    client.force_login(admin)
    before = watch(bounty.pk)
    form = {"email": owner.email, "username": "renamed-by-operator", "wallet_address": "", "profile_picture": ""}
    response = client.post(f"/admin/accounts/user/{owner.pk}/change/", form)
    assert response.status_code == 302, response.content
    watch.check(bounty.pk, before)
    assert read(APIClient(), bounty.pk)[3]["creator"]["username"] == "renamed-by-operator"


def test_read_cache_user_writes_that_show_nothing_keep_the_entries(owner, bounty, watch):
    watch(bounty.pk)
    version = BOUNTY_READS.version()
    owner.last_login = timezone.now()
    owner.save(update_fields=["last_login"])
    UserFactory()  # a new user has no bounty
    assert BOUNTY_READS.version() == version


def test_read_cache_migrate_retires_the_entries(bounty, watch):
    watch(bounty.pk)
    version = BOUNTY_READS.version()
    call_command("migrate", verbosity=0)
    assert BOUNTY_READS.version() != version


def test_read_cache_bulk_writes_are_visible(bounty, watch):
    before = watch(bounty.pk)
    Bounty.objects.bulk_update([Bounty(pk=bounty.pk, title="Bulk title")], ["title"])
    watch.check(bounty.pk, before)

    before = watch(bounty.pk)
    Bounty.objects.bulk_create([Bounty(**{**_fields(bounty), "title": "Bulk created"})])
    watch.check(bounty.pk, before)


def _fields(bounty: Bounty) -> dict:
    return {
        "description": bounty.description,
        "reward_amount": bounty.reward_amount,
        "reward_token": bounty.reward_token,
        "difficulty": bounty.difficulty,
        "category": bounty.category,
        "created_by_id": bounty.created_by_id,
    }


# --- the version and transactions ------------------------------------------------------------------


def test_read_cache_answer_read_before_commit_is_never_served_after_it(bounty, readers):
    # given: a reader's entry, taken during a transaction that has not committed yet: what a request
    # that read the version before the commit, and the database as it was, would store
    anonymous = readers["anonymous"]
    stale = anonymous.get(detail(bounty.pk))
    with transaction.atomic():
        Bounty.objects.filter(pk=bounty.pk).update(title="Committed")
        during = BOUNTY_READS.version()
        BOUNTY_READS.set(during, f"detail:anon:{bounty.pk}", (stale.content, None, stale["ETag"]))
        assert anonymous.get(detail(bounty.pk)).json()["title"] != "Committed"
    # when: the transaction has committed
    # then: the commit moved the version on; the stale entry is never served
    assert BOUNTY_READS.version() != during
    assert anonymous.get(detail(bounty.pk)).json()["title"] == "Committed"


def test_read_cache_rolled_back_write_bumps_once_harmlessly(bounty, readers):
    anonymous = readers["anonymous"]
    before = anonymous.get(detail(bounty.pk)).json()
    version = BOUNTY_READS.version()

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        Bounty.objects.filter(pk=bounty.pk).update(title="Rolled back")
        raise Abort()
    # The write bumped once when it ran (an extra miss), the commit bump never came.
    assert BOUNTY_READS.version() == version + 1
    assert anonymous.get(detail(bounty.pk)).json() == before


def test_read_cache_one_commit_bump_per_transaction(bounty):
    version = BOUNTY_READS.version()
    with transaction.atomic():
        for title in ("one", "two", "three"):
            Bounty.objects.filter(pk=bounty.pk).update(title=title)
    # three bumps as the writes ran, one on commit
    assert BOUNTY_READS.version() == version + 4


def test_read_cache_lost_version_restarts_at_an_unused_one(bounty, readers, settings):
    from django.core.cache import cache

    anonymous = readers["anonymous"]
    anonymous.get(detail(bounty.pk))
    old = BOUNTY_READS.version()
    cache.delete(BOUNTY_READS.version_key)
    Bounty.objects.filter(pk=bounty.pk).update(title="After the loss")
    assert BOUNTY_READS.version() not in (old, old + 1)
    assert anonymous.get(detail(bounty.pk)).json()["title"] == "After the loss"


def test_read_cache_switched_off_stores_nothing(bounty, readers, settings, django_assert_num_queries):
    settings.RESPONSE_CACHE_ENABLED = False
    anonymous = readers["anonymous"]
    anonymous.get(detail(bounty.pk))
    # the bounty with its creator, on every request
    with django_assert_num_queries(1):
        response = anonymous.get(detail(bounty.pk))
    assert response.status_code == 200
    assert response["ETag"]


# --- anonymous and signed-in answers ------------------------------------------------------------------


def test_read_cache_anonymous_and_signed_in_entries_are_apart(bounty, readers, django_assert_num_queries):
    anonymous, signed_in = readers["anonymous"], readers["signed_in"]
    anonymous_answer = anonymous.get(LIST)
    # a miss for the signed-in variant although the anonymous one is cached: auth; COUNT; page
    with django_assert_num_queries(3):
        signed_in_answer = signed_in.get(LIST)
    # The answers depend on nobody's identity: the same bytes, kept apart all the same.
    assert signed_in_answer.content == anonymous_answer.content


@pytest.mark.parametrize("path", ["list", "detail"])
def test_read_cache_bad_or_revoked_token_is_401_on_a_cached_answer(bounty, readers, path):
    url = LIST if path == "list" else detail(bounty.pk)
    signed_in = readers["signed_in"]
    assert signed_in.get(url).status_code == 200
    assert readers["anonymous"].get(url).status_code == 200
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION="Bearer eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.c2lnbmF0dXJl")
    assert forged.get(url).status_code == 401
    # the reader signs out everywhere: their token is revoked
    User.objects.filter(username="reader").update(token_generation=99)
    response = signed_in.get(url)
    assert response.status_code == 401
    assert response.json()["code"].startswith("auth.")


# --- parameters ----------------------------------------------------------------------------------------


def test_read_cache_equivalent_queries_share_an_entry(readers, django_assert_num_queries):
    BountyFactory(status="open", category="design")
    anonymous = readers["anonymous"]
    first = anonymous.get("/api/bounties?status=active&category=design&page=1")
    # the same query spelt differently: served from the cache
    with django_assert_num_queries(0):
        again = anonymous.get("/api/bounties?category=%20design%20&status=open&page=01&page_size=20&unknown=1")
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    # Link is this request's own (its parameters), never the cached one's
    assert "unknown=1" in again["Link"]


def test_read_cache_different_queries_never_collide(readers):
    design = BountyFactory(category="design", title="Design work")
    code = BountyFactory(category="development", title="Code work")
    anonymous = readers["anonymous"]
    assert [b["id"] for b in anonymous.get("/api/bounties?category=design").json()] == [str(design.pk)]
    assert [b["id"] for b in anonymous.get("/api/bounties?category=development").json()] == [str(code.pk)]
    assert [b["id"] for b in anonymous.get("/api/bounties?search=Design").json()] == [str(design.pk)]
    assert [b["id"] for b in anonymous.get("/api/bounties?search=design").json()] == [str(design.pk)]
    assert len(anonymous.get("/api/bounties?page_size=1").json()) == 1
    assert (
        anonymous.get("/api/bounties?page=2&page_size=1").json()[0]["id"]
        != (anonymous.get("/api/bounties?page=1&page_size=1").json()[0]["id"])
    )


@pytest.mark.parametrize(
    "query", ["status=nope", "page=0", "page_size=101", "ordering=-title", "created_by=x", "page=abc"]
)
def test_read_cache_bad_parameters_are_400_even_when_cached(readers, query):
    anonymous = readers["anonymous"]
    assert anonymous.get("/api/bounties").status_code == 200
    response = anonymous.get(f"/api/bounties?{query}")
    assert response.status_code == 400
    assert response.json()["success"] is False
