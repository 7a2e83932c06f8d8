"""Reading a file of voucher codes: one code or link per line (the first column), an optional
`code` header. Nothing here writes; orders.services.voucher_codes_import loads what it returns."""

from awsomeshop.csv_import import csv_rows_read
from awsomeshop.exceptions import ShopError

MAX_CODES = 10_000
HEADERS = {"code", "codes", "voucher", "link", "url"}


class CodeFileRefused(ShopError):
    code = "code_file_refused"


def code_file_read(upload) -> list[str]:
    """The codes of an uploaded file in file order, or CodeFileRefused for a file we cannot read."""
    rows = csv_rows_read(upload, refused=CodeFileRefused)
    if rows[0][1][0].strip().lower() in HEADERS:
        rows = rows[1:]
    codes = [row[0].strip() for _number, row in rows if row and row[0].strip()]
    if not codes:
        raise CodeFileRefused("The file has no codes: put one code or link per line, in the first column.")
    if len(codes) > MAX_CODES:
        raise CodeFileRefused(f"The file has {len(codes):,} codes; load at most {MAX_CODES:,} at a time.")
    return codes
