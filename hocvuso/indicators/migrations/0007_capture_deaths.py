"""The registry records deaths (people 0009, `Resident.died_on`): the change-capture triggers watch that column too, so
a confirmed death takes the person out of the figures with the next refresh (and, on SQLite, the triggers the column's
migration dropped with the rebuilt table are installed again)."""

from django.db import migrations

from hocvuso.indicators.capture import InstallChangeCapture


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0006_outreach_indicators"),
        ("people", "0009_resident_died_on"),
    ]

    operations = [InstallChangeCapture()]
