# Data only: feedback marked "reviewed" is "read" now; reversed, "read" goes back to "reviewed".

from django.db import migrations


def reviewed_to_read(apps, schema_editor):
    Feedback = apps.get_model("adminpanel", "Feedback")
    Feedback.objects.filter(status="reviewed").update(status="read")


def read_to_reviewed(apps, schema_editor):
    Feedback = apps.get_model("adminpanel", "Feedback")
    Feedback.objects.filter(status="read").update(status="reviewed")


class Migration(migrations.Migration):
    dependencies = [
        ("adminpanel", "0002_feedback_status_read_choices"),
    ]

    operations = [
        migrations.RunPython(reviewed_to_read, read_to_reviewed),
    ]
