"""HTTP API of bounties and rewards: validate, call one service or selector, render."""

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import authenticated_user
from blocra.pagination import PAGE_PARAMETERS, HeaderPagination
from bounties import selectors, services
from bounties.caching import bounty_detail_response, bounty_list_response
from bounties.filters import bounty_list_filters_parse
from bounties.parsers import DecimalJSONParser
from bounties.representations import BOUNTY, PARTICIPANT, REWARD, SUBMISSION
from bounties.serializers import (
    BountyCreateSerializer,
    BountyListQuerySerializer,
    BountySerializer,
    BountyUpdateSerializer,
    MessageResponseSerializer,
    MineQuerySerializer,
    ParticipantSerializer,
    RewardListQuerySerializer,
    RewardPayoutSerializer,
    RewardSerializer,
    StatsResponseSerializer,
    SubmissionCreateSerializer,
    SubmissionReviewSerializer,
    SubmissionSerializer,
    WinnerResponseSerializer,
    WinnerSerializer,
)

BOUNTIES = ["bounties"]
REWARDS = ["rewards"]


def _error(description: str) -> OpenApiResponse:
    """An error answer of the one error shape (blocra.schema gives it the `Error` schema)."""
    return OpenApiResponse(description=description)


NOT_OWNER = _error("Not the bounty's owner or an admin (`bounties.not_owner`).")
BOUNTY_UPDATE_CONFLICT = _error(
    "The change conflicts with the bounty's state: a status move not allowed (`bounties.invalid_transition`), "
    "reward, token or deadline once someone joined (`bounties.immutable_after_join`), fewer places than "
    "participants (`bounties.max_below_participants`)."
)
NOT_PARTICIPANT = _error("You are not an active participant of this bounty (`bounties.not_participant`).")
PAYOUT_CONFLICT = _error(
    "Already paid, a payout under way, nothing to verify, the transfer already pays another reward, or a token "
    "that cannot be verified (`bounties.reward_already_paid`, `bounties.payout_in_progress`, "
    "`bounties.no_payout_to_verify`, `bounties.transfer_already_used`, `bounties.reward_token_unusable`)."
)
STARKNET_TROUBLE = {
    502: _error("The Starknet node answered wrongly."),
    503: _error("The Starknet node is unavailable or busy (`Retry-After` when known)."),
    504: _error("The Starknet node did not answer in time."),
}


def envelope(name: str, **fields: serializers.Field) -> serializers.Serializer:
    """The schema of a `{"success": true, ...}` answer."""
    return inline_serializer(name, {"success": serializers.BooleanField(), **fields})


def paginated(request: Request, view: APIView, queryset: QuerySet, render: Callable[[Any], dict]) -> Response:
    """One page of `queryset` as a bare array, with X-Total-Count and Link headers."""
    paginator = HeaderPagination()
    page: Iterable = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response([render(item) for item in page])


def renders_json(request: Request) -> bool:
    """Whether the answer is JSON (the cached one is), not DEBUG's browsable API."""
    return getattr(request, "accepted_renderer", None) is None or request.accepted_renderer.format == "json"


CACHED_DESCRIPTION = (
    "Served from a cache that every change of a bounty or of its creator's name or wallet invalidates. "
    "The answer carries a strong `ETag` and `Cache-Control: private, no-cache`; a request whose "
    "`If-None-Match` names that ETag is answered 304 without a body."
)
CACHED_READ = {
    304: OpenApiResponse(description="Not modified: If-None-Match names the answer's ETag (no body)."),
}


def query_params(serializer_class, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class BountyListCreateApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = [DecimalJSONParser]

    @extend_schema(
        parameters=[BountyListQuerySerializer, *PAGE_PARAMETERS],
        responses={200: BountySerializer(many=True), **CACHED_READ},
        tags=BOUNTIES,
        summary="List bounties (filters, search, ordering, pagination)",
        description=CACHED_DESCRIPTION,
    )
    def get(self, request: Request) -> HttpResponse:
        if renders_json(request):
            return bounty_list_response(request, self)
        filters = bounty_list_filters_parse(request.query_params)
        return paginated(request, self, selectors.bounty_list(filters=filters), BOUNTY.from_row)

    @extend_schema(
        request=BountyCreateSerializer, responses={201: BountySerializer}, tags=BOUNTIES, summary="Create a bounty"
    )
    def post(self, request: Request) -> Response:
        serializer = BountyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        bounty = services.bounty_create(creator=authenticated_user(request), **serializer.validated_data)
        return Response(BOUNTY.from_instance(bounty), status=201)


class BountyDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = [DecimalJSONParser]

    @extend_schema(
        responses={200: BountySerializer, **CACHED_READ},
        tags=BOUNTIES,
        summary="Get a bounty",
        description=CACHED_DESCRIPTION,
    )
    def get(self, request: Request, pk) -> HttpResponse:
        if renders_json(request):
            return bounty_detail_response(request, pk)
        return Response(BOUNTY.from_instance(selectors.bounty_get(bounty_id=pk)))

    @extend_schema(
        request=BountyUpdateSerializer,
        responses={200: BountySerializer, 403: NOT_OWNER, 409: BOUNTY_UPDATE_CONFLICT},
        tags=BOUNTIES,
        summary="Replace fields of a bounty (owner or admin; fields not sent stay unchanged)",
    )
    def put(self, request: Request, pk) -> Response:
        return self._update(request, pk)

    @extend_schema(
        request=BountyUpdateSerializer,
        responses={200: BountySerializer, 403: NOT_OWNER, 409: BOUNTY_UPDATE_CONFLICT},
        tags=BOUNTIES,
        summary="Change fields or the status of a bounty (owner or admin)",
    )
    def patch(self, request: Request, pk) -> Response:
        return self._update(request, pk)

    def _update(self, request: Request, pk) -> Response:
        serializer = BountyUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        bounty = services.bounty_update(bounty_id=pk, actor=authenticated_user(request), data=serializer.validated_data)
        return Response(BOUNTY.from_instance(bounty))

    @extend_schema(
        responses={
            200: MessageResponseSerializer,
            403: NOT_OWNER,
            409: _error("An approved submission or a reward exists: cancel it instead (`bounties.delete_blocked`)."),
        },
        tags=BOUNTIES,
        summary="Delete a bounty",
    )
    def delete(self, request: Request, pk) -> Response:
        services.bounty_delete(bounty_id=pk, actor=authenticated_user(request))
        return Response({"success": True, "message": "Bounty deleted"})


class BountyStatsApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: StatsResponseSerializer}, tags=BOUNTIES, summary="Platform statistics")
    def get(self, request: Request) -> Response:
        return Response({"success": True, "data": selectors.bounty_stats()})


class BountyMineApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[MineQuerySerializer, *PAGE_PARAMETERS],
        responses={200: BountySerializer(many=True)},
        tags=BOUNTIES,
        summary="Bounties I created or take part in (both without `role`)",
    )
    def get(self, request: Request) -> Response:
        role = query_params(MineQuerySerializer, request).get("role")
        return paginated(
            request,
            self,
            selectors.bounty_list_mine(user=authenticated_user(request), role=role),
            BOUNTY.from_row,
        )


class BountyJoinApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            201: ParticipantSerializer,
            403: _error("The creator cannot join their own bounty (`bounties.creator_cannot_join`)."),
            409: _error(
                "Not open, past its deadline, full, or already joined (`bounties.not_open`, "
                "`bounties.deadline_passed`, `bounties.full`, `bounties.already_joined`)."
            ),
        },
        tags=BOUNTIES,
        summary="Join a bounty",
    )
    def post(self, request: Request, pk) -> Response:
        participant = services.participant_join(bounty_id=pk, user=authenticated_user(request))
        return Response(PARTICIPANT.from_instance(participant), status=201)


class BountyLeaveApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            200: ParticipantSerializer,
            403: NOT_PARTICIPANT,
            409: _error("You have an approved submission (`bounties.has_approved_submission`)."),
        },
        tags=BOUNTIES,
        summary="Leave a bounty",
    )
    def post(self, request: Request, pk) -> Response:
        participant = services.participant_leave(bounty_id=pk, user=authenticated_user(request))
        return Response(PARTICIPANT.from_instance(participant))


class BountyParticipantsApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses={200: ParticipantSerializer(many=True)},
        tags=BOUNTIES,
        summary="A bounty's participants",
    )
    def get(self, request: Request, pk) -> Response:
        return paginated(request, self, selectors.participant_list(bounty_id=pk), PARTICIPANT.from_instance)


class BountySubmitApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=SubmissionCreateSerializer,
        responses={
            201: SubmissionSerializer,
            403: NOT_PARTICIPANT,
            409: _error(
                "The bounty is not open or past its deadline (`bounties.not_open`, `bounties.deadline_passed`)."
            ),
        },
        tags=BOUNTIES,
        summary="Submit work",
    )
    def post(self, request: Request, pk) -> Response:
        serializer = SubmissionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        submission = services.submission_create(
            bounty_id=pk, user=authenticated_user(request), content=serializer.validated_data["content"]
        )
        return Response(SUBMISSION.from_instance(submission), status=201)


class BountySubmissionsApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses={
            200: SubmissionSerializer(many=True),
            403: _error("Neither the owner, an admin nor a participant (`bounties.submissions_forbidden`)."),
        },
        tags=BOUNTIES,
        summary="Submissions: all for the owner and admins, one's own for a participant",
    )
    def get(self, request: Request, pk) -> Response:
        submissions = selectors.submission_list_visible(bounty_id=pk, user=authenticated_user(request))
        return paginated(request, self, submissions, SUBMISSION.from_instance)


class SubmissionReviewApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=SubmissionReviewSerializer,
        responses={
            200: SubmissionSerializer,
            403: NOT_OWNER,
            409: _error("The submission was already reviewed (`bounties.submission_not_pending`)."),
        },
        tags=BOUNTIES,
        summary="Approve or reject a pending submission (owner or admin)",
    )
    def post(self, request: Request, pk, sid) -> Response:
        serializer = SubmissionReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        submission = services.submission_review(
            bounty_id=pk, submission_id=sid, actor=authenticated_user(request), **serializer.validated_data
        )
        return Response(SUBMISSION.from_instance(submission))


class BountyWinnerApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=WinnerSerializer,
        responses={
            200: WinnerResponseSerializer,
            403: NOT_OWNER,
            409: _error(
                "The winner has no submission, another winner was chosen, the bounty cannot be completed, or the "
                "winner has no payout wallet (`bounties.winner_without_submission`, `bounties.winner_already_chosen`, "
                "`bounties.invalid_transition`, `bounties.reward_without_recipient`)."
            ),
        },
        tags=BOUNTIES,
        summary="Choose the winner: creates the bounty's one reward and completes it",
    )
    def post(self, request: Request, pk) -> Response:
        serializer = WinnerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        bounty, reward = services.bounty_select_winner(
            bounty_id=pk,
            actor=authenticated_user(request),
            winner_id=serializer.validated_data.get("winnerId"),
            submission_id=serializer.validated_data.get("submission_id"),
        )
        data = {"bounty": BOUNTY.from_instance(bounty), "reward": REWARD.from_instance(reward)}
        return Response({"success": True, "data": data})


class RewardListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[RewardListQuerySerializer, *PAGE_PARAMETERS],
        responses={200: RewardSerializer(many=True)},
        tags=REWARDS,
        summary="Rewards I won (`winner`), owe as a creator (`creator`), or both",
    )
    def get(self, request: Request) -> Response:
        role = query_params(RewardListQuerySerializer, request).get("role")
        return paginated(
            request, self, selectors.reward_list_for(user=authenticated_user(request), role=role), REWARD.from_instance
        )


class RewardDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: RewardSerializer},
        tags=REWARDS,
        summary="A reward (winner, bounty owner or admin)",
    )
    def get(self, request: Request, pk) -> Response:
        return Response(
            REWARD.from_instance(selectors.reward_get_visible(reward_id=pk, user=authenticated_user(request)))
        )


class RewardPayoutApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=RewardPayoutSerializer,
        responses={200: RewardSerializer, 403: NOT_OWNER, 409: PAYOUT_CONFLICT, **STARKNET_TROUBLE},
        tags=REWARDS,
        summary="Record the payout transaction and verify it on Starknet (bounty owner or admin)",
        description=(
            "Paid when the transaction succeeded, is accepted on L2 or L1 and carries an ERC-20 Transfer from "
            "the reward token's contract to `recipient_address` for exactly the amount; `processing` while it "
            "is only pre-confirmed. A transfer that does not match is refused with 400 naming what did not "
            "match (the reward is unchanged); a transfer already paying another reward is 409."
        ),
    )
    def post(self, request: Request, pk) -> Response:
        serializer = RewardPayoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reward = services.reward_payout_submit(
            reward_id=pk,
            actor=authenticated_user(request),
            transaction_hash=serializer.validated_data["transaction_hash"],
        )
        return Response(REWARD.from_instance(reward))


class RewardVerifyApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            200: RewardSerializer,
            403: NOT_OWNER,
            409: PAYOUT_CONFLICT,
            **STARKNET_TROUBLE,
        },
        tags=REWARDS,
        summary="Check a reward's payout transaction again (bounty owner or admin; safe to retry)",
        description=(
            "A `processing` reward becomes `paid` once its transaction is accepted; a paid reward is returned "
            "unchanged. A recorded transaction that turns out not to pay the reward is refused as by the payout "
            "endpoint (400, or 409 when its transfer pays another reward) and the reward becomes `failed`, so "
            "that another transaction can be submitted."
        ),
    )
    def post(self, request: Request, pk) -> Response:
        reward = services.reward_payout_verify(reward_id=pk, actor=authenticated_user(request))
        return Response(REWARD.from_instance(reward))


# --- Dashboards (counts) ------------------------------------------------------------------------------
class DashboardCountsApi(APIView):
    @extend_schema(
        tags=["dashboards"],
        responses={
            200: envelope(
                "DashboardCounts", bounties=serializers.IntegerField(), submissions=serializers.IntegerField()
            ),
            401: OpenApiResponse(description="Not authenticated."),
        },
    )
    def get(self, request):
        return Response({"success": True, **selectors.user_activity_counts(user=authenticated_user(request))})


class DashboardAnalyticsApi(APIView):
    """Public and cached: no credentials are read, so a stale or junk token never fails it."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["dashboards"],
        auth=[],
        responses={
            200: envelope(
                "BountyAnalytics",
                total_bounties=serializers.IntegerField(),
                active_bounties=serializers.IntegerField(),
            )
        },
    )
    def get(self, request):
        return Response({"success": True, **selectors.bounty_analytics()})
