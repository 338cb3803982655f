"""Dashboards keep the app's widget objects (`layout`) and their tags, as `POST /dashboards` sends them."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0002_contract_query_event_timestamps_unix"),
    ]

    operations = [
        migrations.AddField(
            model_name="dashboard",
            name="layout",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="dashboard",
            name="tags",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
