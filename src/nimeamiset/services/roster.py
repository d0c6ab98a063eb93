"""The roster (kokoonpano): who each organisation named, in distribution-list order."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlmodel import Session

from nimeamiset.domain.spreadsheet import neutralise_cell
from nimeamiset.services.status import round_status

CSV_HEADER = ("organisaatio", "rooli", "nimi", "tehtävänimike", "sähköposti", "puhelin")
ROLE_FI = {"member": "varsinainen jäsen", "deputy": "varajäsen"}
NOT_NAMED = "ei nimetty"


def roster_rows(status: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    rows: list[tuple[str, str, str, str, str, str]] = []
    for organisation in status["organisations"]:
        if organisation["state"] != "nominated" or not organisation["seats"]:
            rows.append((organisation["name"], NOT_NAMED, "", "", "", ""))
            continue
        for seat in organisation["seats"]:
            for role in ("member", "deputy"):
                person = seat[role] or {"name": "", "title": "", "email": "", "phone": ""}
                rows.append(
                    (
                        organisation["name"],
                        ROLE_FI[role],
                        person["name"],
                        person["title"],
                        person["email"],
                        person["phone"],
                    )
                )
    return rows


def roster_csv(session: Session, round_id: str) -> bytes:
    """UTF-8 with a BOM and semicolons, as Excel in Finnish opens it without an import step."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in roster_rows(round_status(session, round_id)):
        writer.writerow([neutralise_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")
