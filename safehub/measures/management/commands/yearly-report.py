"""`safehub yearly-report`: the spelling the README uses; the command lives in yearly_report.py."""

from safehub.measures.management.commands.yearly_report import Command

__all__ = ["Command"]
