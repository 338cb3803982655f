"""Django permissions from the user's role, so that the admin site's screens follow the same roles as
the API (`User.is_admin`, `User.is_staff`) rather than a per-user permission table nobody fills in."""

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.db.models import Model

# Apps whose admin screens moderators may look at. An app is listed once every action of its screens
# declares the permission it needs (`@admin.action(permissions=[...])`): Django offers an action
# without one to anyone who may see the list.
MODERATOR_VIEW_APPS = frozenset({"accounts", "adminpanel", "bounties", "contracts"})


class RolePermissionBackend(BaseBackend):
    """An active admin holds every permission, as a superuser does; an active moderator may view the
    models of MODERATOR_VIEW_APPS. Authenticates nobody: `ModelBackend` (listed first) does that."""

    def has_perm(self, user_obj: Any, perm: str, obj: Model | None = None) -> bool:
        if getattr(user_obj, "is_admin", False):
            return True
        app_label, _, codename = perm.partition(".")
        return (
            getattr(user_obj, "is_staff", False) and app_label in MODERATOR_VIEW_APPS and codename.startswith("view_")
        )

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        if getattr(user_obj, "is_admin", False):
            return True
        return getattr(user_obj, "is_staff", False) and app_label in MODERATOR_VIEW_APPS
