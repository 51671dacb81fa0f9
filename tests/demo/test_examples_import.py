"""Every example file SafeHub ships imports cleanly into the demo partnership, in the order
the README gives: schools, then term dates, police referrals, incidents, missing children and DBS checks."""

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command

from safehub.dbs.models import LocalCheck
from safehub.demo import seed as demo
from safehub.encompass.models import Incident
from safehub.hub.models import Contact
from safehub.missing.models import Episode
from safehub.partnership.models import Organisation
from safehub.timescales.models import SchoolClosure

ROOT = Path(__file__).resolve().parents[2]
TODAY = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)
EXAMPLES = [
    ("schools", "safehub/partnership/examples/schools-example.csv"),
    ("term-dates", "safehub/timescales/examples/term-dates-example.csv"),
    ("police-referrals", "safehub/hub/examples/police-referrals-example.csv"),
    ("incidents", "safehub/encompass/examples/incidents-example.csv"),
    ("missing", "safehub/missing/examples/missing-example.csv"),
    ("dbs", "safehub/dbs/examples/dbs-checks-example.csv"),
]

pytestmark = pytest.mark.django_db


def test_every_example_file_imports_into_the_demo(time_machine, capsys):
    time_machine.move_to(TODAY, tick=False)
    demo.seed_demo(size="small", seed=2026, children=300)
    contacts, incidents, episodes = Contact.objects.count(), Incident.objects.count(), Episode.objects.count()
    checks = LocalCheck.objects.count()
    for kind, path in EXAMPLES:
        call_command("import", kind, str(ROOT / path))
        assert "Imported" in capsys.readouterr().out, kind
    assert Organisation.objects.filter(urn=990003).exists()
    assert SchoolClosure.objects.filter(school__urn=990001, reason="Polling station").exists()
    assert Contact.objects.count() > contacts
    assert Incident.objects.count() > incidents
    assert Episode.objects.count() > episodes
    assert LocalCheck.objects.count() == checks + 4
