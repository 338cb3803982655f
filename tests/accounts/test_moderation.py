"""user_moderate: the rules the admin API and the admin site share for roles and activation."""

import pytest

from accounts.errors import AdminRequired, InvalidRefreshToken, NothingToModerate, SelfLockout, UserNotFound
from accounts.models import ActivityLog, User
from accounts.services import session_create, session_refresh, user_moderate
from tests.factories import AdminFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_user_moderate_deactivation_revokes_refresh_tokens():
    admin, target = AdminFactory(), UserFactory()
    tokens = session_create(user=target)

    user_moderate(actor=admin, user_id=target.pk, is_active=False)

    with pytest.raises(InvalidRefreshToken):
        session_refresh(refresh_token=tokens.refresh)
    target.refresh_from_db()
    assert (target.is_active, target.token_generation) == (False, 1)


def test_user_moderate_role_change_keeps_sessions():
    admin, target = AdminFactory(), UserFactory()
    tokens = session_create(user=target)

    moderated = user_moderate(actor=admin, user_id=target.pk, role=User.Role.MODERATOR)

    assert moderated.role == User.Role.MODERATOR
    user, _ = session_refresh(refresh_token=tokens.refresh)
    assert user.role == User.Role.MODERATOR


def test_user_moderate_needs_an_admin():
    moderator, target = UserFactory(role=User.Role.MODERATOR), UserFactory()

    with pytest.raises(AdminRequired):
        user_moderate(actor=moderator, user_id=target.pk, is_active=False)
    with pytest.raises(AdminRequired):
        user_moderate(actor=AdminFactory(is_active=False), user_id=target.pk, is_active=False)
    assert User.objects.get(pk=target.pk).is_active is True


def test_user_moderate_needs_something_to_change():
    with pytest.raises(NothingToModerate):
        user_moderate(actor=AdminFactory(), user_id=UserFactory().pk)


def test_user_moderate_unknown_user():
    with pytest.raises(UserNotFound):
        user_moderate(actor=AdminFactory(), user_id=987654, role=User.Role.USER)


def test_user_moderate_superuser_cannot_demote_themselves_either():
    root = AdminFactory(is_superuser=True)

    with pytest.raises(SelfLockout):
        user_moderate(actor=root, user_id=root.pk, role=User.Role.MODERATOR)


def test_user_moderate_a_superuser_moderator_may_promote_themselves():
    root = UserFactory(role=User.Role.MODERATOR, is_superuser=True)

    assert user_moderate(actor=root, user_id=root.pk, role=User.Role.ADMIN).role == User.Role.ADMIN
    assert ActivityLog.objects.get().metadata == {"from": "moderator", "to": "admin"}


def test_user_moderate_refusal_writes_nothing():
    admin = AdminFactory()

    with pytest.raises(SelfLockout):
        user_moderate(actor=admin, user_id=admin.pk, role=User.Role.USER, is_active=False)
    admin.refresh_from_db()
    assert (admin.role, admin.is_active, admin.token_generation) == (User.Role.ADMIN, True, 0)
    assert not ActivityLog.objects.exists()
