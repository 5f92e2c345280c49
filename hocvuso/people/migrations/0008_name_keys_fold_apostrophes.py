"""Residents' search keys fold apostrophes: "H'Thuy", "H' Thuy" and "H Thuy" are found by one another.

The key is made in one place (`hocvuso.core.text.search_key`), which now writes an apostrophe as a space; the keys
stored before kept it ('h'thuy'), so they are made again — only for names that hold an apostrophe or a look-alike,
the only keys that change. An update, not a table change: SQLite keeps its change-capture triggers.
"""

from functools import reduce
from operator import or_
from typing import Any

from django.db import migrations
from django.db.models import Q

APOSTROPHES = "'’‘ʼ`´ʹ"


def make_keys_again(apps: Any, schema_editor: Any) -> None:
    from hocvuso.core.text import search_key

    resident_model = apps.get_model("people", "Resident")
    with_apostrophe = reduce(or_, (Q(full_name__contains=mark) for mark in APOSTROPHES))
    batch = []
    for resident in resident_model.objects.filter(with_apostrophe).only("pk", "full_name", "name_key").iterator():
        key = search_key(resident.full_name)[:150]
        if key != resident.name_key:
            resident.name_key = key
            batch.append(resident)
        if len(batch) >= 2000:
            resident_model.objects.bulk_update(batch, ["name_key"])
            batch = []
    if batch:
        resident_model.objects.bulk_update(batch, ["name_key"])


class Migration(migrations.Migration):
    dependencies = [("people", "0007_households_per_village_roster_lists")]

    operations = [migrations.RunPython(make_keys_again, migrations.RunPython.noop)]
