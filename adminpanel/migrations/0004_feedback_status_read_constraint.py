# The check constraint again, over the new states (every row was moved by 0003).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("adminpanel", "0003_feedback_status_reviewed_to_read"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="feedback",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["new", "read", "resolved"])),
                name="adminpanel_feedback_status_valid",
            ),
        ),
    ]
