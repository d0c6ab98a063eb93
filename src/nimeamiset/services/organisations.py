"""The council's organisation register: every organisation a round has asked, with its registry
office's address and language, for the next distribution list to pick from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from nimeamiset.domain.people import normalise_email
from nimeamiset.models import NominationRequest, Organisation
from nimeamiset.services.events import Actor, OrganisationUpdated, event_row

LANGUAGE_NAMES = {"fi": "suomi", "sv": "ruotsi", "en": "englanti"}
MAX_NAME = 300


class OrganisationNotFound(LookupError):
    pass


class OrganisationRefused(ValueError):
    """The changes were refused: a Finnish message per field (``name``, ``email``,
    ``language``)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class RegisterEntry:
    id: int
    name: str
    email: str
    language: str
    rounds: int  # how many rounds it is on

    @property
    def language_name(self) -> str:
        return LANGUAGE_NAMES.get(self.language, self.language)


def list_organisations(session: Session) -> list[RegisterEntry]:
    """The register in alphabetical order (Finnish: å, ä, ö after z), with the rounds each is on."""
    counts = dict(
        session.exec(
            select(
                NominationRequest.organisation_id, func.count(col(NominationRequest.id))
            ).group_by(col(NominationRequest.organisation_id))
        ).all()
    )
    entries = [
        RegisterEntry(o.id, o.name, o.email, o.language, counts.get(o.id, 0))
        for o in session.exec(select(Organisation)).all()
        if o.id is not None
    ]
    return sorted(entries, key=lambda e: _finnish_order(e.name))


def _finnish_order(name: str) -> str:
    # Python's code point order already puts å (U+E5), ä (U+E4), ö (U+F6) after z; only the
    # order among them differs from the alphabet's å, ä, ö.
    return name.casefold().translate({0xE5: "{", 0xE4: "|", 0xF6: "}"})


def get_organisation(session: Session, organisation_id: int) -> RegisterEntry:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or organisation.id is None:
        raise OrganisationNotFound(organisation_id)
    return next(e for e in list_organisations(session) if e.id == organisation.id)


def update_organisation(
    session: Session,
    organisation_id: int,
    *,
    name: str,
    email: str,
    language: str,
    actor: Actor,
    now: datetime,
) -> list[str]:
    """Correct an organisation of the register; returns what changed. Requests already made
    keep the address they were sent to; a new name shows on every round it is on. Commits."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise OrganisationNotFound(organisation_id)
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if not name:
        errors["name"] = "Kirjoita organisaation nimi."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Nimi on liian pitkä: enintään {MAX_NAME} merkkiä."
    else:
        # Compared in Python: SQLite's lower() folds only ASCII, and Ä is common here.
        clash = next(
            (
                other
                for other in session.exec(select(Organisation.name, Organisation.id)).all()
                if other[1] != organisation_id and other[0].casefold() == name.casefold()
            ),
            None,
        )
        if clash is not None:
            errors["name"] = f"Rekisterissä on jo organisaatio {clash[0]}."
    cleaned = email.strip()
    if not cleaned:
        errors["email"] = "Kirjoita kirjaamon sähköpostiosoite."
    else:
        try:
            cleaned = normalise_email(cleaned)
        except ValueError:
            errors["email"] = (
                "Sähköpostiosoite ei kelpaa. Kirjoita se muodossa kirjaamo@organisaatio.fi."
            )
    if language not in LANGUAGE_NAMES:
        errors["language"] = "Valitse kieli."
    if errors:
        raise OrganisationRefused(errors)
    changes = {
        key: [old, new]
        for key, old, new in (
            ("name", organisation.name, name),
            ("email", organisation.email, cleaned),
            ("language", organisation.language, language),
        )
        if old != new
    }
    if changes:
        organisation.name, organisation.email, organisation.language = name, cleaned, language
        session.add(organisation)
        row = event_row(
            OrganisationUpdated(organisation_id, changes), round_id="", actor=actor, now=now
        )
        row.round_id = None
        session.add(row)
    session.commit()
    return list(changes)


__all__ = [
    "OrganisationNotFound",
    "OrganisationRefused",
    "RegisterEntry",
    "get_organisation",
    "list_organisations",
    "update_organisation",
]
