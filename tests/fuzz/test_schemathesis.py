"""Schemathesis fuzzes every operation of the OpenAPI schema a live gunicorn serves, over real HTTP,
as an anonymous caller, a signed-in user and an admin.

The server runs deploy/gunicorn.conf.py in production settings on the test's database, seeded with
objects to act on (bounties the user owns and joined, a pending submission, a reward, contract
queries, a dashboard with a widget), the Starknet-backed operations answered by the suite's local
node (tests/starknet_node.py). Path parameters are drawn from the seeded ids as well as generated ones,
so operations reach their logic instead of a 404.

Every answer is checked: no 5xx, the status code documented for the operation, the body matching its
schema (the one error shape for 4xx), the content type documented, valid requests accepted and invalid
ones rejected, every error in the one error shape. The run is bounded (FUZZ_EXAMPLES per operation in
the examples and fuzzing phases; the coverage phase sends each boundary case the schema defines once)
and derandomized: the same cases on every run and machine. `make fuzz` runs it (not `make test`: it
takes minutes); `make fuzz FUZZ_EXAMPLES=200` runs it longer. The sign-in, wallet, feedback, analyze
and global rate limits stay on in the fuzzed server, raised far above what one run sends.
"""

from __future__ import annotations

import importlib.util
import os
import traceback
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis import engine
from schemathesis.engine import events

from accounts.models import User
from accounts.services.sessions import session_create
from bounties.models import Bounty
from tests.factories import (
    AdminFactory,
    BountyFactory,
    ContractQueryFactory,
    DashboardFactory,
    ParticipantFactory,
    RewardFactory,
    SavedQueryFactory,
    SubmissionFactory,
    UserFactory,
    WidgetFactory,
    wallet_for,
)
from tests.live_gunicorn import gunicorn, production_env
from tests.real_services import require_service

pytestmark = pytest.mark.django_db(transaction=True)  # the server reads what the test commits

# Cases per operation in each generating phase (coverage, fuzzing); the examples phase adds the
# schema's own examples. About 2,000 cases per persona at the default.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
# Every limit stays on (its code runs), raised far above what one run sends from one address.
RAISED_RATE_LIMIT = "1000000/m"
RATE_LIMITS = [
    "API_RATE_LIMIT",
    "FEEDBACK_RATE_LIMIT",
    "LOGIN_RATE_LIMIT_IP",
    "LOGIN_RATE_LIMIT_EMAIL",
    "LOGIN_RATE_LIMIT_ACCOUNT",
    "WALLET_SIGNIN_RATE_LIMIT",
    "WALLET_CHALLENGE_RATE_LIMIT",
    "ANALYZE_RATE_LIMIT",
    "EMAIL_CONFIRM_RESEND_RATE_LIMIT",
]

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "positive_data_acceptance",
    "negative_data_rejection",
    "unsupported_method",
    "error_shape",
]
# Checks left out for one operation, each with the reason. Nothing else is excluded.
_BOUNTY_WRITE = (
    "an amount may carry no more decimals than its token (the one sent or the bounty's) has, and a deadline "
    "must lie in the future: neither is a rule a JSON schema can state"
)
EXCLUDED: dict[tuple[str, str], dict[str, str]] = {
    ("POST", "/api/bounties"): {"positive_data_acceptance": _BOUNTY_WRITE},
    ("PUT", "/api/bounties/{id}"): {"positive_data_acceptance": _BOUNTY_WRITE},
    ("PATCH", "/api/bounties/{id}"): {"positive_data_acceptance": _BOUNTY_WRITE},
    ("GET", "/api/admin/activity"): {
        "positive_data_acceptance": "`until` must not be before `since`: a rule between two parameters",
    },
    ("PUT", "/api/auth/profile"): {
        "positive_data_acceptance": "profile_picture must be an https URL Django's URLValidator accepts",
    },
    ("PATCH", "/api/auth/profile"): {
        "positive_data_acceptance": "profile_picture must be an https URL Django's URLValidator accepts",
    },
    ("POST", "/api/auth/email/confirm"): {
        "positive_data_acceptance": "the token is signed by the server: no generated one is valid",
    },
    ("POST", "/api/auth/register"): {
        "positive_data_acceptance": "Django's password validators (too common, too similar to the email) "
        "cannot be written as a JSON schema",
    },
    ("POST", "/api/auth/wallet"): {
        "positive_data_acceptance": "the signature must be the wallet's over a nonce the server issued",
    },
    ("POST", "/api/auth/wallet/link"): {
        "positive_data_acceptance": "the signature must be the wallet's over a nonce the server issued",
    },
    ("POST", "/api/auth/google"): {
        "positive_data_acceptance": "the ID token must be signed by Google",
    },
    ("POST", "/api/auth/refresh"): {
        "positive_data_acceptance": "the refresh token must be one the server issued",
    },
}
ERROR_KEYS = {"success", "message", "code", "errors"}


@schemathesis.check
def error_shape(ctx, response, case) -> bool | None:
    """Every 4xx/5xx, documented or not, is JSON in the contract's one error shape."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), f"{response.status_code} answered {content_type!r}"
    body = response.json()
    assert isinstance(body, dict) and body.get("success") is False, f"not the error shape: {body!r}"
    assert isinstance(body.get("message"), str) and isinstance(body.get("code"), str), body
    assert "." in body["code"], f"code {body['code']!r} is not <app>.<snake_case>"
    return True


def server_env(tmp_path: Path, node_url: str) -> dict[str, str]:
    return production_env(
        tmp_path,
        share_redis=True,
        LOG_LEVEL="error",
        STARKNET_RPC_URLS=node_url,
        STARKNET_RPC_TIMEOUT="5",
        STARKNET_RPC_CONNECT_TIMEOUT="2",
        GOOGLE_CLIENT_ID="fuzz-client.apps.googleusercontent.com",
        **{name: RAISED_RATE_LIMIT for name in RATE_LIMITS},
    )


def seed(persona: User) -> dict[str, list[str]]:
    """Objects for `persona` to act on (and some of others'), by the path parameter naming them."""
    owner, hunter = UserFactory(), UserFactory(wallet_address=wallet_for(7))
    mine = BountyFactory(created_by=persona)
    mine_joined = BountyFactory(created_by=persona)
    ParticipantFactory(bounty=mine_joined, user=hunter)
    theirs = SubmissionFactory(bounty=mine_joined, user=hunter)
    joined = BountyFactory(created_by=owner, reward_token="ETH", reward_amount=Decimal("0.25"))
    ParticipantFactory(bounty=joined, user=persona)
    SubmissionFactory(bounty=joined, user=persona)
    won = BountyFactory(created_by=owner, status=Bounty.Status.COMPLETED)
    reward = RewardFactory(bounty=won, user=persona, recipient_address=wallet_for(9))
    query = ContractQueryFactory(user=persona)
    dashboard = DashboardFactory(user=persona)
    widget = WidgetFactory(dashboard=dashboard)
    saved = SavedQueryFactory(user=persona)
    bounties = [str(b.pk) for b in (mine, mine_joined, joined, won)]
    return {
        "/api/bounties/{id}": bounties,
        "/api/bounties/{id}/submissions/{sid}/review": [str(theirs.pk)],
        "/api/rewards/{id}": [str(reward.pk)],
        "/api/contracts/queries/{id}": [str(query.pk)],
        "/api/queries/{id}": [str(query.pk)],
        "/api/dashboard-builder/{id}": [str(dashboard.pk)],
        "/api/dashboard-builder/widgets/{id}": [str(widget.pk)],
        "/api/dashboard-builder/suggest/{query_id}": [str(saved.pk)],
        "/api/admin/users/{id}": [str(owner.pk), str(hunter.pk)],
    }


def seeded_values(path: str, name: str, pool: dict[str, list[str]]) -> list[str]:
    """The seeded ids fit for the parameter `name` of `path` (the nearest template naming it)."""
    if name == "sid":
        return pool["/api/bounties/{id}/submissions/{sid}/review"]
    for template, values in pool.items():
        if template.endswith("{" + name + "}") and path.startswith(template.rsplit("{", 1)[0]):
            return values
    return []


@pytest.fixture(params=["anonymous", "user", "admin"])
def persona(request) -> User | None:
    if request.param == "anonymous":
        return None
    return AdminFactory() if request.param == "admin" else UserFactory()


def fuzz_config(*, coverage: bool) -> schemathesis.Config:
    checks: dict[str, Any] = {"enabled": False, **{name: {"enabled": True} for name in CHECKS}}
    return schemathesis.Config.from_dict(
        {
            "seed": 20261202,
            "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large", "large_base_example"],
            "workers": 1,
            # Nothing learnt from an earlier run: every run sends the same cases.
            "cache": {"enabled": False},
            "checks": checks,
            "generation": {
                "max-examples": EXAMPLES,
                "deterministic": True,
                "database": "none",
                "no-shrink": True,
                # The API refuses NUL characters in every string (PostgreSQL cannot store them): a rule
                # of the contract no JSON schema keyword can state once for all strings.
                "allow-x00": False,
            },
            "phases": {"coverage": {"enabled": coverage}, "stateful": {"enabled": False}},
            "operations": [
                {
                    "include-method": method,
                    "include-path": path,
                    "checks": {name: {"enabled": False} for name in excluded},
                }
                for (method, path), excluded in EXCLUDED.items()
            ],
        }
    )


def failures_of(stream) -> tuple[list[str], int]:
    """Readable lines for every failed check of a finished engine run, and the number of cases sent."""
    lines: list[str] = []
    cases = 0
    seconds: dict[str, float] = {}
    for event in stream:
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            recorder = event.recorder
            seconds[recorder.label] = seconds.get(recorder.label, 0) + event.elapsed_time
            cases += len(recorder.cases)
            for checks in recorder.checks.values():
                for check in checks:
                    if check.failure_info is None:
                        continue
                    failure = check.failure_info.failure
                    lines.append(
                        f"{recorder.label}: {check.name}: {failure.title}: {failure.message}\n"
                        f"    {check.failure_info.code_sample}"
                    )
        elif isinstance(event, events.NonFatalError):
            lines.append(f"{event.label}: error: {''.join(traceback.format_exception(event.value))}")
        elif isinstance(event, events.FatalError):
            raise event.exception
    slowest = sorted(seconds.items(), key=lambda item: -item[1])[:8]
    print(
        f"{cases} cases on {len(seconds)} operations; slowest:",
        ", ".join(f"{label} {spent:.1f} s" for label, spent in slowest),
    )
    return lines, cases


# Whether each persona's run has the coverage phase, which sends every boundary case the schema defines
# (the bulk of the cases). An anonymous caller gets the examples and fuzzing phases only: most
# operations answer it 401 before reading anything.
COVERAGE = {"anonymous": False, "user": True, "admin": True}


@pytest.mark.parametrize("persona_name", list(COVERAGE))
def test_api_answers_every_generated_request_by_its_contract(persona_name, tmp_path, chain, starknet_node):
    require_service("gunicorn", importlib.util.find_spec("gunicorn") is not None, "pip install gunicorn")
    # given: a live server on a seeded database, the persona's own objects among the seeded ones
    persona = {"anonymous": None, "user": UserFactory, "admin": AdminFactory}[persona_name]
    persona = persona() if persona else None
    pool = seed(persona or UserFactory())
    with gunicorn(server_env(tmp_path, starknet_node.url), workers=2, log=tmp_path / "gunicorn.log") as port:
        schema = schemathesis.openapi.from_url(
            f"http://127.0.0.1:{port}/api/schema?format=json", config=fuzz_config(coverage=COVERAGE[persona_name])
        )
        prepare(schema, persona, pool)
        # when: every operation is fuzzed
        failures, cases = failures_of(engine.from_schema(schema).execute())

    # then: every answer kept the contract
    assert cases > 0
    assert not failures, f"{len(failures)} failed checks in {cases} cases:\n" + "\n".join(failures)


def prepare(schema: schemathesis.BaseSchema, persona: User | None, pool: dict[str, list[str]]) -> None:
    """Seeded ids among the generated ones, and the persona's fresh token on every case."""

    @schema.hook("flatmap_path_parameters")
    def seeded_ids(context, path_parameters: dict[str, Any]):
        """Half the cases name a seeded object instead of a generated id."""
        if not path_parameters:
            return st.just(path_parameters)
        seeded = {
            name: values for name in path_parameters if (values := seeded_values(context.operation.path, name, pool))
        }
        if not seeded:
            return st.just(path_parameters)
        fixed = {name: st.just(value) for name, value in path_parameters.items()}
        return st.one_of(
            st.just(path_parameters),
            st.fixed_dictionaries({**fixed, **{name: st.sampled_from(v) for name, v in seeded.items()}}),
        )

    if persona is None:
        return

    @schema.auth(refresh_interval=None)
    class FreshToken:
        """A fresh token for each case: a case may sign the persona out everywhere (logout, an email
        change), which must not turn the rest of the run into 401s."""

        def get(self, case, context) -> str:
            persona.refresh_from_db()
            return session_create(user=persona).access

        def set(self, case, data: str, context) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
