"""Row locks that mean the same on every database."""

from django.db import connection


def only_own_rows() -> tuple[str, ...]:
    """The `of` argument of `select_for_update()` that locks the queried model's rows and not the rows
    of the models it joins (`select_related`, filters across relations): `("self",)`.

    MariaDB has no `FOR UPDATE OF` (Django refuses it there): it gets `()`, and locks the joined rows
    too. Callers say which rows those are, so that their place in the lock order is known.
    """
    return ("self",) if connection.features.has_select_for_update_of else ()
