"""Domain errors of the bounties app: each has an HTTP status and a stable `bounties.*` code."""

from blocra.errors import BadRequest, Conflict, Forbidden, NotFound


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


class RewardWithoutRecipient(Conflict):
    code = "bounties.reward_without_recipient"
    message = "The winner has not linked a payout wallet yet, so the reward has no recipient to pay."


class RewardAlreadyPaid(Conflict):
    code = "bounties.reward_already_paid"
    message = "This reward is already paid by another transaction."


class PayoutInProgress(Conflict):
    code = "bounties.payout_in_progress"
    message = "A payout transaction for this reward is still being confirmed; verify it instead."


class NoPayoutToVerify(Conflict):
    code = "bounties.no_payout_to_verify"
    message = "This reward has no payout transaction to verify: submit one first."


class TransferAlreadyUsed(Conflict):
    code = "bounties.transfer_already_used"
    message = "Transaction already used: its transfer already pays another reward."


class RewardTokenUnusable(Conflict):
    """The reward's token cannot be checked on chain: not an ERC-20 here, or an amount it cannot hold."""

    code = "bounties.reward_token_unusable"
    message = "The reward's token cannot be verified on Starknet."


class InvalidTransactionHash(BadRequest):
    code = "bounties.invalid_transaction_hash"
    message = "transaction_hash must be 0x followed by 1 to 64 hexadecimal digits."

    def __init__(self) -> None:
        super().__init__(errors={"transaction_hash": [self.message]})


class TransactionNotFound(BadRequest):
    """The node does not know the transaction (yet): nothing is stored and the client may retry."""

    code = "bounties.transaction_not_found"
    message = "Transaction not found on Starknet; if it was just sent, try again in a moment."


class PayoutRefused(BadRequest):
    """The transaction is final and does not pay the reward. Subclasses name what did not match."""

    code = "bounties.payout_refused"
    message = "The transaction does not pay this reward."


class TransactionReverted(PayoutRefused):
    code = "bounties.transaction_reverted"
    message = "The transaction reverted."


class NoTransferEvent(PayoutRefused):
    code = "bounties.no_transfer"
    message = "The transaction carries no ERC-20 Transfer event."


class WrongToken(PayoutRefused):
    code = "bounties.wrong_token"
    message = "Wrong token: the transaction transfers no tokens of the reward's token contract."


class WrongRecipient(PayoutRefused):
    code = "bounties.wrong_recipient"
    message = "Wrong recipient: the transaction transfers nothing to the winner's wallet."


class WrongAmount(PayoutRefused):
    code = "bounties.wrong_amount"
    message = "Wrong amount: the transfer to the winner's wallet is not exactly the reward."


class WrongSender(PayoutRefused):
    code = "bounties.wrong_sender"
    message = "Wrong sender: the transfer does not come from the treasury."


class AmountTooPrecise(BadRequest):
    """The reward has more decimals than its token: no transfer could pay it exactly."""

    code = "bounties.amount_too_precise"
    message = "The reward amount has more decimal places than its token."


class InvalidReviewOutcome(BadRequest):
    code = "bounties.invalid_review_outcome"
    message = "A review approves or rejects a submission."


class WinnerNotNamed(BadRequest):
    code = "bounties.winner_not_named"
    message = "Name the winner by user id or by submission id."


class SubmissionOfAnotherUser(BadRequest):
    code = "bounties.submission_of_another_user"
    message = "The submission belongs to another user than the winner named."
