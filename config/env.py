"""Reading configuration from the environment, with the project's defaults."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def data_dir() -> Path:
    """Where the embedded database and other local state live (`var/` by default)."""
    path = Path(os.environ.get("SAFEHUB_DATA_DIR") or BASE_DIR / "var")
    return path.resolve()
