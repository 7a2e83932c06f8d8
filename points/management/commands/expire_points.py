from django.core.management.base import BaseCommand, CommandError

from points.expiry import expiry_rule_record, points_expire, points_expiry_remind


class Command(BaseCommand):
    help = (
        "Expire what is left of every points lot past its date (POINTS_EXPIRY_MONTHS), once per lot however "
        "often it runs, then remind people whose points expire within 30 or 7 days. Daily; does nothing when "
        "expiry is off. A new or changed rule lapses nothing for 30 days from its first run."
    )

    def handle(self, *args, **options) -> None:
        rule = expiry_rule_record()  # a new or changed rule gives a month's notice from today
        if rule is None:
            self.stdout.write("Points do not expire (POINTS_EXPIRY_MONTHS is 0): nothing to do.")
            return
        run = points_expire()
        told = points_expiry_remind()
        self.stdout.write(
            self.style.SUCCESS(
                f"Expired {run.points:,} points of {run.lots:,} lots in {run.accounts:,} accounts; "
                f"reminded {told:,} people of points about to expire."
            )
        )
        if run.failed:
            raise CommandError(
                f"The points of {run.failed:,} accounts could not be expired (see the log); run check_points_ledger."
            )
