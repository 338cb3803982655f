from django.apps import AppConfig


class BountiesConfig(AppConfig):
    name = "bounties"
    verbose_name = "Bounties"

    def ready(self) -> None:
        # Registers the OpenAPI extension of the app's serializer fields.
        from bounties import schema  # noqa: F401
