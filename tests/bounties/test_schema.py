"""The OpenAPI schema documents every bounties route, and the documented shapes are the ones served."""

import pytest
import yaml
from openapi_spec_validator import validate

from bounties.models import Bounty
from bounties.representations import (
    bounty_representation,
    bounty_row_representation,
    participant_representation,
    reward_representation,
    submission_representation,
)
from bounties.serializers import BountySerializer, ParticipantSerializer, RewardSerializer, SubmissionSerializer
from tests.factories import BountyFactory, ParticipantFactory, RewardFactory, SubmissionFactory, UserFactory, wallet_for

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


@pytest.mark.parametrize(
    ("serializer", "render", "factory"),
    [
        (BountySerializer, bounty_representation, BountyFactory),
        (ParticipantSerializer, participant_representation, ParticipantFactory),
        (SubmissionSerializer, submission_representation, SubmissionFactory),
        (RewardSerializer, reward_representation, RewardFactory),
    ],
)
def test_documented_fields_match_served_fields(serializer, render, factory):
    assert set(render(factory())) == set(serializer().fields)


@pytest.mark.parametrize("deadline_none", [False, True])
def test_list_rows_render_like_instances(deadline_none):
    creator = UserFactory(wallet_address=wallet_for(9))
    bounty = BountyFactory(created_by=creator, max_participants=3, requirements="Rust", reward_amount="0.25")
    if deadline_none:
        Bounty.objects.filter(pk=bounty.pk).update(deadline=None, requirements=None, max_participants=None)
    instance = Bounty.objects.for_listing().get(pk=bounty.pk)
    row = Bounty.objects.filter(pk=bounty.pk).as_rows().get()
    assert bounty_row_representation(row) == bounty_representation(instance)
