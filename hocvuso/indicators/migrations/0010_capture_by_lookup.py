"""The change-capture triggers on PostgreSQL look up each changed row's household, resident… by index instead of
letting the planner join whole tables: a statement's cost now follows the size of the write, not of the registry
(see `capture._postgresql_select`)."""

from django.db import migrations

from hocvuso.indicators.capture import InstallChangeCapture


class Migration(migrations.Migration):
    dependencies = [("indicators", "0009_community_classes")]

    operations = [InstallChangeCapture()]
