"""Django admin for operators: bounties, participants, submissions, rewards and payout transfers.

Writes that carry rules (status changes, reviews, payout checks) go through the same services as the
API, as moderation actions, and so reach the activity log with the operator as actor; the change forms
only edit free text. Admins moderate; moderators (also staff) may look. Every changelist joins what it
shows (`list_select_related`), so its query count does not grow with the page.
"""

from collections import Counter

from django.contrib import admin, messages
from django.http import HttpRequest

from accounts.authentication import authenticated_user
from blocra import starknet
from blocra.admin_actions import run_each
from blocra.admin_search import FeltSearchMixin
from blocra.errors import ApiError
from bounties.models import Bounty, BountyParticipant, PayoutTransfer, Reward, Submission
from bounties.services import bounty_cancel, bounty_update, reward_payout_verify, submission_review


class RoleBasedAdmin(admin.ModelAdmin):
    """Permissions from the user's role rather than Django's per-model permission table."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_staff

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return authenticated_user(request).is_admin

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Created through the API, where creation rules and the activity log apply.
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Deleting bypasses the rules of bounty_delete; cancel (bounties) or reject (submissions) instead.
        return False

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return authenticated_user(request).is_admin

    def _run_each(self, request: HttpRequest, queryset, action, done: str) -> None:
        """Apply a service to each selected row; rows the rules refuse are reported, not fatal."""
        run_each(self, request, queryset, action, done)


@admin.register(Bounty)
class BountyAdmin(FeltSearchMixin, RoleBasedAdmin):
    list_display = (
        "title",
        "status",
        "reward_amount",
        "reward_token",
        "difficulty",
        "category",
        "created_by",
        "participant_count",
        "submission_count",
        "deadline",
        "created_at",
    )
    list_filter = ("status", "difficulty", "reward_token", "created_at")
    search_fields = (
        "title",
        "description",
        "category",
        "reward_token",
        "created_by__email",
        "created_by__username",
        "created_by__wallet_address",
    )
    felt_search_fields = ("reward_token", "created_by__wallet_address")
    list_select_related = ("created_by",)
    readonly_fields = (
        "id",
        "status",
        "reward_amount",
        "reward_token",
        "created_by",
        "deadline",
        "max_participants",
        "participant_count",
        "submission_count",
        "created_at",
        "updated_at",
    )
    fields = ("id", "title", "description", "requirements", "category", "difficulty", *readonly_fields[1:])
    ordering = ("-created_at",)
    date_hierarchy = "created_at"
    actions = ("cancel_bounties",)
    show_full_result_count = False

    def save_model(self, request: HttpRequest, obj: Bounty, form, change: bool) -> None:
        # The form's free-text edits go through bounty_update, as the API's do: its rules, and its
        # activity row (marked as moderation when the operator is not the owner).
        bounty_update(
            bounty_id=obj.pk,
            actor=authenticated_user(request),
            data={field: form.cleaned_data[field] for field in form.changed_data},
        )

    @admin.action(description="Cancel selected bounties", permissions=["moderate"])
    def cancel_bounties(self, request: HttpRequest, queryset) -> None:
        self._run_each(
            request,
            queryset,
            lambda bounty: bounty_cancel(bounty_id=bounty.pk, actor=authenticated_user(request)),
            "bounties cancelled",
        )


@admin.register(BountyParticipant)
class ParticipantAdmin(RoleBasedAdmin):
    list_display = ("id", "bounty", "user", "status", "joined_at")
    list_filter = ("status", "joined_at")
    search_fields = ("bounty__title", "user__email", "user__username")
    list_select_related = ("bounty", "user")
    readonly_fields = ("id", "bounty", "user", "status", "joined_at", "updated_at")
    ordering = ("-joined_at",)
    date_hierarchy = "joined_at"
    show_full_result_count = False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Submission)
class SubmissionAdmin(RoleBasedAdmin):
    list_display = ("id", "bounty", "user", "status", "submitted_at", "reviewed_at", "reviewed_by")
    list_filter = ("status", "submitted_at", "reviewed_at")
    search_fields = ("bounty__title", "user__email", "user__username", "content")
    list_select_related = ("bounty", "user", "reviewed_by")
    readonly_fields = (
        "id",
        "bounty",
        "user",
        "content",
        "status",
        "feedback",
        "reviewed_by",
        "submitted_at",
        "reviewed_at",
    )
    ordering = ("-submitted_at",)
    date_hierarchy = "submitted_at"
    actions = ("reject_submissions",)
    show_full_result_count = False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description="Reject selected pending submissions", permissions=["moderate"])
    def reject_submissions(self, request: HttpRequest, queryset) -> None:
        self._run_each(
            request,
            queryset,
            lambda submission: submission_review(
                bounty_id=submission.bounty_id,
                submission_id=submission.pk,
                actor=authenticated_user(request),
                status=Submission.Status.REJECTED,
                feedback="Rejected by a moderator.",
            ),
            "submissions rejected",
        )


@admin.register(Reward)
class RewardAdmin(FeltSearchMixin, RoleBasedAdmin):
    list_display = (
        "id",
        "bounty",
        "user",
        "amount",
        "token",
        "status",
        "recipient_address",
        "transaction_hash",
        "created_at",
        "paid_at",
    )
    list_filter = ("status", "token", "created_at", "paid_at")
    search_fields = (
        "bounty__title",
        "user__email",
        "user__username",
        "recipient_address",
        "transaction_hash",
        "token",
    )
    felt_search_fields = ("recipient_address", "transaction_hash", "token")
    list_select_related = ("bounty", "user")
    readonly_fields = (
        "id",
        "bounty",
        "user",
        "submission",
        "amount",
        "token",
        "recipient_address",
        "transaction_hash",
        "status",
        "failure_reason",
        "created_at",
        "updated_at",
        "paid_at",
    )
    ordering = ("-created_at",)
    date_hierarchy = "created_at"
    actions = ("reverify_payouts",)
    show_full_result_count = False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description="Re-verify the payouts of selected rewards on Starknet", permissions=["moderate"])
    def reverify_payouts(self, request: HttpRequest, queryset) -> None:
        """Check again, as POST /rewards/{id}/verify does, the transaction recorded on each selected
        processing or failed reward. A reward the rules refuse is reported and the rest go on; node
        trouble stops the batch with one warning, since the next check would meet it too."""
        operator = authenticated_user(request)
        checkable = (Reward.Status.PROCESSING, Reward.Status.FAILED)
        selected = list(queryset.order_by("created_at", "id").values_list("pk", "status"))
        to_check = [pk for pk, status in selected if status in checkable]
        if skipped := len(selected) - len(to_check):
            self.message_user(
                request, f"{skipped} selected reward(s) neither processing nor failed: not checked.", messages.INFO
            )
        outcomes: Counter[str] = Counter()
        for position, reward_id in enumerate(to_check):
            try:
                reward = reward_payout_verify(reward_id=reward_id, actor=operator)
            except starknet.NodeError as exc:
                unchecked = len(to_check) - position
                self.message_user(request, f"{exc.message} {unchecked} reward(s) not checked.", messages.WARNING)
                break
            except ApiError as exc:
                self.message_user(request, f"reward {reward_id}: {exc.message}", messages.WARNING)
            else:
                outcomes[reward.status] += 1
        if outcomes:
            summary = ", ".join(f"{count} {status}" for status, count in sorted(outcomes.items()))
            self.message_user(request, f"Checked {sum(outcomes.values())} reward(s): {summary}.", messages.SUCCESS)


@admin.register(PayoutTransfer)
class PayoutTransferAdmin(FeltSearchMixin, RoleBasedAdmin):
    """The on-chain transfers accepted as payments: a record of proof, read-only."""

    list_display = (
        "id",
        "reward",
        "transaction_hash",
        "event_index",
        "token_address",
        "to_address",
        "amount_base_units",
        "block_number",
        "finality_status",
        "created_at",
    )
    list_filter = ("finality_status", "created_at")
    search_fields = ("transaction_hash", "token_address", "from_address", "to_address", "reward__bounty__title")
    felt_search_fields = ("transaction_hash", "token_address", "from_address", "to_address")
    list_select_related = ("reward",)
    readonly_fields = tuple(field.name for field in PayoutTransfer._meta.fields)
    ordering = ("-created_at",)
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
