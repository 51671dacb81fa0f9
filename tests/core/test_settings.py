"""Production settings pass Django's deployment checks and cannot run the demo."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SAFEHUB_DATA_DIR": str(tmp_path),
        **env,
    }
    environment.pop("DATABASE_URL", None)
    # The browser tests' conftest allows Django's sync calls inside Playwright's event loop;
    # that is a test-process setting, not part of the production configuration checked here.
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "-m", "safehub.cli", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deploy_checks(tmp_path):
    result = _run(
        "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, SAFEHUB_SECRET_KEY=secrets.token_urlsafe(50)
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _run("check", tmp_path=tmp_path, SAFEHUB_SECRET_KEY="")
    assert result.returncode != 0
    assert "SAFEHUB_SECRET_KEY" in result.stderr


def test_production_cannot_switch_on_demo_mode(tmp_path):
    result = _run(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SAFEHUB_DEMO_MODE)",
        tmp_path=tmp_path,
        SAFEHUB_SECRET_KEY="y" * 60,
        SAFEHUB_DEMO_MODE="1",
    )
    assert result.stdout.strip().endswith("False"), result.stdout + result.stderr
