"""Who may use the admin panel's API."""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class IsStaff(BasePermission):
    """Staff only: an active admin or moderator (`User.is_staff`). DRF answers an anonymous request
    401 and a signed-in one that is not staff 403. Which staff may change what, the services decide."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user is not None and user.is_authenticated and user.is_staff)
