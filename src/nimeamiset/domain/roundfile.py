"""The round file: YAML that describes a nomination round, checked with line numbers.

Every problem is reported as ``FILE:LINE: key: what is wrong``, the key as the file spells it,
what is wrong in Finnish; nothing is half-accepted. The checking itself is not YAML's: the file
becomes plain values that go through the same check as the browser form and the copy of a round.

For the browser form and other callers (all importable from here):

``check_round(data: Mapping[str, Any]) -> RoundSpec``
    Checks a round given as plain values: text as typed (days ``27.3.2024`` or ``2024-03-27``,
    meeting times ``18.4.2024 klo 9.00``, ``18.4.2024 9:00`` or ISO, Helsinki time), numbers,
    lists and mappings in the round file's shape. Raises :class:`RoundFileError`.
``RoundFileError.problems: list[Problem]``
    ``Problem(line, key, message)``: ``line`` is 0 outside a file. ``key`` is the dotted path of
    the field (``deadline``, ``first_meeting.start``, ``contact.phone``,
    ``organisations.3.email``, ``organisations.2.joint.1.name``; list positions from 0;
    ``(file)`` for the round as a whole; an unknown key's own path). ``message`` is Finnish and
    complete: ``Määräaika: päivämäärä ei kelpaa (30.2.2025). Muoto on 31.3.2025.``,
    ``Yhteyshenkilön sähköposti: osoite ei kelpaa (tarja(at)example.fi): @-merkki puuttuu.``,
    ``Organisaatio 4: sähköposti puuttuu.``
``field_label(path) -> str``, ``FIELD_FI``
    The Finnish name of a field, by dotted key or path: ``Määräaika``,
    ``Organisaatio 4: sähköposti``. ``FIELD_FI`` holds the names by pattern
    (``organisations.*.email`` → ``sähköposti``).
``key_of(path)``, ``path_of(key)``
    Between a key and its path (``("organisations", 3, "email")``).
``id_in_use(round_id)``, ``deadline_passed(deadline)`` -> ``Problem``
    What only storing finds out (``create_round`` raises them), in the same words.
``parse_round_file(text) -> RoundSpec``, ``locate_problems(text, problems)``
    The file itself; the second puts line numbers on problems found later (an id in use).
"""

from __future__ import annotations

from typing import Any

import yaml

from nimeamiset.domain.roundcheck import (
    FIELD_FI,
    ROOT,
    Path,
    Problem,
    RoundFileError,
    check_round,
    deadline_passed,
    field_label,
    id_in_use,
    key_of,
    path_of,
)
from nimeamiset.domain.roundspec import (
    RESERVED_IDS,
    SLUG,
    TAGS,
    ContactSpec,
    DistributionItem,
    Invitee,
    JointMemberSpec,
    JointSeatSpec,
    MeetingSpec,
    OrganisationSpec,
    RoundSpec,
    SenderSpec,
    slugify,
)

__all__ = [
    "FIELD_FI",
    "RESERVED_IDS",
    "SLUG",
    "TAGS",
    "ContactSpec",
    "DistributionItem",
    "Invitee",
    "JointMemberSpec",
    "JointSeatSpec",
    "MeetingSpec",
    "OrganisationSpec",
    "Problem",
    "RoundFileError",
    "RoundSpec",
    "SenderSpec",
    "check_round",
    "deadline_passed",
    "field_label",
    "id_in_use",
    "key_of",
    "locate_problems",
    "parse_round_file",
    "path_of",
    "slugify",
]

TEXT_KEYS = frozenset({"phone"})
"""Keys whose value is kept as written even when YAML reads a number (``0447773431``)."""

_YAML_FI = (
    ("'\\t'", "rivillä on sarkainmerkki (tab) – sisennä välilyönneillä"),
    (
        "mapping values are not allowed",
        "kaksoispiste väärässä kohdassa (jos arvossa on kaksoispiste, kirjoita arvo "
        "lainausmerkkeihin)",
    ),
    ("could not find expected ':'", "avaimen perästä puuttuu kaksoispiste"),
    ("expected ',' or ']'", "hakasulkeelle [ ei löydy paria ]"),
    ("expected ',' or '}'", "aaltosulkeelle { ei löydy paria }"),
    ("unexpected end of stream", "lainausmerkki jäi sulkematta"),
    (
        "unknown escape character",
        "tuntematon \\-merkintä lainausmerkeissä (käytä yksinkertaisia lainausmerkkejä ')",
    ),
    (
        "expected",
        "sisennys ei täsmää edellisten rivien kanssa, tai jokin lainausmerkki jäi aiemmin "
        "sulkematta",
    ),
    ("undefined alias", "viittaus (*) nimeen, jota ei ole määritelty"),
    ("could not determine a constructor", "tuntematon merkintä (!)"),
    (
        "cannot start any token",
        "arvo alkaa merkillä, jolla se ei voi alkaa: kirjoita arvo lainausmerkkeihin",
    ),
)


def _yaml_problem(exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else 1
    problem = str(getattr(exc, "problem", "") or "")
    detail = next(
        (finnish for english, finnish in _YAML_FI if english in problem),
        "tarkista sisennykset, kaksoispisteet, lainausmerkit ja sulkeet",
    )
    return Problem(line, ROOT, f"Tiedosto ei ole kelvollista YAMLia: {detail}.")


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so that the check reads them with a key and line."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load(text: str) -> tuple[yaml.Node, dict[str, Any]]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise RoundFileError([_yaml_problem(exc)]) from None
    finally:
        loader.dispose()
    if node is None or not isinstance(data, dict):
        raise RoundFileError(
            [
                Problem(
                    1,
                    ROOT,
                    "Tiedostossa pitäisi olla kenttiä muodossa avain: arvo, "
                    "esimerkiksi deadline: 27.3.2024.",
                )
            ]
        )
    return node, data


def _lines(node: yaml.Node, path: Path, lines: dict[Path, int], problems: list[Problem]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = (*path, key)
            if key in seen:
                problems.append(
                    Problem(
                        key_node.start_mark.line + 1,
                        key_of(child),
                        f"{field_label(child)}: kirjoitettu kahdesti – jätä vain yksi.",
                    )
                )
            seen.add(key)
            lines[child] = key_node.start_mark.line + 1
            _lines(value_node, child, lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _lines(item, (*path, index), lines, problems)


def _keep_text(node: yaml.Node, data: Any) -> None:
    """Put back the digits YAML turned into a number where the field is text (a leading zero
    of a phone number, read as an octal or decimal integer, would otherwise be lost)."""
    if isinstance(node, yaml.MappingNode) and isinstance(data, dict):
        for key_node, value_node in node.value:
            key = key_node.value
            if key not in data:
                continue
            if (
                key in TEXT_KEYS
                and isinstance(value_node, yaml.ScalarNode)
                and isinstance(data[key], int | float)
                and not isinstance(data[key], bool)
            ):
                data[key] = str(value_node.value)
            else:
                _keep_text(value_node, data[key])
    elif isinstance(node, yaml.SequenceNode) and isinstance(data, list):
        for item_node, item in zip(node.value, data, strict=False):
            _keep_text(item_node, item)


def _line_for(path: Path, lines: dict[Path, int]) -> int:
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path, 1)


def _placed(problems: list[Problem], lines: dict[Path, int]) -> list[Problem]:
    placed = [
        p if p.line else Problem(_line_for(path_of(p.key), lines), p.key, p.message)
        for p in problems
    ]
    return sorted(placed, key=lambda p: p.line)


def locate_problems(text: str, problems: list[Problem]) -> list[Problem]:
    """The problems with the line of their key in the round file ``text`` where they had none."""
    try:
        node, _ = _load(text)
    except RoundFileError:
        return [p if p.line else Problem(1, p.key, p.message) for p in problems]
    lines: dict[Path, int] = {}
    _lines(node, (), lines, [])
    return _placed(problems, lines)


def parse_round_file(text: str) -> RoundSpec:
    """Parse and check a round file; raise RoundFileError listing every problem with its line."""
    node, data = _load(text)
    lines: dict[Path, int] = {}
    problems: list[Problem] = []
    _lines(node, (), lines, problems)
    if problems:
        raise RoundFileError(problems)
    _keep_text(node, data)
    try:
        return check_round(data)
    except RoundFileError as exc:
        raise RoundFileError(_placed(exc.problems, lines)) from None
