"""The default investigative opportunities every force starts with (each force keeps its own
list in the admin: these have no force and apply to all until changed)."""

from django.db import migrations

ALL = []
HARM = ["physical_abuse", "sexual_abuse", "neglect"]
DEFAULTS = [
    ("ABE interview of the child", "An achieving best evidence interview, or the reason one is not possible.", ALL, 3, None),
    ("Medical or paediatric assessment", "A child protection medical by a paediatrician.", HARM, None, None),
    ("Skeletal survey", "For a child under two with an injury: a skeletal survey and head scan.", ["physical_abuse"], None, 1),
    ("Sexual assault referral centre", "A referral to the SARC for a forensic examination and support.", ["sexual_abuse"], None, None),
    ("Scene visited and photographed", "The place it happened: visited, photographed and, if needed, examined.", HARM, None, None),
    ("House-to-house enquiries", "Neighbours and passers-by who may have seen or heard something.", ["physical_abuse", "neglect"], None, None),
    ("Witnesses identified and statements taken", "", ALL, None, None),
    ("Digital devices seized and downloaded", "Phones, tablets and computers of the suspect and, with consent, the child.", ["sexual_abuse", "online_abuse", "exploitation"], None, None),
    ("CCTV sought", "Cameras near the places involved, before their recordings are overwritten.", ["physical_abuse", "sexual_abuse", "exploitation"], None, None),
    ("Suspect arrested and interviewed", "", ALL, None, None),
    ("Checks with the council, health and the school", "What social care, health and the child's school know.", ALL, None, None),
    ("Siblings and other children in the household seen", "Every other child the suspect has access to, seen and spoken to.", ALL, None, None),
    ("Partner-agency information sought", "Probation, housing, mental health and domestic abuse services.", ALL, None, None),
]


def add_defaults(apps, schema_editor):
    OpportunityTemplate = apps.get_model("investigations", "OpportunityTemplate")
    for position, (title, description, categories, min_age, max_age) in enumerate(DEFAULTS, start=1):
        OpportunityTemplate.objects.create(
            title=title,
            description=description,
            categories=categories,
            min_age=min_age,
            max_age=max_age,
            position=position * 10,
        )


def remove_defaults(apps, schema_editor):
    apps.get_model("investigations", "OpportunityTemplate").objects.filter(force__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("investigations", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
