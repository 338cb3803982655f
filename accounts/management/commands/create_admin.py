"""`manage.py create_admin [--email EMAIL] [--password-file PATH] [--update-password]`: the operator's
admin account, without a prompt (containers, provisioning scripts).

The address comes from `--email` or ADMIN_EMAIL, the password from `--password-file` or
ADMIN_PASSWORD_FILE (a file holding it, e.g. a Docker or Kubernetes secret; one trailing newline is
dropped) or ADMIN_PASSWORD. There is no `--password` option: a command line is visible to every user
of the machine (ps) and kept in shell histories. The password is never printed.

Idempotent, so it can run on every start: a new account is created as an active admin; an existing
one is made admin and active if it is not, and its password changes only with `--update-password`
(which ends all its sessions); a run that finds nothing to do says so and changes nothing.

Exit status: 0 when the account is as asked; 1 (CommandError) when the address or password is
missing, the password is refused by the password validators, or the address belongs to an existing
account nobody confirmed.
"""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.services import AdminAccountRefused, admin_account_ensure


class Command(BaseCommand):
    help = (
        "Create the admin account from ADMIN_EMAIL and ADMIN_PASSWORD or ADMIN_PASSWORD_FILE, or make an "
        "existing account admin (idempotent; never prompts, never prints the password)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", help="The admin's email address (default: the ADMIN_EMAIL variable).")
        parser.add_argument(
            "--password-file",
            help="A file holding the password, one trailing newline dropped (default: ADMIN_PASSWORD_FILE, "
            "else the ADMIN_PASSWORD variable).",
        )
        parser.add_argument(
            "--update-password",
            action="store_true",
            help="Set the password of an existing account too (ends its sessions); without it an existing "
            "account keeps its password.",
        )

    def handle(self, *args, email: str | None, password_file: str | None, update_password: bool, **options) -> None:
        email = (email or os.environ.get("ADMIN_EMAIL", "")).strip()
        password = self._password(password_file or os.environ.get("ADMIN_PASSWORD_FILE", ""))
        needed = (
            ("ADMIN_EMAIL (or --email)", email),
            ("ADMIN_PASSWORD or ADMIN_PASSWORD_FILE (or --password-file)", password),
        )
        missing = [names for names, value in needed if not value]
        if missing:
            raise CommandError(f"Set {' and '.join(missing)}.")
        try:
            outcome = admin_account_ensure(email=email, password=password, update_password=update_password)
        except AdminAccountRefused as exc:
            raise CommandError(str(exc)) from None
        user = outcome.user
        if outcome.created:
            self.stdout.write(self.style.SUCCESS(f"Created admin account {user.email} (id {user.pk})."))
        elif outcome.changes:
            changes = ", ".join(outcome.changes)
            self.stdout.write(self.style.SUCCESS(f"Updated admin account {user.email} (id {user.pk}): {changes}."))
        else:
            self.stdout.write(f"Admin account {user.email} (id {user.pk}) is already as asked; nothing changed.")

    def _password(self, path: str) -> str:
        """The password from the file at `path`, else from ADMIN_PASSWORD."""
        if not path:
            return os.environ.get("ADMIN_PASSWORD", "")
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot read the password file {path}: {exc.strerror or exc}.") from None
        except UnicodeDecodeError:
            raise CommandError(f"The password file {path} is not UTF-8 text.") from None
        # Secrets written by `echo` or an editor end with a newline that is no part of the password.
        return text.removesuffix("\n").removesuffix("\r")
