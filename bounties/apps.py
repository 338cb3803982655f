from django.apps import AppConfig


class BountiesConfig(AppConfig):
    name = "bounties"
    verbose_name = "Bounties"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_migrate, post_save

        from accounts.models import User
        from accounts.signals import account_reclaimed, wallet_linked
        from bounties import schema  # noqa: F401  (registers the OpenAPI extension of the app's fields)
        from bounties.models import Bounty
        from bounties.receivers import (
            bounty_reads_follow_bounty,
            bounty_reads_follow_creator,
            bounty_reads_follow_migrate,
            reward_follow_linked_wallet,
            reward_forget_reclaimed_recipient,
        )

        wallet_linked.connect(reward_follow_linked_wallet, dispatch_uid="bounties.reward_follow_linked_wallet")
        account_reclaimed.connect(
            reward_forget_reclaimed_recipient, dispatch_uid="bounties.reward_forget_reclaimed_recipient"
        )
        # The cached bounty list and detail (bounties.caching) follow every save and delete of a bounty
        # and every change of a creator's name or wallet; migrations, which write with historical models, too.
        post_save.connect(bounty_reads_follow_bounty, sender=Bounty, dispatch_uid="bounties.reads_bounty_saved")
        post_delete.connect(bounty_reads_follow_bounty, sender=Bounty, dispatch_uid="bounties.reads_bounty_deleted")
        post_save.connect(bounty_reads_follow_creator, sender=User, dispatch_uid="bounties.reads_creator_saved")
        post_migrate.connect(bounty_reads_follow_migrate, sender=self, dispatch_uid="bounties.reads_migrated")
