#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    """Run administrative tasks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diplo.settings")
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError(
            "Couldn't import Django. Are you sure it's installed and "
            "available on your PYTHONPATH environment variable? Did you "
            "forget to activate a virtual environment?"
        ) from exc
    try:
        settings.INSTALLED_APPS  # noqa: B018 (reading a setting is what loads diplo/settings.py)
    except ImproperlyConfigured as problem:
        # The settings say what is missing in one sentence; a traceback would bury it.
        sys.exit(f"manage.py: {problem}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
