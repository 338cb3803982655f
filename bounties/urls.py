"""Routes of bounties and rewards, without trailing slashes (blocra.middleware accepts one)."""

from django.urls import path

from bounties import apis

urlpatterns = [
    path("bounties", apis.BountyListCreateApi.as_view(), name="bounty-list"),
    # Fixed words before <uuid:pk>, so /bounties/stats is never read as a bounty id.
    path("bounties/stats", apis.BountyStatsApi.as_view(), name="bounty-stats"),
    path("bounties/mine", apis.BountyMineApi.as_view(), name="bounty-mine"),
    path("bounties/<uuid:pk>", apis.BountyDetailApi.as_view(), name="bounty-detail"),
    path("bounties/<uuid:pk>/join", apis.BountyJoinApi.as_view(), name="bounty-join"),
    path("bounties/<uuid:pk>/leave", apis.BountyLeaveApi.as_view(), name="bounty-leave"),
    path("bounties/<uuid:pk>/participants", apis.BountyParticipantsApi.as_view(), name="bounty-participants"),
    path("bounties/<uuid:pk>/submit", apis.BountySubmitApi.as_view(), name="bounty-submit"),
    path("bounties/<uuid:pk>/submissions", apis.BountySubmissionsApi.as_view(), name="bounty-submissions"),
    path(
        "bounties/<uuid:pk>/submissions/<uuid:sid>/review",
        apis.SubmissionReviewApi.as_view(),
        name="bounty-submission-review",
    ),
    path("bounties/<uuid:pk>/winner", apis.BountyWinnerApi.as_view(), name="bounty-winner"),
    path("rewards", apis.RewardListApi.as_view(), name="reward-list"),
    path("rewards/<uuid:pk>", apis.RewardDetailApi.as_view(), name="reward-detail"),
    path("rewards/<uuid:pk>/payout", apis.RewardPayoutApi.as_view(), name="reward-payout"),
    path("rewards/<uuid:pk>/verify", apis.RewardVerifyApi.as_view(), name="reward-verify"),
    # GET /dashboards (DashboardCountsApi, the caller's counts) shares its path with contracts' POST: it is
    # routed in blocra/urls.py. The chain statistics, /dashboards/stats, are contracts'.
    path("dashboards/analytics", apis.DashboardAnalyticsApi.as_view(), name="dashboard-analytics"),
]
