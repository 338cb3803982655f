from django.apps import AppConfig


class BountiesConfig(AppConfig):
    name = "bounties"
    verbose_name = "Bounties"

    def ready(self) -> None:
        # Registers the OpenAPI extension of the app's serializer fields.
        from accounts.signals import wallet_linked
        from bounties import schema  # noqa: F401
        from bounties.receivers import reward_follow_linked_wallet

        wallet_linked.connect(reward_follow_linked_wallet, dispatch_uid="bounties.reward_follow_linked_wallet")
