"""CSV downloads that are safe to open in a spreadsheet."""

import csv
from collections.abc import Iterable, Sequence

from django.http import StreamingHttpResponse

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """The value, with text that a spreadsheet would run as a formula turned into plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> StreamingHttpResponse:
    """Stream rows as a CSV download, so a large export never sits in memory."""
    # Every text cell quoted: a spreadsheet that splits on ";" (German Excel) never takes text after
    # one for a cell of its own, where "=..." would run as a formula. Numbers stay bare.
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_NONNUMERIC)

    def lines():
        yield "\ufeff"  # lets Excel read the file as UTF-8
        yield csv.writer(_Echo()).writerow(header)  # our own column names: plain
        for row in rows:
            yield writer.writerow([csv_safe(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
