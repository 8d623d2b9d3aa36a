"""Settings come from the environment: checked in fresh processes, since settings load once."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import run_django

pytestmark = pytest.mark.slow  # each test starts a process of its own

ROOT = Path(__file__).resolve().parent.parent

SHOW = "from django.conf import settings; print(settings.DEBUG, settings.DATABASES['default']['ENGINE'])"


def test_without_a_secret_key_outside_debug_start_up_stops_with_a_clear_message():
    result = run_django(SHOW, SECRET_KEY=None)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_is_off_and_sqlite_is_the_database_unless_the_environment_says_otherwise():
    result = run_django(SHOW, SECRET_KEY="k")
    assert result.stdout.split() == ["False", "django.db.backends.sqlite3"]


def test_database_url_selects_postgresql():
    result = run_django(SHOW, SECRET_KEY="k", DEBUG="1", DATABASE_URL="postgres://u:p@127.0.0.1:5432/diplo")
    assert result.stdout.split() == ["True", "django.db.backends.postgresql"]


def test_manage_py_without_a_secret_key_says_only_what_is_missing():
    base = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 1
    assert result.stderr.startswith("manage.py: SECRET_KEY is not set.")
    assert len(result.stderr.splitlines()) == 1
