"""The OpenAPI schema documents every bounties route; a list row renders like the instance it stands for."""

import pytest
import yaml
from openapi_spec_validator import validate

from bounties.models import Bounty
from bounties.representations import BOUNTY
from tests.factories import BountyFactory, UserFactory, wallet_for

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/bounties": {"get", "post"},
    "/api/bounties/stats": {"get"},
    "/api/bounties/mine": {"get"},
    "/api/bounties/{id}": {"get", "put", "patch", "delete"},
    "/api/bounties/{id}/join": {"post"},
    "/api/bounties/{id}/leave": {"post"},
    "/api/bounties/{id}/participants": {"get"},
    "/api/bounties/{id}/submit": {"post"},
    "/api/bounties/{id}/submissions": {"get"},
    "/api/bounties/{id}/submissions/{sid}/review": {"post"},
    "/api/bounties/{id}/winner": {"post"},
    "/api/rewards": {"get"},
    "/api/rewards/{id}": {"get"},
    "/api/rewards/{id}/payout": {"post"},
    "/api/rewards/{id}/verify": {"post"},
}


def test_schema_documents_bounty_routes(client):
    response = client.get("/api/schema")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate(schema)
    paths = {path.replace("{pk}", "{id}"): ops for path, ops in schema["paths"].items()}
    for path, methods in PATHS.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
    listing = paths["/api/bounties"]["get"]
    names = {parameter["name"] for parameter in listing["parameters"]}
    assert {
        "status",
        "category",
        "difficulty",
        "reward_token",
        "created_by",
        "search",
        "ordering",
        "page",
        "page_size",
    } <= names


@pytest.mark.parametrize("deadline_none", [False, True])
def test_list_rows_render_like_instances(deadline_none):
    creator = UserFactory(wallet_address=wallet_for(9))
    bounty = BountyFactory(created_by=creator, max_participants=3, requirements="Rust", reward_amount="0.25")
    if deadline_none:
        Bounty.objects.filter(pk=bounty.pk).update(deadline=None, requirements=None, max_participants=None)
    instance = Bounty.objects.for_listing().get(pk=bounty.pk)
    row = Bounty.objects.filter(pk=bounty.pk).as_rows().get()
    assert BOUNTY.from_row(row) == BOUNTY.from_instance(instance)
