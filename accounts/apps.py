from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Imported for what they register: the OpenAPI extension describing our JWT authentication,
        # the admin screen of wallet challenges (admin.py holds those of users and activity), and the
        # project's system checks (blocra has no app of its own to load them).
        from accounts import challenge_admin, schema  # noqa: F401
        from blocra import checks  # noqa: F401
