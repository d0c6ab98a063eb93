"""The round file: YAML that describes a nomination round, checked with line numbers.

Every problem is reported as ``FILE:LINE: key: what is wrong``; nothing is half-accepted.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from nimeamiset.domain.people import normalise_email, normalise_phone
from nimeamiset.domain.reminders import DEFAULT_OFFSETS
from nimeamiset.domain.timefmt import as_helsinki

Path_ = tuple[str | int, ...]


def _email(value: str) -> str:
    return normalise_email(value)


def _phone(value: str) -> str:
    """Checked, but kept as staff wrote it: the council's own number in its own style."""
    if value:
        normalise_phone(value)
    return " ".join(value.split())


def _one_line(value: str) -> str:
    value = value.strip()
    if "\n" in value or "\r" in value:
        raise ValueError("must fit on one line")
    return value


Email = Annotated[str, AfterValidator(_email)]
Line = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_one_line)]
Language = Literal["fi", "sv", "en"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class MeetingSpec(_Strict):
    start: datetime
    end: datetime
    place: Line

    @field_validator("start", "end")
    @classmethod
    def _helsinki(cls, value: datetime) -> datetime:
        return as_helsinki(value)

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class SenderSpec(_Strict):
    name: Line
    title: Line
    organisation: Line


class ContactSpec(_Strict):
    name: Line
    title: Line
    email: Email
    phone: Annotated[str, AfterValidator(_phone)] = ""


class OrganisationSpec(_Strict):
    name: Line
    email: Email
    language: Language = "fi"
    seats: Annotated[int, Field(ge=1, le=20)] = 1


class JointMemberSpec(_Strict):
    name: Line
    email: Email
    language: Language = "fi"


class JointSeatSpec(_Strict):
    """One seat shared by several organisations: each is asked, the first reply fills it."""

    joint: Annotated[list[JointMemberSpec], Field(min_length=2, max_length=50)]


def _item_kind(value: Any) -> str:
    return "joint-seat" if isinstance(value, dict) and "joint" in value else "organisation"


DistributionItem = Annotated[
    Annotated[OrganisationSpec, Tag("organisation")] | Annotated[JointSeatSpec, Tag("joint-seat")],
    Discriminator(_item_kind),
]
TAGS = frozenset({"organisation", "joint-seat"})


@dataclass(frozen=True)
class Invitee:
    """An organisation on the distribution list, joint seats flattened, in list order."""

    name: str
    email: str
    language: str
    seats: int
    joint_group: str | None  # the same for every organisation sharing a seat
    path: tuple[str | int, ...]  # where it stands in the file, for error messages


SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$")
RESERVED_IDS = frozenset(
    {"kirjaudu", "kirjaudu-ulos", "aseta-salasana", "kayttoloki", "uusi", "organisaatiot"}
)
"""Paths of the staff pages under /henkilosto/: a round of this id could not be reached."""


class RoundSpec(_Strict):
    id: Annotated[str, Field(pattern=SLUG.pattern)] | None = None
    body: Line
    subject: Line
    letter: Annotated[str, Field(min_length=1, max_length=20_000)]
    deadline: date
    first_meeting: MeetingSpec
    sender: SenderSpec
    contact: ContactSpec
    organisations: Annotated[list[DistributionItem], Field(min_length=1, max_length=2000)]
    gender_balance: bool = False
    """Ask for both a woman and a man for each seat; the form then requires gender."""
    assemble_days_before: Annotated[int, Field(ge=0, le=90)] = 7
    invite_to_meeting: bool = False
    """Send the meeting invitation to every member and deputy right after assembly."""
    reminders: Annotated[list[Annotated[int, Field(ge=-60, le=180)]], Field(max_length=10)] = Field(
        default_factory=lambda: list(DEFAULT_OFFSETS)
    )

    @field_validator("id")
    @classmethod
    def _not_reserved(cls, value: str | None) -> str | None:
        if value in RESERVED_IDS:
            raise ValueError(f"{value!r} is reserved for the staff pages: choose another id")
        return value

    @field_validator("deadline", mode="before")
    @classmethod
    def _date_not_datetime(cls, value: Any) -> Any:
        if isinstance(value, datetime):
            raise ValueError("give a day (2024-03-27): replies are due by its end")
        return value

    @model_validator(mode="after")
    def _deadline_before_meeting(self) -> Self:
        if self.deadline >= self.first_meeting.start.date():
            raise ValueError("deadline must be before the first meeting's day")
        return self

    def invitees(self) -> list[Invitee]:
        out = []
        for index, item in enumerate(self.organisations):
            if isinstance(item, JointSeatSpec):
                group = f"j{index}"
                out += [
                    Invitee(
                        m.name, m.email, m.language, 1, group, ("organisations", index, "joint", i)
                    )
                    for i, m in enumerate(item.joint)
                ]
            else:
                out.append(
                    Invitee(
                        item.name,
                        item.email,
                        item.language,
                        item.seats,
                        None,
                        ("organisations", index),
                    )
                )
        return out

    def paragraphs(self) -> list[str]:
        blocks = re.split(r"\n\s*\n", self.letter.strip())
        return [" ".join(block.split()) for block in blocks if block.strip()]


@dataclass(frozen=True)
class Problem:
    line: int
    key: str
    message: str

    def format(self, filename: str) -> str:
        return f"{filename}:{self.line}: {self.key}: {self.message}"


class RoundFileError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"line {p.line}: {p.key}: {p.message}" for p in problems))
        self.problems = problems


def slugify(text: str, max_length: int = 60) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    ascii_only = "".join(ch for ch in folded if not unicodedata.combining(ch))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")
    slug = slug[:max_length].rstrip("-") or "kierros"
    return f"{slug}-kierros" if slug in RESERVED_IDS else slug


def _key_name(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(file)"


def _lines(node: yaml.Node, path: Path_, lines: dict[Path_, int], problems: list[Problem]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = (*path, key)
            if key in seen:
                problems.append(
                    Problem(key_node.start_mark.line + 1, _key_name(child), "appears twice")
                )
            seen.add(key)
            lines[child] = key_node.start_mark.line + 1
            _lines(value_node, child, lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _lines(item, (*path, index), lines, problems)


def _untagged(path: Path_) -> Path_:
    """Pydantic puts the union's tag into error locations; the file has no such key."""
    return tuple(part for part in path if part not in TAGS)


def _line_for(path: Path_, lines: dict[Path_, int]) -> int:
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path, 1)


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return "is not a known key (see the README for the round file's keys)"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so that pydantic checks them with a key and line."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_round_file(text: str) -> RoundSpec:
    """Parse and check a round file; raise RoundFileError listing every problem."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise RoundFileError([Problem(line, "(file)", f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    if node is None or not isinstance(data, dict):
        raise RoundFileError([Problem(1, "(file)", "must be a mapping of keys to values")])
    lines: dict[Path_, int] = {}
    problems: list[Problem] = []
    _lines(node, (), lines, problems)
    if problems:
        raise RoundFileError(problems)
    try:
        spec = RoundSpec.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            path = _untagged(tuple(error["loc"]))
            problems.append(Problem(_line_for(path, lines), _key_name(path), _message(error)))
        raise RoundFileError(sorted(problems, key=lambda p: p.line)) from None
    seen: dict[str, str] = {}
    for invitee in spec.invitees():
        name = invitee.name.casefold()
        where = _key_name(invitee.path)
        if name in seen:
            problems.append(
                Problem(
                    _line_for(invitee.path, lines),
                    f"{where}.name",
                    f"{invitee.name!r} is already on the list ({seen[name]})",
                )
            )
        seen.setdefault(name, where)
    if problems:
        raise RoundFileError(problems)
    return spec
