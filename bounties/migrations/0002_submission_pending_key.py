"""One pending submission per user and bounty through a stored column, True while pending and NULL
after: unique with the bounty and the user on every database. MySQL and MariaDB ignore the conditional
unique constraint it replaces."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bounties", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="pending_key",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Case(models.When(status="pending", then=models.Value(True)), default=None),
                output_field=models.BooleanField(null=True),
            ),
        ),
        migrations.RemoveConstraint(
            model_name="submission",
            name="bounties_submission_one_pending",
        ),
        migrations.AddConstraint(
            model_name="submission",
            constraint=models.UniqueConstraint(
                fields=("bounty", "user", "pending_key"), name="bounties_submission_one_pending"
            ),
        ),
    ]
