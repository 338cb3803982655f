from django.apps import AppConfig


class BountiesConfig(AppConfig):
    name = "bounties"
    verbose_name = "Bounties"

    def ready(self) -> None:
        # Registers the OpenAPI extension of the app's serializer fields.
        from accounts.signals import account_reclaimed, wallet_linked
        from bounties import schema  # noqa: F401
        from bounties.receivers import reward_follow_linked_wallet, reward_forget_reclaimed_recipient

        wallet_linked.connect(reward_follow_linked_wallet, dispatch_uid="bounties.reward_follow_linked_wallet")
        account_reclaimed.connect(
            reward_forget_reclaimed_recipient, dispatch_uid="bounties.reward_forget_reclaimed_recipient"
        )
