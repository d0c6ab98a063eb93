"""A distribution list (jakelulista) from what staff paste or upload: rows typed or copied from
a spreadsheet, a CSV file (``;`` or ``,``; UTF-8 with or without BOM, or Windows-1252 as
Finnish Excel saves it) or an XLSX workbook.

Headers may be Finnish or English (``nimi``/``organisaatio``/``name``, ``sähköposti``/``email``/
``kirjaamo``, ``kieli``/``language``, ``paikat``/``seats``, ``yhteinen``/``joint``); without a
header the columns are taken in that order. Rows with the same ``yhteinen`` label share one
seat. Every problem is reported row by row in Finnish (``Rivi 7: sähköposti puuttuu``), row
numbers as a spreadsheet shows them; a list with any problem is refused whole.

The result has the shape of the round file's ``organisations``. Pure: no database, no clock.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nimeamiset.domain.people import normalise_email

Item = dict[str, Any]
"""One entry of the list: ``{name, email, language, seats}`` or ``{joint: [{name, email,
language}, ...]}``."""

COLUMNS = ("name", "email", "language", "seats", "joint")
"""The columns, in the order they are read when the list has no header."""

HEADERS = {
    "name": ("nimi", "organisaatio", "organisaation nimi", "name", "organisation", "organization"),
    "email": (
        "sähköposti",
        "sahkoposti",
        "sähköpostiosoite",
        "kirjaamo",
        "kirjaamon osoite",
        "email",
        "e-mail",
    ),
    "language": ("kieli", "language"),
    "seats": ("paikat", "paikkoja", "paikka", "seats"),
    "joint": ("yhteinen", "yhteinen paikka", "joint"),
}
HEADER_NAMES = {alias: column for column, aliases in HEADERS.items() for alias in aliases}

LANGUAGES = {
    "fi": "fi",
    "suomi": "fi",
    "finnish": "fi",
    "sv": "sv",
    "ruotsi": "sv",
    "svenska": "sv",
    "swedish": "sv",
    "en": "en",
    "englanti": "en",
    "english": "en",
}
MAX_ROWS = 2000
MAX_NAME = 300
MAX_SEATS = 20
MAX_JOINT = 50
MAX_FILE_BYTES = 2 * 1024 * 1024

_BOM = b"\xef\xbb\xbf"
_ZIP = b"PK\x03\x04"


class DistributionError(ValueError):
    """The list was refused; ``problems`` says why, row by row, in Finnish."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


Table = list[tuple[int, list[str]]]
"""Rows of cells, each with its row number as a spreadsheet shows it (from 1)."""


# --- reading what was given --------------------------------------------------------------------


def _delimiter(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in ("\t", ";", ",")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


def _split(text: str) -> Table:
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    try:
        return [(number, row) for number, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise DistributionError([f"Rivejä ei voitu lukea: {exc}."]) from None


def from_text(text: str) -> list[Item]:
    """Rows pasted into a text box: separated by tabs (copied from Excel), ``;`` or ``,``."""
    return organisations(_split(text))


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as Finnish Excel writes ``CSV``."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise DistributionError(
            ["Tiedoston merkistöä ei tunnistettu. Tallenna se Excelissä muodossa CSV UTF-8."]
        ) from None


def from_csv(data: bytes) -> list[Item]:
    return organisations(_split(decode(data)))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def from_xlsx(data: bytes) -> list[Item]:
    """The first sheet of a workbook."""
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a damaged or foreign file: openpyxl raises many kinds
        raise DistributionError(
            ["Excel-tiedostoa ei voitu lukea. Tallenna se muodossa .xlsx."]
        ) from None
    try:
        sheet = book.worksheets[0]
        table: Table = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + 1:
                break
            table.append((number, [_cell_text(value) for value in row]))
    finally:
        book.close()
    return organisations(table)


def from_upload(filename: str, data: bytes) -> list[Item]:
    """A file staff chose: XLSX by its content (a zip), anything else read as CSV."""
    if len(data) > MAX_FILE_BYTES:
        raise DistributionError(["Tiedosto on liian suuri: enintään 2 Mt."])
    if not data.strip():
        raise DistributionError(["Tiedosto on tyhjä."])
    if data.startswith(_ZIP):
        return from_xlsx(data)
    if filename.lower().endswith((".xls", ".xlsx", ".ods")):
        raise DistributionError(
            ["Tiedostoa ei voitu lukea. Tallenna se Excelissä muodossa .xlsx tai CSV."]
        )
    return from_csv(data)


# --- checking the rows -------------------------------------------------------------------------


def _clean(text: str) -> str:
    return " ".join(text.split())


def _header_key(text: str) -> str:
    return _clean(text).casefold().rstrip(":*").strip()


def _columns(cells: list[str]) -> dict[str, int] | None:
    """The header's columns, or None when the row is not a header."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        column = HEADER_NAMES.get(_header_key(cell))
        if column is not None and column not in found:
            found[column] = index
    return found or None


@dataclass(frozen=True)
class _Row:
    number: int
    name: str
    email: str
    language: str
    seats: int
    joint: str


def _read_row(number: int, cells: Mapping[str, str], problems: list[str]) -> _Row | None:
    here = f"Rivi {number}"
    name, email = _clean(cells.get("name", "")), _clean(cells.get("email", ""))
    language_text = _clean(cells.get("language", ""))
    seats_text, joint = _clean(cells.get("seats", "")), _clean(cells.get("joint", ""))
    before = len(problems)
    if not name:
        problems.append(f"{here}: nimi puuttuu")
    elif len(name) > MAX_NAME:
        problems.append(f"{here}: nimi on liian pitkä (enintään {MAX_NAME} merkkiä)")
    if not email:
        problems.append(f"{here}: sähköposti puuttuu")
    else:
        try:
            email = normalise_email(email)
        except ValueError:
            problems.append(f"{here}: sähköposti ei kelpaa ({email})")
    language = LANGUAGES.get(language_text.casefold()) if language_text else "fi"
    if language is None:
        problems.append(f'{here}: kieli "{language_text}" ei kelpaa (fi, sv tai en)')
    seats = 1
    if seats_text:
        if re.fullmatch(r"\d{1,3}", seats_text) and 1 <= int(seats_text) <= MAX_SEATS:
            seats = int(seats_text)
        else:
            problems.append(
                f'{here}: paikkoja "{seats_text}" ei kelpaa: kirjoita luku 1–{MAX_SEATS}'
            )
    if joint and seats > 1:
        problems.append(
            f'{here}: yhteinen paikka "{joint}" on yksi paikka: jätä paikat tyhjäksi tai kirjoita 1'
        )
    if len(problems) > before or language is None:
        return None
    return _Row(number, name, email, language, seats, joint)


def organisations(table: Table) -> list[Item]:
    """Check the rows and return the list; raise DistributionError with every problem."""
    rows = [(number, cells) for number, cells in table if any(c.strip() for c in cells)]
    if not rows:
        raise DistributionError(["Jakelulista on tyhjä: siinä ei ole yhtään organisaatiota."])
    header_number, header_cells = rows[0]
    columns = _columns(header_cells)
    if columns is None:
        columns = {column: index for index, column in enumerate(COLUMNS)}
    else:
        rows = rows[1:]
        missing = [HEADERS[c][0] for c in ("name", "email") if c not in columns]
        if missing:
            wanted = " ja ".join(f'"{m}"' for m in missing)
            raise DistributionError(
                [f"Rivi {header_number}: otsikkoriviltä puuttuu sarake {wanted}"]
            )
    if not rows:
        raise DistributionError(["Jakelulista on tyhjä: siinä on vain otsikkorivi."])
    if len(rows) > MAX_ROWS:
        raise DistributionError([f"Jakelulistassa on yli {MAX_ROWS} riviä."])
    problems: list[str] = []
    read: list[_Row] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        values = {c: cells[i] if i < len(cells) else "" for c, i in columns.items()}
        row = _read_row(number, values, problems)
        name = _clean(values.get("name", "")).casefold()
        if name and name in seen:
            problems.append(
                f'Rivi {number}: organisaatio "{_clean(values["name"])}" on listassa jo '
                f"rivillä {seen[name]}"
            )
            continue
        if name:
            seen[name] = number
        if row is not None:
            read.append(row)
    items = _group(read, problems)
    if problems:
        raise DistributionError(problems)
    return items


def _group(rows: list[_Row], problems: list[str]) -> list[Item]:
    """Rows with the same ``yhteinen`` label become one joint seat, where its first row is."""
    groups: dict[str, list[_Row]] = {}
    for row in rows:
        if row.joint:
            groups.setdefault(row.joint.casefold(), []).append(row)
    items: list[Item] = []
    for row in rows:
        if not row.joint:
            items.append(
                {"name": row.name, "email": row.email, "language": row.language, "seats": row.seats}
            )
            continue
        members = groups[row.joint.casefold()]
        if members[0] is not row:
            continue
        if len(members) < 2:
            problems.append(
                f'Rivi {row.number}: yhteinen paikka "{row.joint}" tarvitsee vähintään kaksi '
                "organisaatiota"
            )
        elif len(members) > MAX_JOINT:
            problems.append(
                f'Rivi {row.number}: yhteisessä paikassa "{row.joint}" on yli {MAX_JOINT} '
                "organisaatiota"
            )
        items.append(
            {"joint": [{"name": m.name, "email": m.email, "language": m.language} for m in members]}
        )
    return items


# --- several sources, and the list back as rows ------------------------------------------------


def names(items: Iterable[Item]) -> list[str]:
    """Every organisation's name, joint seats flattened, in list order."""
    out: list[str] = []
    for item in items:
        out += [m["name"] for m in item["joint"]] if "joint" in item else [item["name"]]
    return out


def merge(sources: Sequence[tuple[str, str, Sequence[Item]]]) -> tuple[list[Item], dict[str, str]]:
    """One list from several (key, Finnish description, items), in that order. An organisation
    on two of them is a problem of the later one: ``{key: message}``."""
    merged: list[Item] = []
    where: dict[str, str] = {}
    problems: dict[str, list[str]] = {}
    for key, label, items in sources:
        for name in names(items):
            earlier = where.get(name.casefold())
            if earlier is not None and earlier != label:
                problems.setdefault(key, []).append(f'"{name}" on jo {earlier}')
            where.setdefault(name.casefold(), label)
        merged += items
    return merged, {
        key: "Sama organisaatio kahdesti: " + ", ".join(p) + "." for key, p in problems.items()
    }


def as_rows(items: Iterable[Item]) -> str:
    """The list as rows to paste back (``;``-separated with a Finnish header): joint seats get
    the labels ``Y1``, ``Y2``..."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["nimi", "sähköposti", "kieli", "paikat", "yhteinen"])
    joint = 0
    for item in items:
        if "joint" in item:
            joint += 1
            for member in item["joint"]:
                writer.writerow(
                    [member["name"], member["email"], member.get("language", "fi"), "", f"Y{joint}"]
                )
        else:
            seats = int(item.get("seats", 1))
            writer.writerow([item["name"], item["email"], item.get("language", "fi"), seats, ""])
    return out.getvalue()
