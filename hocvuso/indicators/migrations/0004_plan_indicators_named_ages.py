"""Re-apply the plan's data file to databases seeded before it existed: the age thresholds of "adults" and
"digital identity" become named (`age: adult`, read from settings.ADULT_AGE like the pages' target groups)
instead of numbers copied into the indicators. Reversed, the names become the numbers the settings give."""

from django.conf import settings
from django.db import migrations

from hocvuso.indicators.plan_data import apply_plan_indicators

AGE_SETTINGS = {"adult": "ADULT_AGE", "digital_identity": "DIGITAL_IDENTITY_AGE", "elderly": "ELDERLY_AGE"}


def apply(apps, schema_editor):
    apply_plan_indicators(
        indicators=apps.get_model("indicators", "Indicator"),
        targets=apps.get_model("indicators", "Target"),
        weights=apps.get_model("indicators", "RankingWeight"),
    )


def unname(apps, schema_editor):
    for indicator in apps.get_model("indicators", "Indicator").objects.all():
        parameters = dict(indicator.parameters or {})
        if parameters.get("age") in AGE_SETTINGS:
            years = int(getattr(settings, AGE_SETTINGS[parameters.pop("age")]))
            indicator.parameters = {"min_age": years, **parameters}
            indicator.save(update_fields=["parameters", "updated_at"])


class Migration(migrations.Migration):
    dependencies = [("indicators", "0003_install_change_capture")]

    operations = [migrations.RunPython(apply, unname)]
