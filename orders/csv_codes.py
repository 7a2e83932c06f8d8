"""Reading a file of voucher codes: one code or link per line. With a header line, the column
whose name says "code" (or link, url, voucher); without one, the first column. Comma, semicolon
or tab separated. Nothing here writes; orders.services.voucher_codes_import loads what it returns."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from awsomeshop.csv_import import csv_rows_read
from awsomeshop.exceptions import ShopError
from awsomeshop.text import number

MAX_CODES = 10_000
HEADERS = ("code", "codes", "voucher", "voucher code", "link", "url")
# A cell starting with one of these is a formula to a spreadsheet: no gift card reads like that.
FORMULA_STARTS = ("=", "+", "@")


class CodeFileRefused(ShopError):
    code = "code_file_refused"
    status = 400


def _code_column(header: list[str]) -> int | None:
    """The code column of a header line, or None when the first line is no header."""
    names = [cell.strip().lower() for cell in header]
    for index, name in enumerate(names):
        if name in HEADERS:
            return index
    for index, name in enumerate(names):
        if "code" in name:
            return index
    return None


def code_file_read(upload) -> list[str]:
    """The codes of an uploaded file in file order, or CodeFileRefused for a file we cannot read."""
    rows = csv_rows_read(upload, refused=CodeFileRefused, delimiters=",;\t")
    column = _code_column(rows[0][1])
    if column is None:
        column = 0
    else:
        rows = rows[1:]
    codes = []
    for line, row in rows:
        code = row[column].strip() if column < len(row) else ""
        if code.startswith(FORMULA_STARTS):
            raise CodeFileRefused(
                _(
                    "The code on line %(line)s starts with “%(start)s”, as a spreadsheet formula does; "
                    "check the file and upload it again. Nothing was loaded."
                )
                % {"line": line, "start": code[0]},
                line=line,
            )
        if code:
            codes.append(code)
    if not codes:
        raise CodeFileRefused(_("The file has no codes: put one code or link per line, under a “code” header."))
    if len(codes) > MAX_CODES:
        raise CodeFileRefused(
            ngettext(
                "The file has %(count)s code; load at most %(most)s at a time.",
                "The file has %(count)s codes; load at most %(most)s at a time.",
                len(codes),
            )
            % {"count": number(len(codes)), "most": number(MAX_CODES)}
        )
    return codes
