"""`manage.py seed_demo [--seed N] [--no-password] [--allow-production]`: fill a new installation with a
realistic demo data set.

About 20 people (a moderator, sponsors, hunters; no admin), 30 bounties over the categories,
difficulties and tokens, spread over the lifecycle (open, in review, completed, cancelled, expired),
with participants, submissions in every state, rewards pending and paid (transaction hashes starting
with 40 zeros: made up), recorded contract queries, saved queries, a dashboard and feedback. All in one
transaction; `--seed` fixes every random choice.

The demo accounts (`@demo.blocra.example`) share one password, generated at random for this run and
printed once; `--no-password` leaves them without one. Runs once: when demo accounts exist it says so
and changes nothing. Refuses to run with DEBUG off (a production server) unless `--allow-production`.

Exit status: 0 when the data was created or was already there; 1 (CommandError) when DEBUG is off
without `--allow-production`.
"""

import secrets

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser

from adminpanel.demo import demo_email, demo_seed, demo_seeded
from adminpanel.demo_content import HUNTERS, MODERATOR, SPONSORS

DEFAULT_SEED = 2024


class Command(BaseCommand):
    help = (
        "Create a realistic demo data set (people, bounties in every state, rewards, queries, a dashboard, "
        "feedback) on a new installation; runs once, refuses DEBUG=false without --allow-production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"Seed of the random choices (default {DEFAULT_SEED})."
        )
        parser.add_argument(
            "--no-password",
            action="store_true",
            help="Give the demo accounts no password (no one can sign in to them with one).",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even though DEBUG is off: demo people and bounties become visible to real users.",
        )

    def handle(self, *args, seed: int, no_password: bool, allow_production: bool, **options) -> None:
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG is off, so this looks like a production server: demo data would be shown to real users. "
                "Run with --allow-production if that is what you want."
            )
        if demo_seeded():
            self.stdout.write("Demo data is already there (demo accounts exist); nothing changed.")
            return
        password = None if no_password else secrets.token_urlsafe(12)
        # Hashed once, before the transaction (Argon2 is slow on purpose); every demo account shares it.
        counts = demo_seed(seed=seed, password_hash=make_password(password))
        if counts is None:  # another run seeded meanwhile
            self.stdout.write("Demo data is already there (demo accounts exist); nothing changed.")
            return
        self.stdout.write(self.style.SUCCESS(f"Demo data created (seed {seed}):"))
        for line in counts.lines():
            self.stdout.write(f"  {line}")
        self.stdout.write(
            f"Accounts: moderator {demo_email(MODERATOR)}, sponsors such as {demo_email(SPONSORS[0])}, "
            f"hunters such as {demo_email(HUNTERS[0])}."
        )
        if password is None:
            self.stdout.write("The demo accounts have no password.")
        else:
            self.stdout.write(f"They all sign in with the password {password} (shown this once).")
