"""A nominee's contact details and the rules for them (email syntax, Finnish phone numbers)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum

import phonenumbers
from email_validator import EmailNotValidError, validate_email

MAX_TEXT = 200
MAX_PHONE = 40


class Role(StrEnum):
    MEMBER = "member"
    DEPUTY = "deputy"


class FieldError(StrEnum):
    REQUIRED = "required"
    TOO_LONG = "too_long"
    EMAIL = "email"
    PHONE = "phone"
    CHOICE = "choice"


@dataclass(frozen=True)
class Person:
    name: str
    title: str
    email: str
    phone: str
    gender: str = ""  # "woman", "man", "other", or "" when not given

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


PERSON_FIELDS = ("name", "title", "email", "phone")
GENDERS = ("woman", "man", "other")


def normalise_email(value: str) -> str:
    """Raise ValueError with the library's reason when the address is not valid."""
    try:
        # ASCII only: registry offices' servers and the email library can't be counted on for
        # SMTPUTF8; an internationalised domain is kept in its ASCII (punycode) form.
        result = validate_email(value, check_deliverability=False, allow_smtputf8=False)
        return str(result.ascii_email or result.normalized)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc


def normalise_phone(value: str, region: str = "FI") -> str:
    """Finnish numbers in the national form (``044 1234567``), others internationally."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(str(exc)) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    if phonenumbers.region_code_for_number(number) == region:
        return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))


def parse_person(
    raw: Mapping[str, str],
    *,
    required: tuple[str, ...] = ("name", "email"),
    gender_required: bool = False,
) -> tuple[Person | None, dict[str, FieldError]]:
    """Clean one person's fields. Returns the person, or None and an error per field.

    Gender is asked only when the round asks organisations for a balance; even then it is
    never anything but one of three choices."""
    cleaned = {key: " ".join((raw.get(key) or "").split()) for key in PERSON_FIELDS}
    errors: dict[str, FieldError] = {}
    for key, value in cleaned.items():
        if key in required and not value:
            errors[key] = FieldError.REQUIRED
        elif len(value) > MAX_TEXT:
            errors[key] = FieldError.TOO_LONG
    if "email" not in errors and cleaned["email"]:
        try:
            cleaned["email"] = normalise_email(cleaned["email"])
        except ValueError:
            errors["email"] = FieldError.EMAIL
    if "phone" not in errors and cleaned["phone"]:
        try:
            cleaned["phone"] = normalise_phone(cleaned["phone"])
        except ValueError:
            errors["phone"] = FieldError.PHONE
        else:
            if len(cleaned["phone"]) > MAX_PHONE:  # an extension can make it long
                errors["phone"] = FieldError.TOO_LONG
    gender = (raw.get("gender") or "").strip()
    if gender and gender not in GENDERS:
        errors["gender"] = FieldError.CHOICE
    elif gender_required and not gender:
        errors["gender"] = FieldError.REQUIRED
    if errors:
        return None, errors
    return Person(**cleaned, gender=gender), {}


def email_key(email: str) -> str:
    """A stable key for a person by email, for once-only messages, that does not show the
    address itself in keys and logs."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
