from django.core.management.base import BaseCommand, CommandError

from recognition.milestones import allowance_lapse_remind, milestones_award


class Command(BaseCommand):
    help = (
        "Award the milestones due (years of service, shared birthdays) once each, and remind people "
        "whose giving allowance is about to lapse. Safe to run twice or late. Fails (exit 1) if any "
        "milestone could not be awarded; the others are."
    )

    def handle(self, *args, **options):
        report = milestones_award()
        reminded = allowance_lapse_remind()
        self.stdout.write(
            f"Milestones: {report.awarded} awarded, {report.already} awarded before, {len(report.failed)} failed. "
            f"Allowance reminders: {reminded}."
        )
        if report.failed:
            raise CommandError(
                f"{len(report.failed)} milestone(s) could not be awarded: {', '.join(report.failed[:10])}"
            )
