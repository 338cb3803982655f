"""A realistic demo data set for a new installation (`manage.py seed_demo`).

People, bounties and their lives go through the services that hold the rules (bounty_create,
participant_join, submission_create, submission_review, bounty_select_winner, ...), so the data and the
activity log look as if people had used the app. Only what needs the chain is written directly: paid
rewards (with made-up transaction hashes starting with DEMO_TX_PREFIX) and recorded contract queries.
"""

import random
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import activity_record
from adminpanel.demo_content import (
    APPROVALS,
    BOUNTIES,
    DEMO_DOMAIN,
    FEEDBACK,
    HUNTERS,
    MODERATOR,
    REJECTIONS,
    SPONSORS,
    SUBMISSIONS,
    BountyText,
    Person,
)
from adminpanel.models import Feedback
from adminpanel.services import feedback_create
from blocra.amounts import amount_to_base_units
from blocra.starknet import normalize_address
from bounties.models import Bounty, PayoutTransfer, Reward, Submission
from bounties.services import (
    bounty_cancel,
    bounty_create,
    bounty_select_winner,
    bounty_transition,
    bounty_update,
    participant_join,
    participant_leave,
    submission_create,
    submission_review,
)
from bounties.tokens import token_decimals
from contracts.services.dashboards import dashboard_create, widget_create
from contracts.services.queries import contract_query_record
from contracts.services.saved_queries import saved_query_create

# No real transaction hash starts with 40 zero digits: these mark the demo's payouts as made up.
DEMO_TX_PREFIX = "0x" + "0" * 40

Status = Bounty.Status
# How the 30 bounties are spread over the lifecycle; which bounty gets which status is the seed's choice.
STATUS_PLAN = (
    [Status.OPEN] * 14 + [Status.IN_REVIEW] * 6 + [Status.COMPLETED] * 6 + [Status.CANCELLED] * 3 + [Status.EXPIRED]
)
# Completed bounties whose reward is shown as paid; the others' rewards wait for a payout.
PAID_REWARDS = 3


@dataclass
class DemoCounts:
    users: int = 0
    bounties: int = 0
    participants: int = 0
    submissions: int = 0
    rewards: int = 0
    contract_queries: int = 0
    saved_queries: int = 0
    dashboards: int = 0
    widgets: int = 0
    feedback: int = 0

    def lines(self) -> list[str]:
        return [f"{field.name.replace('_', ' ')}: {getattr(self, field.name)}" for field in fields(self)]


def demo_email(person: Person) -> str:
    return f"{person.local_part}@{DEMO_DOMAIN}"


def demo_seeded() -> bool:
    """Whether demo data is present: any account under the demo domain."""
    return User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exists()


def demo_seed(*, seed: int, password_hash: str) -> DemoCounts | None:
    """Create the demo data set in one transaction, every choice drawn from `random.Random(seed)`;
    every demo account gets `password_hash` (one usable or unusable hash). Returns None, writing
    nothing, when demo data is already present."""
    rng = random.Random(seed)  # noqa: S311  (made-up data, reproducible by design; the password uses secrets)
    with transaction.atomic():
        if demo_seeded():
            return None
        seeder = _Seeder(rng=rng, password_hash=password_hash)
        seeder.people()
        seeder.bounties()
        seeder.analytics()
        seeder.feedback()
        return seeder.counts


class _Seeder:
    def __init__(self, *, rng: random.Random, password_hash: str) -> None:
        self.rng = rng
        self.password_hash = password_hash
        self.now = timezone.now()
        self.counts = DemoCounts()
        self.moderator: User
        self.sponsors: list[User] = []
        self.hunters: list[User] = []
        self.paid = 0

    # --- people ---------------------------------------------------------------------------------------

    def _user(self, person: Person, *, role: str, wallet: bool) -> User:
        user = User.objects.create(
            email=demo_email(person),
            username=person.username,
            password=self.password_hash,
            role=role,
            wallet_address=f"0x{self.rng.getrandbits(250):064x}" if wallet else None,
            email_verified_at=self.now,
        )
        User.objects.filter(pk=user.pk).update(created_at=self.now - timedelta(days=self.rng.randint(45, 120)))
        self.counts.users += 1
        return user

    def people(self) -> None:
        self.moderator = self._user(MODERATOR, role=User.Role.MODERATOR, wallet=False)
        self.sponsors = [self._user(person, role=User.Role.USER, wallet=True) for person in SPONSORS]
        # Every third hunter has not linked a wallet yet, as on a real installation.
        self.hunters = [
            self._user(person, role=User.Role.USER, wallet=index % 3 != 2) for index, person in enumerate(HUNTERS)
        ]

    # --- bounties -------------------------------------------------------------------------------------

    def bounties(self) -> None:
        plan = list(STATUS_PLAN)
        self.rng.shuffle(plan)
        for text, status in zip(BOUNTIES, plan, strict=True):
            self._bounty(text, status)

    def _bounty(self, text: BountyText, status: str) -> None:
        rng = self.rng
        creator = rng.choice(self.sponsors)
        created_at = self.now - timedelta(days=rng.randint(2, 40), hours=rng.randint(0, 23))
        deadline: datetime | None
        if status == Status.EXPIRED:
            deadline = self.now - timedelta(days=rng.randint(1, 5))
            created_at = deadline - timedelta(days=14)
        elif rng.random() < 0.2:
            deadline = None
        else:
            deadline = self.now + timedelta(days=rng.randint(5, 60))
        joiners = self._joiners(status)
        max_participants = rng.choice([None, None, len(joiners) + rng.randint(0, 4)]) or None
        bounty = bounty_create(
            creator=creator,
            title=text.title,
            description=text.description,
            reward_amount=text.amount,
            reward_token=text.token,
            difficulty=text.difficulty,
            category=text.category,
            deadline=deadline,
            max_participants=max_participants,
            requirements=text.requirements,
        )
        Bounty.objects.filter(pk=bounty.pk).update(created_at=created_at, updated_at=created_at)
        self.counts.bounties += 1
        for hunter in joiners:
            participant_join(bounty_id=bounty.pk, user=hunter)
            self.counts.participants += 1
        if status == Status.OPEN:
            self._open(bounty, joiners)
        elif status == Status.IN_REVIEW:
            self._in_review(bounty, creator, joiners)
        elif status == Status.COMPLETED:
            self._completed(bounty, creator, joiners)
        elif status == Status.CANCELLED:
            if joiners:
                self._submit(bounty, joiners[0])
            bounty_cancel(bounty_id=bounty.pk, actor=creator)
        else:
            bounty_transition(bounty=bounty, to_status=Status.EXPIRED, actor=None, by_system=True)

    def _joiners(self, status: str) -> list[User]:
        rng = self.rng
        if status == Status.EXPIRED:
            return []
        if status == Status.COMPLETED:
            # At least one hunter with a wallet, so that the reward has a recipient and can be paid.
            with_wallet = [hunter for hunter in self.hunters if hunter.wallet_address]
            first = rng.choice(with_wallet)
            others = rng.sample([hunter for hunter in self.hunters if hunter != first], rng.randint(1, 3))
            return [first, *others]
        spans: dict[str, tuple[int, int]] = {Status.OPEN: (0, 5), Status.IN_REVIEW: (2, 5), Status.CANCELLED: (0, 3)}
        low, high = spans[status]
        return rng.sample(self.hunters, rng.randint(low, high))

    def _submit(self, bounty: Bounty, hunter: User) -> Submission:
        submission = submission_create(bounty_id=bounty.pk, user=hunter, content=self.rng.choice(SUBMISSIONS))
        self.counts.submissions += 1
        return submission

    def _open(self, bounty: Bounty, joiners: list[User]) -> None:
        idle = []
        for hunter in joiners:
            if self.rng.random() < 0.5:
                self._submit(bounty, hunter)
            else:
                idle.append(hunter)
        if len(idle) >= 2 and self.rng.random() < 0.5:
            participant_leave(bounty_id=bounty.pk, user=idle[0])

    def _in_review(self, bounty: Bounty, owner: User, joiners: list[User]) -> None:
        submissions = [self._submit(bounty, hunter) for hunter in joiners]
        # The first is approved, the second rejected, the rest wait for their review.
        outcomes = [(Submission.Status.APPROVED, APPROVALS), (Submission.Status.REJECTED, REJECTIONS)]
        for submission, (outcome, texts) in zip(submissions, outcomes, strict=False):
            submission_review(
                bounty_id=bounty.pk,
                submission_id=submission.pk,
                actor=owner,
                status=outcome,
                feedback=self.rng.choice(texts),
            )
        bounty_update(bounty_id=bounty.pk, actor=owner, data={"status": Status.IN_REVIEW})

    def _completed(self, bounty: Bounty, owner: User, joiners: list[User]) -> None:
        winner, *others = joiners
        submissions = {hunter.pk: self._submit(bounty, hunter) for hunter in joiners}
        if others:
            submission_review(
                bounty_id=bounty.pk,
                submission_id=submissions[others[0].pk].pk,
                actor=owner,
                status=Submission.Status.REJECTED,
                feedback=self.rng.choice(REJECTIONS),
            )
        _bounty, reward = bounty_select_winner(bounty_id=bounty.pk, actor=owner, winner_id=winner.pk)
        self.counts.rewards += 1
        if self.paid < PAID_REWARDS:
            self._pay(reward, owner)
            self.paid += 1

    def _pay(self, reward: Reward, sponsor: User) -> None:
        """Mark the reward paid by a made-up transfer: what reward_payout_submit records once the chain
        proves a payout, without a chain."""
        tx_hash = f"{DEMO_TX_PREFIX}{self.rng.getrandbits(96):024x}"
        token = settings.STARKNET_TOKENS[reward.token]["address"]
        PayoutTransfer.objects.create(
            reward=reward,
            transaction_hash=tx_hash,
            event_index=self.rng.randint(0, 3),
            token_address=normalize_address(token),
            from_address=sponsor.wallet_address or "",
            to_address=reward.recipient_address or "",
            amount_base_units=str(amount_to_base_units(reward.amount, token_decimals(reward.token))),
            block_number=self.rng.randint(900_000, 1_100_000),
            finality_status="ACCEPTED_ON_L2",
        )
        Reward.objects.filter(pk=reward.pk).update(
            status=Reward.Status.PAID, transaction_hash=tx_hash, paid_at=self.now, updated_at=self.now
        )
        activity_record(
            action="reward.paid",
            actor=sponsor,
            target_type="reward",
            target_id=reward.pk,
            metadata={"bounty_id": str(reward.bounty_id), "transaction_hash": tx_hash, "demo": True},
        )

    # --- contract queries, saved queries, a dashboard -------------------------------------------------

    def analytics(self) -> None:
        strk = normalize_address(settings.STARKNET_TOKENS["STRK"]["address"])
        eth = normalize_address(settings.STARKNET_TOKENS["ETH"]["address"])
        usdc = normalize_address(settings.STARKNET_TOKENS["USDC"]["address"])
        analyst, auditor = self.hunters[11], self.hunters[3]
        holder = self.hunters[0].wallet_address or strk
        supply = str(self.rng.randint(10**27, 10**28))
        queries = [
            (
                analyst,
                strk,
                "erc20_info",
                {},
                {"name": "Starknet Token", "symbol": "STRK", "decimals": 18, "total_supply": supply},
                None,
            ),
            (
                analyst,
                strk,
                "balance_of",
                {"account": holder},
                {"account": holder, "balance": str(1250 * 10**18)},
                None,
            ),
            (analyst, eth, "block_number", {}, {"block_number": self.rng.randint(900_000, 1_100_000)}, None),
            (auditor, usdc, "class_hash", {}, {"class_hash": hex(self.rng.getrandbits(250))}, None),
            (auditor, eth, "nonce", {}, {"nonce": "0x0"}, None),
            (auditor, normalize_address("0x" + "0" * 60 + "dead"), "class_hash", {}, None, "Contract not found"),
        ]
        for user, address, query_type, parameters, result, error in queries:
            contract_query_record(
                user=user,
                contract_address=address,
                query_type=query_type,
                parameters=parameters,
                result=result,
                error=error,
                duration_ms=self.rng.randint(80, 900),
            )
            self.counts.contract_queries += 1
        start = (self.now - timedelta(days=30)).date()
        saved = [
            saved_query_create(
                user=analyst,
                contracts=contracts,
                name=name,
                from_date=start,
                to_date=self.now.date(),
                events=["Transfer", "Approval"],
                stats={"transactions": self.rng.randint(500, 5000), "uniqueAddresses": self.rng.randint(50, 900)},
            )
            for name, contracts in (
                ("STRK transfers, last 30 days", [strk]),
                ("ETH and USDC flows", [eth, usdc]),
                ("Stablecoin activity", [usdc]),
            )
        ]
        self.counts.saved_queries += len(saved)
        dashboard = dashboard_create(
            user=analyst, name="Token flows on Starknet", description="Transfers and holders of the main tokens."
        )
        self.counts.dashboards += 1
        layout = (("Daily STRK transfers", "line", 0, 0, 8, 4), ("ETH vs USDC", "bar", 8, 0, 4, 4))
        for query, (title, visualization, x, y, width, height) in zip(saved, layout, strict=False):
            widget_create(
                user=analyst,
                dashboard_id=dashboard.pk,
                query_id=query.pk,
                title=title,
                visualization_type=visualization,
                position_x=x,
                position_y=y,
                width=width,
                height=height,
            )
            self.counts.widgets += 1
        widget_create(
            user=analyst,
            dashboard_id=dashboard.pk,
            query_id=saved[2].pk,
            title="Stablecoin transactions",
            visualization_type="number",
            position_y=4,
        )
        self.counts.widgets += 1

    # --- feedback -------------------------------------------------------------------------------------

    def feedback(self) -> None:
        for name, text, status in FEEDBACK:
            person = next(
                (user for user in self.hunters if user.username and user.username.startswith(name.lower())), None
            )
            item = feedback_create(name=name, feedback=text, user=person, user_email=person.email if person else None)
            if status != Feedback.Status.NEW:
                Feedback.objects.filter(pk=item.pk).update(status=status)
            self.counts.feedback += 1
