"""Weekly community classes are built: "communes that held a class this week" gets its formulas and "class
attendance per week" is added, from the plan's data file, and the change-capture triggers now watch the
attendances, so a class's attendance reaches the figures with the next refresh."""

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
        ("indicators", "0008_activity_indicators"),
        ("outreach", "0003_community_classes"),
    ]

    operations = [migrations.RunPython(apply, migrations.RunPython.noop), InstallChangeCapture()]
