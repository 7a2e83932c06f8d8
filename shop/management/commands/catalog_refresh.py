from django.core.management.base import BaseCommand

from shop.services import catalog_refresh


class Command(BaseCommand):
    help = (
        "After products were changed outside the app (SQL by hand): move the catalog version on, so "
        "every worker's cached catalog pages and counts are made again."
    )

    def handle(self, *args, **options) -> None:
        catalog_refresh()
        if options["verbosity"] > 0:
            self.stdout.write("Catalog version moved on: cached pages and counts are made again on their next read.")
