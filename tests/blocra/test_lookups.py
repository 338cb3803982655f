"""Lookups mean the same on every database: `exact` and unique constraints tell "A" from "a" (nonces,
hashes, tokens), the `i` lookups ignore case, and LIKE's wildcards in a search are plain characters.

On MySQL/MariaDB that takes the binary collation (utf8mb4_bin, blocra/databases.py) and the backend's
upper-cased `i` lookups (blocra/mysql_backend/base.py); a case-insensitive collation fails these.
"""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User, WalletChallenge
from bounties.models import Bounty
from tests.factories import BountyFactory, UserFactory, WalletChallengeFactory

pytestmark = pytest.mark.django_db


def test_exact_lookup_tells_case_apart():
    # given: nonces that differ only in case, as random tokens may
    WalletChallengeFactory(nonce="Nonce-AbC")
    WalletChallengeFactory(nonce="nonce-abc")

    # then: both are stored (the unique constraint tells them apart) and each finds itself only
    assert WalletChallenge.objects.filter(nonce="nonce-abc").count() == 1
    assert WalletChallenge.objects.filter(nonce="NONCE-ABC").count() == 0
    assert WalletChallenge.objects.filter(nonce__in=["Nonce-AbC"]).get().nonce == "Nonce-AbC"


def test_unique_constraint_tells_case_apart_and_still_refuses_the_same_value():
    UserFactory(google_id="Google-Sub-1")
    UserFactory(google_id="google-sub-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(google_id="google-sub-1")
    assert User.objects.filter(google_id="google-sub-1").count() == 1


def test_case_insensitive_lookups_ignore_case():
    # given
    user = UserFactory(username="Ada Lovelace")
    UserFactory(username="Grace Hopper")

    # then: each i lookup finds Ada whatever the case asked for, and only her
    for lookup, value in [
        ("iexact", "ada LOVELACE"),
        ("icontains", "a LOVE"),
        ("istartswith", "aDA"),
        ("iendswith", "LACE"),
        ("iregex", r"^ada\s+l"),
    ]:
        found = list(User.objects.filter(**{f"username__{lookup}": value}).values_list("pk", flat=True))
        assert found == [user.pk], lookup
    # while exact and regex keep to case (contains and startswith do too, except on SQLite, whose LIKE
    # ignores the case of ASCII letters: Django documents it)
    assert not User.objects.filter(username="ada lovelace").exists()
    assert not User.objects.filter(username__regex=r"^ada").exists()


def test_case_insensitive_lookups_take_wildcards_literally():
    # given: a title with LIKE's wildcards in it, and one they would match as wildcards
    literal = BountyFactory(title="Save 50%_OFF now")
    BountyFactory(title="save 500 off")

    # then
    assert list(Bounty.objects.filter(title__icontains="50%_off").values_list("pk", flat=True)) == [literal.pk]
    assert list(Bounty.objects.filter(title__iexact="save 50%_off now").values_list("pk", flat=True)) == [literal.pk]


def test_case_insensitive_lookup_against_a_column_compares_both_sides_ignoring_case():
    # given: a user whose name is their address's local part in another case
    match = UserFactory(email="ada@example.com", username="ADA")
    UserFactory(email="grace@example.com", username="Ada")

    # then: the right-hand side is a column (a LIKE pattern built in SQL), upper-cased too
    assert list(User.objects.filter(email__istartswith=F("username")).values_list("pk", flat=True)) == [match.pk]


def test_datetimes_keep_microseconds_and_come_back_in_utc():
    moment = timezone.now().replace(microsecond=123456)
    challenge = WalletChallengeFactory(issued_at=moment, expires_at=moment + timezone.timedelta(minutes=5))
    stored = WalletChallenge.objects.get(pk=challenge.pk).issued_at
    assert stored == moment
    assert stored.microsecond == 123456
    assert stored.utcoffset() == timezone.timedelta(0)
