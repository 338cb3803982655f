from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Imported for what they register: the OpenAPI extension describing our JWT authentication,
        # and the admin screen of wallet challenges (admin.py holds those of users and activity).
        from accounts import challenge_admin, schema  # noqa: F401
