from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shop.demo import catalog_seed, demo_seed


class Command(BaseCommand):
    help = "Load the demo catalog, users and points history. Safe to run again; refuses in production."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--catalog-only", action="store_true", help="Only the products (users come from Cognito, say)."
        )

    def handle(self, *args, **options) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("seed_demo creates users with published passwords; it never runs in production.")
        if options["catalog_only"]:
            self.stdout.write(f"Products created: {catalog_seed()}")
            return
        result = demo_seed()
        self.stdout.write(f"Products created: {result['products_created']}")
        self.stdout.write(f"Points history added for: {', '.join(result['history_for']) or 'nobody (already there)'}")
        self.stdout.write("Demo users (local sign-in):")
        for user in result["users"]:
            self.stdout.write(f"  {user.role:<10} {user.email:<28} password: {user.password}")
