"""The benchmarks' database: dropped, created and migrated afresh on the local MariaDB."""

from django.core.management import call_command
from django.db import connection


def database_reset() -> None:
    """The database the settings name, empty and migrated (whatever a previous run left)."""
    import MySQLdb

    settings = connection.settings_dict
    server = MySQLdb.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=int(settings["PORT"] or 3306),
        user=settings["USER"],
        passwd=settings["PASSWORD"],
    )
    cursor = server.cursor()
    cursor.execute(f"DROP DATABASE IF EXISTS `{settings['NAME']}`")
    cursor.execute(f"CREATE DATABASE `{settings['NAME']}` CHARACTER SET utf8mb4")
    server.close()
    connection.close()
    call_command("migrate", verbosity=0)
