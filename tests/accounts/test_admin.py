"""Django admin screens for users and the activity log."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from accounts.models import ActivityLog, User
from tests.factories import ActivityFactory, OutstandingTokenFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    staff = UserFactory(email="root@example.com", role=User.Role.ADMIN, is_superuser=True)
    client.force_login(staff)
    return staff


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_admin_user_list_searches_email_username_and_wallet(client, operator):
    UserFactory(email="ada@example.com", username="ada")
    UserFactory(email="bob@example.com", username="bob", wallet_address=f"0x{0xBEEF:064x}")
    by_email = client.get("/admin/accounts/user/", {"q": "ada@"})
    by_wallet = client.get("/admin/accounts/user/", {"q": "beef"})
    assert by_email.status_code == by_wallet.status_code == 200
    assert b"ada@example.com" in by_email.content and b"bob@example.com" not in by_email.content
    assert b"bob@example.com" in by_wallet.content and b"ada@example.com" not in by_wallet.content


def test_admin_user_list_filters_by_role_and_active(client, operator):
    UserFactory(email="mod@example.com", role=User.Role.MODERATOR)
    UserFactory(email="gone@example.com", is_active=False)
    moderators = client.get("/admin/accounts/user/", {"role__exact": "moderator"})
    inactive = client.get("/admin/accounts/user/", {"is_active__exact": "0"})
    assert b"mod@example.com" in moderators.content and b"gone@example.com" not in moderators.content
    assert b"gone@example.com" in inactive.content and b"mod@example.com" not in inactive.content


def test_admin_user_change_page_shows_readonly_timestamps(client, operator):
    user = UserFactory()
    response = client.get(f"/admin/accounts/user/{user.pk}/change/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "created_at" not in form.fields and "password" not in form.fields
    assert "email" in form.fields


def test_admin_deactivate_action_disables_users_and_their_tokens(client, operator, client_for):
    # given a user with a live access token
    target = UserFactory()
    api = client_for(target)
    assert api.get("/api/auth/me").status_code == 200
    # when the operator deactivates them
    response = client.post(
        "/admin/accounts/user/", {"action": "deactivate", "_selected_action": [target.pk]}, follow=True
    )
    # then
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.is_active is False
    assert api.get("/api/auth/me").status_code == 401
    entry = ActivityLog.objects.get(action="admin.user_deactivate")
    assert (entry.actor, entry.target_id) == (operator, str(target.pk))


def test_admin_email_change_ends_the_users_sessions_and_unproves_the_address(client, operator, client_for):
    from django.utils import timezone

    target = UserFactory(email="ada@example.com", email_verified_at=timezone.now())
    api = client_for(target)
    page = client.get(f"/admin/accounts/user/{target.pk}/change/")
    data = {key: value for key, value in page.context["adminform"].form.initial.items() if value is not None}
    data.update(
        {"email": "ada@new.example", "role": target.role, "is_active": "on", "groups": [], "user_permissions": []}
    )
    response = client.post(f"/admin/accounts/user/{target.pk}/change/", data)
    assert response.status_code == 302, response.content
    target.refresh_from_db()
    assert (target.email, target.email_verified_at) == ("ada@new.example", None)
    assert api.get("/api/auth/me").status_code == 401
    entry = ActivityLog.objects.get(action="admin.user_credentials_change")
    assert (entry.actor, entry.metadata) == (operator, {"fields": ["email"]})


def test_admin_user_list_query_count_does_not_grow(client, operator):
    UserFactory()
    one = count_queries(client, "/admin/accounts/user/")
    UserFactory.create_batch(10)
    many = count_queries(client, "/admin/accounts/user/")
    assert one == many


def test_admin_activity_list_query_count_does_not_grow(client, operator):
    ActivityFactory()
    one = count_queries(client, "/admin/accounts/activitylog/")
    ActivityFactory.create_batch(10)
    many = count_queries(client, "/admin/accounts/activitylog/")
    assert one == many


def test_admin_activity_log_is_read_only(client, operator):
    entry = ActivityFactory()
    assert client.get("/admin/accounts/activitylog/add/").status_code == 403
    assert client.post(f"/admin/accounts/activitylog/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    page = client.get(f"/admin/accounts/activitylog/{entry.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    filtered = client.get("/admin/accounts/activitylog/", {"action": "auth.login"})
    assert filtered.status_code == 200


# --- Moderation actions: the same service and rules as PATCH /api/admin/users/{id} -------------------


def run_action(client, action: str, *users):
    response = client.post(
        "/admin/accounts/user/", {"action": action, "_selected_action": [user.pk for user in users]}, follow=True
    )
    assert response.status_code == 200
    return [(message.level_tag, str(message)) for message in response.context["messages"]]


def test_admin_activate_action_activates_and_logs(client, operator):
    gone = UserFactory(is_active=False)

    messages = run_action(client, "activate", gone)

    gone.refresh_from_db()
    assert gone.is_active is True
    assert messages == [("success", "1 user(s) activated.")]
    entry = ActivityLog.objects.get(action="admin.user_activate")
    assert (entry.actor, entry.target_id, entry.metadata) == (operator, str(gone.pk), {"from": False, "to": True})


@pytest.mark.parametrize(
    ("action", "start", "role"),
    [("make_moderator", "user", "moderator"), ("make_admin", "moderator", "admin"), ("make_user", "admin", "user")],
)
def test_admin_role_actions_change_the_role_and_log_it(client, operator, action, start, role):
    target = UserFactory(role=start)

    run_action(client, action, target)

    target.refresh_from_db()
    assert target.role == role
    entry = ActivityLog.objects.get(action="admin.user_role_change")
    assert (entry.actor, entry.target_id, entry.metadata) == (operator, str(target.pk), {"from": start, "to": role})


def test_admin_actions_refuse_a_self_lockout_as_a_warning_and_go_on(client, operator):
    others = UserFactory.create_batch(2, role=User.Role.ADMIN)

    messages = run_action(client, "make_user", operator, *others)

    operator.refresh_from_db()
    assert operator.role == User.Role.ADMIN
    assert all(User.objects.get(pk=other.pk).role == User.Role.USER for other in others)
    assert ("warning", "root@example.com: You cannot demote or deactivate your own account.") in messages
    assert ("success", "2 user(s) made users.") in messages
    assert ActivityLog.objects.filter(action="admin.user_role_change").count() == 2


def test_admin_deactivate_action_refuses_the_operator_themselves(client, operator):
    messages = run_action(client, "deactivate", operator)

    operator.refresh_from_db()
    assert operator.is_active is True
    assert messages == [("warning", "root@example.com: You cannot demote or deactivate your own account.")]
    assert not ActivityLog.objects.filter(action="admin.user_deactivate").exists()


def test_admin_actions_leave_superusers_to_superusers(client):
    from django.contrib.auth.models import Permission

    # an admin who may use the user screens, but is no superuser
    staff = UserFactory(email="staff@example.com", role=User.Role.ADMIN)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    client.force_login(staff)
    root = UserFactory(email="root@example.com", role=User.Role.ADMIN, is_superuser=True)
    plain = UserFactory(email="plain@example.com")

    messages = run_action(client, "deactivate", root, plain)

    assert User.objects.get(pk=root.pk).is_active is True
    assert User.objects.get(pk=plain.pk).is_active is False
    assert ("warning", "root@example.com: Only a superuser may change a superuser.") in messages


def test_admin_change_form_shows_role_and_activation_read_only(client, operator):
    target = UserFactory(email="ada@example.com")
    page = client.get(f"/admin/accounts/user/{target.pk}/change/")
    form = page.context["adminform"].form
    assert "role" not in form.fields and "is_active" not in form.fields
    data = {key: value for key, value in form.initial.items() if value is not None}
    data.update({"email": "ada@example.com", "groups": [], "user_permissions": []})

    # a crafted post cannot change them
    response = client.post(f"/admin/accounts/user/{target.pk}/change/", {**data, "role": "admin", "is_active": ""})

    assert response.status_code == 302, response.content
    target.refresh_from_db()
    assert (target.role, target.is_active) == (User.Role.USER, True)


@pytest.fixture
def plain_admin(client):
    """An admin by role, not a superuser: every permission of the role backend, none of a superuser's."""
    staff = UserFactory(email="ops@example.com", role=User.Role.ADMIN)
    client.force_login(staff)
    return staff


def test_admin_user_form_keeps_superuser_and_permissions_from_a_plain_admin(client, plain_admin):
    target = UserFactory()

    form = client.get(f"/admin/accounts/user/{target.pk}/change/").context["adminform"].form
    client.post(
        f"/admin/accounts/user/{plain_admin.pk}/change/",
        {"email": plain_admin.email, "username": "ops", "is_superuser": "on"},
    )

    assert {"is_superuser", "groups", "user_permissions"}.isdisjoint(form.fields)
    assert "email" in form.fields
    plain_admin.refresh_from_db()
    assert plain_admin.is_superuser is False


def test_admin_user_form_lets_a_superuser_set_superuser(client, operator):
    target = UserFactory()

    form = client.get(f"/admin/accounts/user/{target.pk}/change/").context["adminform"].form

    assert "is_superuser" in form.fields


def test_admin_user_superuser_cannot_be_changed_by_a_plain_admin(client, plain_admin):
    root = UserFactory(email="root@example.com", role=User.Role.ADMIN, is_superuser=True)

    response = client.post(f"/admin/accounts/user/{root.pk}/change/", {"email": "mine@example.com"})

    # the page only shows the account, the post changes nothing
    assert client.get(f"/admin/accounts/user/{root.pk}/change/").context["has_change_permission"] is False
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.email == "root@example.com"


def test_admin_user_cannot_be_deleted_from_the_admin_site(client, operator):
    target = UserFactory()

    response = client.post(f"/admin/accounts/user/{target.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert User.objects.filter(pk=target.pk).exists()


def test_admin_refresh_tokens_are_shown_by_id_never_whole(client, operator):
    outstanding = OutstandingTokenFactory()

    page = client.get(f"/admin/token_blacklist/outstandingtoken/{outstanding.pk}/change/")
    listing = client.get("/admin/token_blacklist/outstandingtoken/")

    assert page.status_code == listing.status_code == 200
    assert outstanding.jti.encode() in page.content
    assert outstanding.token.encode() not in page.content
    assert outstanding.token.encode() not in listing.content


def test_admin_revoked_tokens_cannot_be_unrevoked(client, operator):
    revoked = BlacklistedToken.objects.create(token=OutstandingTokenFactory())

    response = client.post(f"/admin/token_blacklist/blacklistedtoken/{revoked.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert BlacklistedToken.objects.filter(pk=revoked.pk).exists()
