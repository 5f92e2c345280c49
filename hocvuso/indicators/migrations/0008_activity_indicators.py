"""The movement's activities are built (outreach 0002): "Gia đình số" counts by the digital-family rule, and the 4T
traders, digital markets and events indicators get their formulas from the plan's data file. The change-capture
triggers now also watch enrolments, completed lessons, markets, traders, their Ts and events, and mark the
household's village for identity and visit outcomes; installed after outreach 0002, which rebuilds the visit outcomes'
table on SQLite (dropping its triggers)."""

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
        ("indicators", "0007_capture_deaths"),
        ("outreach", "0002_activities"),
        ("learning", "0002_render_lists_under_paragraphs"),
    ]

    operations = [migrations.RunPython(apply, migrations.RunPython.noop), InstallChangeCapture()]
