# The triage states become new, read, resolved. Three steps, so that no row ever breaks the check
# constraint: drop it and change the choices (here), move the rows (0003), add it back (0004).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("adminpanel", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="feedback",
            name="adminpanel_feedback_status_valid",
        ),
        migrations.AlterField(
            model_name="feedback",
            name="status",
            field=models.CharField(
                choices=[("new", "New"), ("read", "Read"), ("resolved", "Resolved")], default="new", max_length=16
            ),
        ),
    ]
