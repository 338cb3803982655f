from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_email_verification"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="kept_session",
            field=models.CharField(blank=True, default="", max_length=32),
        ),
    ]
