from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0002_token_ordering"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="user_epoch",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
    ]
