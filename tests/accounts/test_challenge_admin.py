"""The admin screen of wallet sign-in challenges: read-only, searchable by wallet address."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import WalletChallenge
from tests.factories import AdminFactory, WalletChallengeFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_walletchallenge_changelist")


@pytest.fixture
def operator(client):
    client.force_login(AdminFactory())
    return client


def test_admin_wallet_challenges_are_read_only(operator):
    challenge = WalletChallengeFactory()
    change = reverse("admin:accounts_walletchallenge_change", args=[challenge.pk])

    page = operator.get(change)

    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert operator.get(reverse("admin:accounts_walletchallenge_add")).status_code == 403
    assert operator.post(change, {"address": f"0x{1:064x}"}).status_code == 403
    delete = reverse("admin:accounts_walletchallenge_delete", args=[challenge.pk])
    assert operator.post(delete, {"post": "yes"}).status_code == 403
    assert WalletChallenge.objects.get(pk=challenge.pk).address == challenge.address


def test_admin_wallet_challenge_search_finds_an_unpadded_address(operator):
    wanted = WalletChallengeFactory(address=f"0x{0x49D3:064x}")
    WalletChallengeFactory()

    response = operator.get(CHANGELIST, {"q": "0x49d3"})

    assert list(response.context["cl"].result_list) == [wanted]


def test_admin_wallet_challenges_filter_by_use(operator):
    used = WalletChallengeFactory(used_at=timezone.now())
    WalletChallengeFactory()

    response = operator.get(CHANGELIST, {"used_at__isempty": "0"})

    assert list(response.context["cl"].result_list) == [used]
