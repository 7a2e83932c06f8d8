from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.data import catalog_seed, demo_seed
from demo.users import NEW_HIRE


class Command(BaseCommand):
    help = "Load the demo catalog, users and points history. Safe to run again; refuses in production."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--catalog-only", action="store_true", help="Only the products.")
        parser.add_argument(
            "--cognito",
            action="store_true",
            help="The users come from the user pool (sync_cognito_users first): give them their roles and history.",
        )

    def handle(self, *args, **options) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("seed_demo creates users with published passwords; it never runs in production.")
        verbose = options["verbosity"] > 1
        if options["catalog_only"]:
            created = catalog_seed()
            if verbose:
                self.stdout.write(f"Products created: {created}")
            return
        result = demo_seed(cognito=options["cognito"])
        if verbose:  # what this run added; `make run` shows only the users (-v 2 for this)
            self.stdout.write(f"Products created: {result['products_created']}")
            self.stdout.write(f"Points history added for: {', '.join(result['history_for']) or 'nobody new'}")
        if options["verbosity"] > 0:
            self.stdout.write("Demo users:")
            for user in result["users"]:
                self.stdout.write(f"  {user.role:<16} {user.email:<28} password: {user.password}")
            if options["cognito"]:
                self.stdout.write(f"  {'new hire':<16} {NEW_HIRE.email:<28} password: {NEW_HIRE.password}")
