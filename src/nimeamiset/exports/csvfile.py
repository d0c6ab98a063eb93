"""The roster as CSV for machines and for Excel: UTF-8 with a BOM, semicolons, CRLF."""

from __future__ import annotations

import csv
import io

from nimeamiset.domain.roster import Roster
from nimeamiset.domain.spreadsheet import neutralise_cell
from nimeamiset.exports.content import lines

# Other code reads this header: keep it as it is.
CSV_HEADER = ("organisaatio", "rooli", "nimi", "tehtävänimike", "sähköposti", "puhelin")


def csv_rows(roster: Roster) -> list[tuple[str, str, str, str, str, str]]:
    """The rows under the header, not yet neutralised."""
    return [
        (line.organisation, line.role, line.name, line.title, line.email, line.phone)
        for line in lines(roster)
    ]


def export_csv(roster: Roster) -> bytes:
    """No heading rows: the first row is the header, every other row one person or empty seat.
    Every cell through ``neutralise_cell`` so that a spreadsheet runs nothing people typed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in csv_rows(roster):
        writer.writerow([neutralise_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")
