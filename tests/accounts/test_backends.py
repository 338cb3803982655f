"""Permissions by role (accounts.backends.RolePermissionBackend): what the admin site's screens ask."""

import pytest
from django.contrib.auth.models import Permission

from accounts.models import User
from tests.factories import AdminFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_role_admin_holds_every_permission():
    admin = AdminFactory()

    assert admin.has_perm("accounts.change_user")
    assert admin.has_perm("token_blacklist.view_outstandingtoken")
    assert admin.has_module_perms("auth")


def test_role_moderator_may_view_accounts_bounties_and_contracts_only():
    moderator = UserFactory(role=User.Role.MODERATOR)

    assert moderator.has_perm("bounties.view_reward")
    assert moderator.has_perm("contracts.view_savedquery")
    assert moderator.has_module_perms("contracts")
    assert not moderator.has_perm("bounties.change_bounty")
    assert not moderator.has_perm("contracts.delete_dashboard")
    assert moderator.has_perm("accounts.view_user")
    assert not moderator.has_perm("accounts.change_user")
    assert not moderator.has_perm("token_blacklist.view_outstandingtoken")
    assert not moderator.has_module_perms("token_blacklist")


@pytest.mark.parametrize("role", [User.Role.ADMIN, User.Role.MODERATOR])
def test_role_permissions_end_with_deactivation(role):
    staff = UserFactory(role=role, is_active=False)

    assert not staff.has_perm("bounties.view_reward")
    assert not staff.has_module_perms("bounties")


def test_role_user_holds_only_permissions_granted_to_them():
    user = UserFactory()
    assert not user.has_perm("bounties.view_reward")

    user.user_permissions.add(Permission.objects.get(codename="view_reward"))
    user = User.objects.get(pk=user.pk)  # a fresh permission cache

    assert user.has_perm("bounties.view_reward")
    assert not user.has_perm("bounties.view_bounty")
