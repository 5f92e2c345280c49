from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0004_expire_tokens_without_expiry"),
    ]

    operations = [
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="hết hạn"),
        ),
    ]
