from django.core.management.base import BaseCommand, CommandError

from awsomeshop.text import counted
from programme.selectors import ledger_problem_list


class Command(BaseCommand):
    help = (
        "Check that every balance equals its ledger, every order has exactly one ledger row and no "
        "stock is negative. Exits non-zero when anything disagrees."
    )

    def handle(self, *args, **options) -> None:
        problems = ledger_problem_list()
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"The points ledger check found {counted(len(problems), 'problem', 'problems')}.")
        self.stdout.write(self.style.SUCCESS("The points ledger is consistent: balances, orders and stock agree."))
