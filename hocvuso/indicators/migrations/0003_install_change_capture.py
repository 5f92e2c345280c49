"""Install the change-capture triggers as part of the schema (they were installed after every `migrate`
by a post_migrate handler, so a database that came back from a backup through any other path had none)."""

from django.db import migrations

from hocvuso.indicators.capture import InstallChangeCapture


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0002_seed_plan_indicators"),
        ("people", "0005_transfer_requests"),
        ("learning", "0001_framework_courses_attempts"),
        ("territory", "0001_initial"),
    ]

    operations = [InstallChangeCapture()]
