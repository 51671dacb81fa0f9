"""Fill the phonetic family-name keys of the records that existed before the keys did."""

import re

import jellyfish
from django.db import migrations

# A copy of safehub.people.models.name_key as it was when this migration was written.
KEY_LENGTH = 12


def _key(name: str) -> str:
    letters = re.sub(r"[^a-z]", "", (name or "").lower())
    return jellyfish.metaphone(letters)[:KEY_LENGTH] if letters else ""


def fill_keys(apps, schema_editor):  # type: ignore[no-untyped-def]
    # One UPDATE per distinct family name: a few thousand at most, however many people.
    for model_name in ("Person", "PersonName"):
        model = apps.get_model("people", model_name)
        for family_name in model.objects.values_list("family_name", flat=True).order_by().distinct().iterator():
            model.objects.filter(family_name=family_name).update(family_name_key=_key(family_name))


class Migration(migrations.Migration):
    dependencies = [("people", "0003_merged_records_and_name_keys")]

    operations = [migrations.RunPython(fill_keys, migrations.RunPython.noop)]
