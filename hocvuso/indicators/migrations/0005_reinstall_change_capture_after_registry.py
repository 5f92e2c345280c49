"""Install the change-capture triggers again after the registry's migrations that came with the household and
roster-list rules (people 0006, 0007): on SQLite, altering a watched table rebuilds it and drops its triggers."""

from django.db import migrations

from hocvuso.indicators.capture import InstallChangeCapture


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0004_plan_indicators_named_ages"),
        ("people", "0007_households_per_village_roster_lists"),
        ("credentials", "0001_certificates_keys_status_lists"),
        ("vneid", "0001_provider_identity_registrations"),
    ]

    operations = [InstallChangeCapture()]
