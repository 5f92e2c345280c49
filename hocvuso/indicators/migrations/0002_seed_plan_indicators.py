"""The plan's indicators, their default targets and the emulation weights, from the data file
(hocvuso/indicators/data/plan_indicators.yaml, applied by `plan_data.apply_plan_indicators`, which
`manage.py load_plan_indicators` also runs). Reversible."""

from django.db import migrations

from hocvuso.indicators.plan_data import apply_plan_indicators, plan_codes


def seed(apps, schema_editor):
    apply_plan_indicators(
        indicators=apps.get_model("indicators", "Indicator"),
        targets=apps.get_model("indicators", "Target"),
        weights=apps.get_model("indicators", "RankingWeight"),
    )


def unseed(apps, schema_editor):
    apps.get_model("indicators", "Indicator").objects.filter(code__in=plan_codes()).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
