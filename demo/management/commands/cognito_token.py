import getpass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts import cognito
from demo.users import DEMO_USERS


class Command(BaseCommand):
    help = (
        "Print a Cognito ID token to call the API with (Authorization: Bearer <token>), signed in as "
        "the given user. `make token EMAIL=...` runs it against `make run-aws`'s emulator."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--password", help="Defaults to the demo user's emulator password; asked for when there is none."
        )

    def handle(self, *args, email: str, password: str | None, **options) -> None:
        if settings.AUTH_BACKEND != "cognito":
            raise CommandError("This needs AUTH_BACKEND=cognito (locally: `make run-aws` in another terminal).")
        demo = {user.email: user.password for user in DEMO_USERS}
        password = password or demo.get(email.lower()) or getpass.getpass(f"Password for {email}: ")
        if not password:
            raise CommandError(f"{email} is not a demo user: give its password.")
        try:
            result = cognito.sign_in(email=email.lower(), password=password)
        except cognito.CognitoError as refusal:
            raise CommandError(refusal.message) from refusal
        if result.challenge:
            raise CommandError(f"{email} must first answer {result.challenge}: sign in once through the portal.")
        self.stdout.write(result.id_token)
