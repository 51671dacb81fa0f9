"""Every action the code records has a label a privacy officer can read."""

import re
from pathlib import Path

from safehub.audit.actions import ACTION_LABELS

SAFEHUB = Path(__file__).resolve().parents[2] / "safehub"


def test_every_recorded_action_has_a_readable_label():
    recorded = set()
    for path in SAFEHUB.rglob("*.py"):
        recorded |= set(re.findall(r'record\(\s*action="([a-z_.]+)"', path.read_text()))
        recorded |= set(re.findall(r'action="([a-z_]+\.[a-z_.]+)"', path.read_text()))
    missing = sorted(recorded - set(ACTION_LABELS))
    assert recorded, "the scan should find the recorded actions"
    assert missing == []
