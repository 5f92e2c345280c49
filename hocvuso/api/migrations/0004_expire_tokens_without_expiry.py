"""Tokens made before every token had to expire get the default lifetime from when they were made (a token
older than that is expired at once: its device makes a new one, docs/OPERATIONS.md)."""

from datetime import timedelta

from django.db import migrations

DEFAULT_DAYS = 90


def give_every_token_an_expiry(apps, schema_editor):
    ApiToken = apps.get_model("api", "ApiToken")
    for token in ApiToken.objects.filter(expires_at__isnull=True).only("pk", "created_at"):
        ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at + timedelta(days=DEFAULT_DAYS))


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0003_apitoken_user_epoch"),
    ]

    # Reversing keeps the expiry dates: they are true of the tokens either way.
    operations = [migrations.RunPython(give_every_token_an_expiry, migrations.RunPython.noop)]
