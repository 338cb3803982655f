"""Moderation of users: their role and whether they may sign in. One set of rules for the admin
panel's API (`PATCH /api/admin/users/{id}`) and the admin site's user actions."""

from django.db import transaction

from accounts.errors import AdminRequired, NothingToModerate, SelfLockout, SuperuserProtected, UserNotFound
from accounts.locks import user_lock
from accounts.models import User
from accounts.services.activity import activity_record
from accounts.services.sessions import sessions_revoke_all


def user_moderate(*, actor: User, user_id: int, role: str | None = None, is_active: bool | None = None) -> User:
    """Set the role and/or the activation of user `user_id`; a value equal to the current one changes
    nothing and logs nothing. Deactivation ends every session of the user at once (refresh tokens
    revoked, access tokens of earlier generations refused). A role change ends none: the role is read
    from the database on every request, never from a token, so it applies to live sessions at once.

    Raises AdminRequired (403) unless `actor` is an admin, UserNotFound (404), SuperuserProtected (403)
    when a non-superuser targets a superuser, SelfLockout (409) when the actor would demote or
    deactivate themselves, NothingToModerate (400) when neither value is given. `role` must be one of
    `User.Role` (callers validate it)."""
    if role is None and is_active is None:
        raise NothingToModerate()
    if not actor.is_admin:
        raise AdminRequired()
    with transaction.atomic():
        try:
            user = user_lock(user_id)
        except User.DoesNotExist:
            raise UserNotFound() from None
        if user.is_superuser and not actor.is_superuser:
            raise SuperuserProtected()
        new_role = role if role is not None and role != user.role else None
        new_active = is_active if is_active is not None and is_active != user.is_active else None
        if user.pk == actor.pk and (new_active is False or (new_role is not None and new_role != User.Role.ADMIN)):
            raise SelfLockout()
        changed: list[str] = []
        if new_role is not None:
            activity_record(
                action="admin.user_role_change",
                actor=actor,
                target_type="user",
                target_id=user.pk,
                metadata={"from": user.role, "to": new_role},
            )
            user.role = new_role
            changed.append("role")
        if new_active is not None:
            activity_record(
                action="admin.user_activate" if new_active else "admin.user_deactivate",
                actor=actor,
                target_type="user",
                target_id=user.pk,
                metadata={"from": user.is_active, "to": new_active},
            )
            user.is_active = new_active
            changed.append("is_active")
        if changed:
            user.save(update_fields=[*changed, "updated_at"])
            if new_active is False:
                sessions_revoke_all(user=user)
    return user
