"""Reading a bulk award file: one employee (e-mail or user id), an amount and a reason per line.

Nothing here writes: it turns a file into a preview of valid and refused lines, which HR confirms
before `points_award_batch` applies them, all or none.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from awsomeshop.csv_import import csv_rows_read
from awsomeshop.exceptions import ShopError
from awsomeshop.text import number

from .services import (
    Award,
    points_amount_from_text,
    points_reason_clean,
    self_award_refuse,
    user_ids_resolve,
)

MAX_ROWS = 10_000
EMPLOYEE_COLUMNS = ("employee", "email", "e-mail", "user_id", "user id")


class AwardFileRefused(ShopError):
    code = "award_file_refused"
    status = 400


@dataclass
class AwardLine:
    """One line of the file as HR wrote it, and what we made of it."""

    line: int
    employee: str
    amount_text: str
    reason: str
    user_id: str | None = None
    employee_name: str = ""
    amount: int | None = None
    error: str | None = None

    @property
    def is_valid(self) -> bool:
        return self.error is None


@dataclass
class AwardPreview:
    lines: list[AwardLine] = field(default_factory=list)

    @property
    def valid(self) -> list[AwardLine]:
        return [line for line in self.lines if line.is_valid]

    @property
    def invalid(self) -> list[AwardLine]:
        return [line for line in self.lines if not line.is_valid]

    @property
    def total_points(self) -> int:
        return sum(line.amount for line in self.valid)

    def awards(self) -> list[Award]:
        return [Award(line.user_id, line.amount, line.reason) for line in self.valid]


def _rows(upload) -> list[tuple[int, list[str]]]:
    rows = csv_rows_read(upload, refused=AwardFileRefused, delimiters=",;\t")
    header = [cell.strip().lower() for cell in rows[0][1]]
    if len(header) < 3 or header[0] not in EMPLOYEE_COLUMNS or header[1:3] != ["amount", "reason"]:
        raise AwardFileRefused(
            _("The first line must be the header: employee,amount,reason (employee is an e-mail or user id).")
        )
    if len(rows) - 1 > MAX_ROWS:
        raise AwardFileRefused(
            _("The file has %(lines)s lines; upload at most %(most)s at a time.")
            % {"lines": number(len(rows) - 1), "most": number(MAX_ROWS)}
        )
    return rows[1:]


def _employees(keys: set[str]) -> dict[str, tuple[str, str]]:
    """Who each e-mail or user id in the file is: key as written (e-mails lower-case) -> (stored
    user id, name). Three queries."""
    users = get_user_model().objects.only("id", "email", "first_name", "last_name")
    emails = {key.lower() for key in keys if "@" in key}
    found = {}
    for user in users.filter(email__in=emails):
        found[user.email.lower()] = (user.pk, str(user))
    stored_ids = user_ids_resolve({key for key in keys if "@" not in key})
    names = {user.pk: str(user) for user in users.filter(pk__in=set(stored_ids.values()))}
    for written, stored in stored_ids.items():
        found[written] = (stored, names[stored])
    return found


def award_file_read(upload, *, awarded_by_id: str) -> AwardPreview:
    """The preview of an uploaded award file, or AwardFileRefused for a file we cannot read."""
    rows = _rows(upload)
    lines = [AwardLine(number, *(cell.strip() for cell in (row + ["", "", ""])[:3])) for number, row in rows]
    employees = _employees({line.employee for line in lines if line.employee})
    first_line_of: dict[str, int] = {}
    for line in lines:
        line.error = _line_error(line, employees, first_line_of, awarded_by_id=awarded_by_id)
    return AwardPreview(lines)


def _line_error(line: AwardLine, employees: dict, first_line_of: dict[str, int], *, awarded_by_id: str) -> str | None:
    """What is wrong with the line, by the same rules and in the same words as the award service."""
    if not line.employee:
        return _("The employee is missing.")
    key = line.employee.lower() if "@" in line.employee else line.employee
    if key not in employees:
        return _("No employee has the e-mail or id “%(employee)s”.") % {"employee": line.employee[:60]}
    line.user_id, line.employee_name = employees[key]
    try:
        self_award_refuse(user_id=line.user_id, awarded_by_id=awarded_by_id)
        line.amount = points_amount_from_text(line.amount_text)
        points_reason_clean(line.reason)
    except ShopError as refusal:
        return refusal.message
    if line.user_id in first_line_of:
        # A line number, as the preview's first column shows it: a place in the file, not an amount.
        return _("Duplicate: this employee is already on line %(line)s.") % {"line": first_line_of[line.user_id]}
    first_line_of[line.user_id] = line.line
    return None
