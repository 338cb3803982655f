"""The benchmark's data set, written straight into the database with bulk inserts: users, bounties,
participations, submissions and rewards with the variety of a live site, every maintained counter
matching its rows; and what the load runs need on top (ids to read, tokens, unused join pairs).

Import it only once Django is set up (bench/seed.py runs it in a process of its own).
"""

import random
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services.sessions import session_create
from bench.scale import Scale
from bounties.models import Bounty, BountyParticipant, PayoutTransfer, Reward, Submission

PASSWORD = "bench-password-13"  # every seeded user with a password has this one (one Argon2 hash)
SEARCH = "cairo"
FILTERED_CATEGORY = "development"
# The filtered list the load runs ask for (`filtered_total` says how many bounties it matches).
FILTERED_QUERY = f"status=open&category={FILTERED_CATEGORY}&search={SEARCH}&ordering=-reward_amount"
BATCH = 2000

CATEGORIES = [
    ("development", 30),
    ("smart-contracts", 15),
    ("design", 10),
    ("documentation", 10),
    ("security", 8),
    ("testing", 10),
    ("research", 7),
    ("community", 10),
]
STATUSES = [("open", 55), ("in_review", 8), ("completed", 20), ("cancelled", 5), ("expired", 12)]
DIFFICULTIES = [("beginner", 25), ("intermediate", 40), ("advanced", 25), ("expert", 10)]
# token -> (weight, typical amounts: low, high), amounts with at most 2 decimals (every token allows them)
TOKENS = {"STRK": (55, 20, 5000), "ETH": (15, 0.01, 3), "USDC": (20, 10, 4000), "USDT": (10, 10, 2500)}
VERBS = ["Build", "Fix", "Write", "Audit", "Design", "Test", "Document", "Optimise", "Port", "Review"]
SUBJECTS = [
    "the Cairo indexer",
    "a wallet connector",
    "the bounty dashboard",
    "an ERC-20 payout script",
    "the REST API client",
    "a Starknet event parser",
    "the onboarding flow",
    "Cairo contract tests",
    "the landing page",
    "a gas usage report",
    "the mobile layout",
    "a subgraph for rewards",
]
SENTENCES = [
    "The work should follow the existing code style and come with tests.",
    "We expect a pull request against the main branch with a short write-up.",
    "Please explain the trade-offs you considered in the description.",
    "Use Cairo 2 and Scarb for anything that runs on chain.",
    "Screenshots or a short video help the review.",
    "Questions are welcome in the project's Discord before you start.",
    "Performance matters here: measure before and after.",
    "Accessibility and keyboard navigation must keep working.",
]


@dataclass
class Prepared:
    """What a load run needs, as plain JSON values (bench/seed.py writes it to a file)."""

    counts: dict[str, int]
    password: str
    detail_ids: list[str]
    create_tokens: list[str]
    login_emails: list[str]
    # [bounty id, access token of a user who may join it]
    join: list[list[str]]
    filtered_query: str
    filtered_total: int
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    return rng.choices([name for name, _ in choices], weights=[weight for _, weight in choices])[0]


def _amount(rng: random.Random, low: float, high: float) -> Decimal:
    """A positive amount between `low` and `high`, skewed to the low end, with 2 decimals."""
    value = low * (high / low) ** (rng.random() ** 1.5)
    cents = max(1, round(value * 100))
    return Decimal(cents).scaleb(-2)


def _hex(rng: random.Random) -> str:
    return f"0x{rng.getrandbits(251):064x}"


@contextmanager
def _explicit_timestamps(*fields: models.DateTimeField) -> Iterator[None]:
    """Lets bulk inserts keep the given created/updated times: auto_now(_add) would stamp them all now."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _time_field(model: type[models.Model], name: str) -> models.DateTimeField:
    found = model._meta.get_field(name)
    assert isinstance(found, models.DateTimeField)
    return found


def _users(rng: random.Random, count: int, now: datetime) -> list[User]:
    hashed = make_password(PASSWORD)
    users = []
    for i in range(count):
        created = now - timedelta(days=400 * rng.random() ** 2, seconds=rng.randrange(86400))
        role = User.Role.ADMIN if i < 2 else User.Role.MODERATOR if i < 12 else User.Role.USER
        users.append(
            User(
                email=f"user{i}@bench.example",
                username=f"hunter{i}",
                # One in twenty signs in only with a wallet or Google: no usable password.
                password=hashed if i % 20 != 19 else make_password(None),
                wallet_address=f"0x{i + 1:064x}" if rng.random() < 0.35 else None,
                email_verified_at=created + timedelta(minutes=5) if rng.random() < 0.8 else None,
                role=role,
                created_at=created,
                updated_at=created,
            )
        )
    with _explicit_timestamps(_time_field(User, "created_at"), _time_field(User, "updated_at")):
        User.objects.bulk_create(users, batch_size=BATCH)
    return list(User.objects.order_by("id"))


def _bounties(rng: random.Random, count: int, users: list[User], now: datetime) -> list[Bounty]:
    # A fifth of the users post bounties, a few of them most.
    creators = rng.sample(users, max(1, len(users) // 5))
    creator_weights = [1 / (rank + 1) ** 0.7 for rank in range(len(creators))]
    bounties = []
    for _ in range(count):
        creator = rng.choices(creators, weights=creator_weights)[0]
        created = max(creator.created_at, now - timedelta(days=365 * rng.random() ** 1.5, seconds=rng.randrange(86400)))
        status = _weighted(rng, STATUSES)
        token = rng.choices(list(TOKENS), weights=[w for w, _, _ in TOKENS.values()])[0]
        _, low, high = TOKENS[token]
        if status == "open":
            deadline = None if rng.random() < 0.35 else now + timedelta(days=rng.uniform(1, 90))
        elif status == "expired":
            deadline = created + (now - created) * rng.uniform(0.2, 0.95)
        else:
            deadline = None if rng.random() < 0.5 else created + timedelta(days=rng.uniform(3, 60))
        title = f"{rng.choice(VERBS)} {rng.choice(SUBJECTS)}"
        bounties.append(
            Bounty(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                title=title,
                description=" ".join(rng.sample(SENTENCES, rng.randint(2, 5))),
                reward_amount=_amount(rng, low, high),
                reward_token=token,
                status=status,
                difficulty=_weighted(rng, DIFFICULTIES),
                category=_weighted(rng, CATEGORIES),
                created_by=creator,
                deadline=deadline,
                max_participants=None if rng.random() < 0.6 else rng.randint(3, 50),
                requirements=None if rng.random() < 0.5 else "A GitHub account and a Starknet wallet.",
                created_at=created,
                updated_at=created + (now - created) * rng.random() * 0.5,
            )
        )
    return bounties


def _participations(
    rng: random.Random, count: int, bounties: list[Bounty], users: list[User], now: datetime
) -> list[BountyParticipant]:
    """`count` distinct (bounty, user) pairs, never the creator, never over a bounty's cap; popular
    bounties get many. Sets each bounty's participant_count to its active participants."""
    weights = [1 / (rank + 1) ** 0.5 for rank in range(len(bounties))]
    order = bounties[:]
    rng.shuffle(order)
    taken: set[tuple[uuid.UUID, int]] = set()
    participants: list[BountyParticipant] = []
    attempts = 0
    while len(participants) < count:
        attempts += 1
        if attempts > count * 20:
            raise RuntimeError(f"only {len(participants)} of {count} participations fit these bounties and users")
        bounty = rng.choices(order, weights=weights)[0]
        user = users[rng.randrange(len(users))]
        key = (bounty.id, user.pk)
        if user.pk == bounty.created_by_id or key in taken:
            continue
        active = bounty.status != "open" or rng.random() < 0.9
        if active and bounty.max_participants is not None and bounty.participant_count >= bounty.max_participants:
            continue
        taken.add(key)
        latest = min(now, bounty.deadline) if bounty.deadline else now
        joined = bounty.created_at + (latest - bounty.created_at) * rng.random()
        participants.append(
            BountyParticipant(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                bounty=bounty,
                user=user,
                status="active" if active else "withdrawn",
                joined_at=joined,
                updated_at=joined if active else joined + (latest - joined) * rng.random(),
            )
        )
        if active:
            bounty.participant_count += 1
    return participants


def _submissions(
    rng: random.Random, participants: list[BountyParticipant], now: datetime
) -> tuple[list[Submission], dict[uuid.UUID, Submission]]:
    """Submissions of active participants (some on open bounties, most on those under review or done),
    and the winning one of each completed bounty, approved. Sets submission_count."""
    share = {"open": 0.08, "in_review": 0.6, "completed": 0.5, "cancelled": 0.1, "expired": 0.15}
    submissions: list[Submission] = []
    winners: dict[uuid.UUID, Submission] = {}
    for participant in participants:
        bounty = participant.bounty
        if participant.status != "active" or rng.random() >= share[bounty.status]:
            continue
        submitted = participant.joined_at + (now - participant.joined_at) * rng.random() * 0.5
        submission = Submission(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            bounty=bounty,
            user=participant.user,
            content=f"Done: https://github.com/example/pr/{rng.randrange(1, 99999)} with notes.",
            submitted_at=submitted,
        )
        if bounty.status == "completed" and bounty.id not in winners:
            submission.status = "approved"
            winners[bounty.id] = submission
        elif bounty.status in ("completed", "cancelled", "expired") or rng.random() < 0.3:
            submission.status = "rejected" if bounty.status != "in_review" or rng.random() < 0.5 else "approved"
            submission.feedback = "Thanks, but this does not cover the requirements."
        if submission.status != "pending":
            submission.reviewed_by = bounty.created_by
            submission.reviewed_at = submitted + (now - submitted) * rng.random()
        submissions.append(submission)
        bounty.submission_count += 1
    return submissions, winners


def _rewards(
    rng: random.Random, winners: dict[uuid.UUID, Submission], now: datetime
) -> tuple[list[Reward], list[PayoutTransfer]]:
    """One reward per completed bounty with a winner: paid (with its transfer) when the winner has a
    wallet, most of the time; else pending, or failed."""
    rewards, transfers = [], []
    for submission in winners.values():
        bounty, winner = submission.bounty, submission.user
        reviewed = submission.reviewed_at or now
        reward = Reward(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            bounty=bounty,
            user=winner,
            submission=submission,
            amount=bounty.reward_amount,
            token=bounty.reward_token,
            recipient_address=winner.wallet_address,
            created_at=reviewed,
            updated_at=reviewed,
        )
        roll = rng.random()
        if winner.wallet_address and roll < 0.8:
            reward.status, reward.transaction_hash = "paid", _hex(rng)
            reward.paid_at = reward.updated_at = reviewed + (now - reviewed) * rng.random()
            token = settings.STARKNET_TOKENS[bounty.reward_token]
            transfers.append(
                PayoutTransfer(
                    reward=reward,
                    transaction_hash=reward.transaction_hash,
                    event_index=rng.randrange(4),
                    token_address=f"0x{int(str(token['address']), 16):064x}",
                    from_address=_hex(rng),
                    to_address=winner.wallet_address,
                    amount_base_units=str(int(bounty.reward_amount.scaleb(int(token["decimals"])))),
                    block_number=rng.randrange(100_000, 2_000_000),
                    finality_status="ACCEPTED_ON_L2",
                    created_at=reward.paid_at,
                )
            )
        elif roll < 0.9:
            reward.status, reward.failure_reason = "failed", "The transfer was not found on chain."
        rewards.append(reward)
    return rewards, transfers


def _join_pairs(
    rng: random.Random, count: int, bounties: list[Bounty], users: list[User], taken: set[tuple[uuid.UUID, int]]
) -> list[tuple[Bounty, User]]:
    """Pairs a join will accept whatever the clock says: open, no deadline, no cap, not the creator,
    not joined yet."""
    if count == 0:
        return []
    joinable = [b for b in bounties if b.status == "open" and b.deadline is None and b.max_participants is None]
    if not joinable or count > len(joinable) * (len(users) - 1) // 2:
        raise RuntimeError(f"{count} join pairs do not fit {len(joinable)} joinable bounties and {len(users)} users")
    pairs: list[tuple[Bounty, User]] = []
    while len(pairs) < count:
        bounty, user = rng.choice(joinable), users[rng.randrange(len(users))]
        if user.pk != bounty.created_by_id and (bounty.id, user.pk) not in taken:
            taken.add((bounty.id, user.pk))
            pairs.append((bounty, user))
    return pairs


def dataset_seed(scale: Scale, *, seed: int = 13) -> Prepared:
    """Write the data set into the (empty, migrated) database; returns what the load runs need."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible data set, not a secret
    now = timezone.now()
    with transaction.atomic():
        users = _users(rng, scale.users, now)
        bounties = _bounties(rng, scale.bounties, users, now)
        participants = _participations(rng, scale.participations, bounties, users, now)
        submissions, winners = _submissions(rng, participants, now)
        # A completed bounty nobody won is one that ran out: expired.
        for bounty in bounties:
            if bounty.status == "completed" and bounty.id not in winners:
                bounty.status = "expired"
                if bounty.deadline is None or bounty.deadline > now:
                    bounty.deadline = bounty.created_at + (now - bounty.created_at) / 2
        rewards, transfers = _rewards(rng, winners, now)
        with _explicit_timestamps(
            _time_field(Bounty, "created_at"),
            _time_field(Bounty, "updated_at"),
            _time_field(BountyParticipant, "joined_at"),
            _time_field(BountyParticipant, "updated_at"),
            _time_field(Submission, "submitted_at"),
            _time_field(Reward, "created_at"),
            _time_field(Reward, "updated_at"),
            _time_field(PayoutTransfer, "created_at"),
        ):
            Bounty.objects.bulk_create(bounties, batch_size=BATCH)
            BountyParticipant.objects.bulk_create(participants, batch_size=BATCH)
            Submission.objects.bulk_create(submissions, batch_size=BATCH)
            Reward.objects.bulk_create(rewards, batch_size=BATCH)
            PayoutTransfer.objects.bulk_create(transfers, batch_size=BATCH)

        taken = {(p.bounty_id, p.user_id) for p in participants}
        pairs = _join_pairs(rng, scale.join_pairs, bounties, users, taken)
        with_password = [u for u in users if u.has_usable_password()]
        signed_in = rng.sample(with_password, min(scale.signed_in, len(with_password)))
        tokens = {user.pk: session_create(user=user).access for user in {*signed_in, *(u for _, u in pairs)}}

    def matches_filters(b: Bounty) -> bool:
        text = f"{b.title} {b.description}".lower()
        return b.status == "open" and b.category == FILTERED_CATEGORY and SEARCH in text

    popular = sorted(bounties, key=lambda b: -b.participant_count)[:100]
    return Prepared(
        counts={
            "users": len(users),
            "bounties": len(bounties),
            "participations": len(participants),
            "submissions": len(submissions),
            "rewards": len(rewards),
        },
        password=PASSWORD,
        detail_ids=[str(b.id) for b in popular],
        create_tokens=[tokens[u.pk] for u in signed_in],
        login_emails=[str(u.email) for u in signed_in],
        join=[[str(b.id), tokens[u.pk]] for b, u in pairs],
        filtered_query=FILTERED_QUERY,
        filtered_total=sum(1 for b in bounties if matches_filters(b)),
    )
