"""`safehub evidence-pack`: the spelling the README uses; the command lives in evidence_pack.py."""

from safehub.measures.management.commands.evidence_pack import Command

__all__ = ["Command"]
