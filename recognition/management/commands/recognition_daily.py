from django.core.management.base import BaseCommand, CommandError

from recognition.milestones import recognition_daily


class Command(BaseCommand):
    help = (
        "Take back what hidden recognitions left behind, award the milestones due (years of service, "
        "shared birthdays) once each, and remind people whose giving allowance is about to lapse. "
        "Safe to run twice or late. Fails (exit 1) if any milestone could not be awarded; the others are."
    )

    def handle(self, *args, **options):
        report = recognition_daily()
        self.stdout.write(
            f"Milestones: {report.awarded} awarded, {report.already} awarded before, {len(report.failed)} failed. "
            f"Allowance reminders: {report.reminded}. Taken back from hidden recognitions: {report.taken_back} points."
        )
        if report.failed:
            raise CommandError(
                f"{len(report.failed)} milestone(s) could not be awarded: {', '.join(report.failed[:10])}"
            )
