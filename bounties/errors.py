"""Domain errors of the bounties app: each has an HTTP status and a stable `bounties.*` code."""

from blocra.errors import Conflict, Forbidden, NotFound


class BountyNotFound(NotFound):
    code = "bounties.not_found"
    message = "Bounty not found."


class SubmissionNotFound(NotFound):
    code = "bounties.submission_not_found"
    message = "Submission not found."


class RewardNotFound(NotFound):
    code = "bounties.reward_not_found"
    message = "Reward not found."


class NotOwner(Forbidden):
    code = "bounties.not_owner"
    message = "Only the bounty's creator or an admin may do this."


class CreatorCannotJoin(Forbidden):
    code = "bounties.creator_cannot_join"
    message = "The creator of a bounty cannot join it."


class NotParticipant(Forbidden):
    code = "bounties.not_participant"
    message = "You are not an active participant of this bounty."


class SubmissionsForbidden(Forbidden):
    code = "bounties.submissions_forbidden"
    message = "Only the bounty's creator, an admin or a participant may see its submissions."


class BountyNotOpen(Conflict):
    code = "bounties.not_open"
    message = "The bounty is not open."


class DeadlinePassed(Conflict):
    code = "bounties.deadline_passed"
    message = "The bounty's deadline has passed."


class BountyFull(Conflict):
    code = "bounties.full"
    message = "The bounty has reached its maximum number of participants."


class AlreadyJoined(Conflict):
    code = "bounties.already_joined"
    message = "You already take part in this bounty."


class InvalidTransition(Conflict):
    code = "bounties.invalid_transition"
    message = "The bounty cannot move to that status from its current one."


class ImmutableAfterJoin(Conflict):
    code = "bounties.immutable_after_join"
    message = "Reward amount, token and deadline cannot change once someone has joined."


class MaxBelowParticipants(Conflict):
    code = "bounties.max_below_participants"
    message = "max_participants cannot be lower than the current number of participants."


class DeleteBlocked(Conflict):
    code = "bounties.delete_blocked"
    message = "A bounty with an approved submission or a reward cannot be deleted; cancel it instead."


class HasApprovedSubmission(Conflict):
    code = "bounties.has_approved_submission"
    message = "A participant with an approved submission cannot leave the bounty."


class SubmissionNotPending(Conflict):
    code = "bounties.submission_not_pending"
    message = "Only pending submissions can be reviewed."


class WinnerWithoutSubmission(Conflict):
    code = "bounties.winner_without_submission"
    message = "The winner must have a pending or approved submission for this bounty."


class WinnerAlreadyChosen(Conflict):
    code = "bounties.winner_already_chosen"
    message = "This bounty already has a winner; its reward cannot go to someone else."
