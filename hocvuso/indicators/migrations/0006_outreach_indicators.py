"""The outreach source is built: the activity indicators of home visits and active teams get their formulas (and
"households visited", "helped to VNeID level 2" are added) from the plan's data file, and the change-capture
triggers now watch the visits, their outcomes and the teams, so a visit reaches the figures with the next refresh."""

from django.db import migrations

from hocvuso.indicators.capture import InstallChangeCapture
from hocvuso.indicators.plan_data import apply_plan_indicators


def apply(apps, schema_editor):
    apply_plan_indicators(
        indicators=apps.get_model("indicators", "Indicator"),
        targets=apps.get_model("indicators", "Target"),
        weights=apps.get_model("indicators", "RankingWeight"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0005_reinstall_change_capture_after_registry"),
        ("outreach", "0001_initial"),
    ]

    operations = [migrations.RunPython(apply, migrations.RunPython.noop), InstallChangeCapture()]
