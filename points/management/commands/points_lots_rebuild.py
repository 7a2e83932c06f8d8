from django.core.management.base import BaseCommand, CommandError

from points.ledger import HistoryOutOfOrder
from points.models import UserPoints
from points.services import points_lots_rebuild


class Command(BaseCommand):
    help = (
        "Build every account's points lots again from its ledger, oldest row first, each under its account's lock. "
        "The same ledger gives the same lots, so it is safe to run again; run it if check_points_ledger reports "
        "lots that disagree with a balance (the migration that added lots ran it once). An account whose history "
        "spends points before they came in is left as it is and named."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", action="append", help="Only this user id (repeatable).")

    def handle(self, *args, user=None, **options) -> None:
        user_ids = user or list(UserPoints.objects.order_by("pk").values_list("pk", flat=True))
        lots, refused = 0, []
        for user_id in user_ids:
            try:
                lots += points_lots_rebuild(user_id=user_id)
            except HistoryOutOfOrder as out_of_order:
                self.stderr.write(f"{user_id}: {out_of_order}")
                refused.append(user_id)
        self.stdout.write(
            self.style.SUCCESS(f"Rebuilt {lots:,} lots of {len(user_ids) - len(refused):,} accounts from the ledger.")
        )
        if refused:
            raise CommandError(f"{len(refused):,} accounts were left as they were: their history is out of order.")
