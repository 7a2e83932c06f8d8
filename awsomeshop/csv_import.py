"""Reading uploaded CSV files (award files, voucher codes): size, encoding and CSV syntax checked
once, each refusal in words a spreadsheet user can act on."""

import csv
import io

from django.utils.translation import gettext as _

from awsomeshop.exceptions import ShopError
from awsomeshop.text import number

MAX_FILE_BYTES = 2 * 1024 * 1024


def _delimiter(text: str, candidates: str) -> str:
    """The separator the file's first line uses most, of the candidates (`,` when none)."""
    first_line = text.split("\n", 1)[0]
    counts = {candidate: first_line.count(candidate) for candidate in candidates}
    best = max(counts, key=lambda candidate: counts[candidate])
    return best if counts[best] else ","


def csv_rows_read(upload, *, refused: type[ShopError], delimiters: str = ",") -> list[tuple[int, list[str]]]:
    """The non-blank rows of an uploaded CSV file with their line numbers, or `refused` with why.
    With several `delimiters`, the one the first line uses most (spreadsheets in much of Europe
    write `;`, some exports a tab)."""
    raw = upload.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise refused(
            _("The file is larger than %(megabytes)s MB; split it and upload the parts.")
            % {"megabytes": number(MAX_FILE_BYTES // 1_048_576)}
        )
    if b"\x00" in raw:
        raise refused(_("This is not a CSV file (it contains binary data). Export the sheet as CSV."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise refused(
            _("The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8” and upload it again.")
        ) from error
    # newline="": the csv module's own line handling, so old Mac files (CR only) read too.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text, delimiters))
    try:
        rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as error:
        # The csv module's own reason (English) is kept as it is: it names the line and the fault.
        raise refused(_("The file is not valid CSV: %(reason)s.") % {"reason": error}) from error
    if not rows:
        raise refused(_("The file is empty."))
    return rows
