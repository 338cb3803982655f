"""Admin-site actions that apply a service to each selected row, as the API would one at a time."""

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib import admin, messages
from django.http import HttpRequest

from blocra.errors import ApiError

Row = TypeVar("Row")


def run_each(
    model_admin: "admin.ModelAdmin[Any]",
    request: HttpRequest,
    rows: Iterable[Row],
    action: Callable[[Row], object],
    done: str,
) -> int:
    """Apply `action` (a service call) to each row; a row its rules refuse (an ApiError) is reported as
    a warning naming it, and the others go on. Reports and returns how many succeeded."""
    succeeded = 0
    for row in rows:
        try:
            action(row)
        except ApiError as exc:
            model_admin.message_user(request, f"{row}: {exc.message}", messages.WARNING)
        else:
            succeeded += 1
    if succeeded:
        model_admin.message_user(request, f"{succeeded} {done}.", messages.SUCCESS)
    return succeeded
