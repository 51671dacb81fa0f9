"""`safehub demo-code`: the spelling the demo prints; the command lives in demo_code.py."""

from safehub.core.management.commands.demo_code import Command

__all__ = ["Command"]
