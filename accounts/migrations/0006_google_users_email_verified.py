"""Accounts linked to Google proved their address through Google's verified email claim."""

from django.db import migrations
from django.db.models import F


def google_users_verified(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(google_id__isnull=False, email__isnull=False, email_verified_at__isnull=True).update(
        email_verified_at=F("created_at")
    )


def google_users_unverified(apps, schema_editor):
    # The forward step only filled a field the schema migration before it added; nothing to restore.
    pass


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_user_kept_session")]

    operations = [migrations.RunPython(google_users_verified, google_users_unverified)]
