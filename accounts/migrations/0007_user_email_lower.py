"""Addresses unique ignoring case through a stored lower-case column, on every database: MySQL and
MariaDB build no unique index on the expression Lower(email) (the constraint it replaces)."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_google_users_email_verified"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_lower",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Lower("email"),
                output_field=models.CharField(max_length=254, null=True),
            ),
        ),
        migrations.RemoveConstraint(
            model_name="user",
            name="accounts_user_email_ci_unique",
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(fields=("email_lower",), name="accounts_user_email_ci_unique"),
        ),
    ]
