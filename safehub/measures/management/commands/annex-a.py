"""`safehub annex-a`: the spelling the README uses; the command lives in annex_a.py."""

from safehub.measures.management.commands.annex_a import Command

__all__ = ["Command"]
