#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awsomeshop.settings")
    # Commands (migrate, the ledger check, seed_demo) may run statements for minutes; the web's
    # 4-second read timeout is for requests, which gunicorn serves without this file.
    os.environ.setdefault("DB_READ_TIMEOUT", "600")
    os.environ.setdefault("DB_WRITE_TIMEOUT", "600")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
