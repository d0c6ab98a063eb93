from __future__ import annotations

from nimeamiset.domain.people import FieldError, Person, parse_person
from nimeamiset.domain.spreadsheet import neutralise_cell
from nimeamiset.domain.tokens import hash_token, new_token


def test_a_person_is_cleaned() -> None:
    person, errors = parse_person(
        {
            "name": "  Åsa   O'Brien ",
            "title": "johtaja",
            "email": "Asa@Example.FI",
            "phone": "+358 40 123 4567",
        }
    )
    assert errors == {}
    assert person == Person("Åsa O'Brien", "johtaja", "Asa@example.fi", "040 1234567")


def test_foreign_numbers_stay_international() -> None:
    person, _ = parse_person({"name": "A", "email": "a@example.fi", "phone": "+46701234567"})
    assert person is not None and person.phone == "+46 70 123 45 67"


def test_name_and_email_are_required_title_and_phone_not() -> None:
    person, errors = parse_person({"name": " ", "title": "", "email": "", "phone": ""})
    assert person is None
    assert errors == {"name": FieldError.REQUIRED, "email": FieldError.REQUIRED}


def test_bad_email_and_phone_are_named() -> None:
    _, errors = parse_person({"name": "A", "email": "a@", "phone": "123"})
    assert errors == {"email": FieldError.EMAIL, "phone": FieldError.PHONE}


def test_overlong_text_is_refused() -> None:
    _, errors = parse_person({"name": "x" * 201, "email": "a@example.fi"})
    assert errors == {"name": FieldError.TOO_LONG}


def test_formulas_are_neutralised_and_plain_text_is_not() -> None:
    for formula in ("=1+1", "+358", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise_cell(formula) == "'" + formula
    for plain in ("Aino", "O'Brien", "", "1+1"):
        assert neutralise_cell(plain) == plain


def test_tokens_are_long_random_and_only_their_hash_is_kept() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(len(t) == 32 for t in tokens)  # 24 bytes, 192 bits
    token = next(iter(tokens))
    assert hash_token(token) == hash_token(token) != token
    assert len(hash_token(token)) == 64


def test_gender_is_optional_unless_the_round_asks_for_it() -> None:
    raw = {"name": "A", "email": "a@example.fi"}
    person, errors = parse_person(raw)
    assert errors == {} and person is not None and person.gender == ""
    _, errors = parse_person(raw, gender_required=True)
    assert errors == {"gender": FieldError.REQUIRED}
    person, _ = parse_person({**raw, "gender": "woman"}, gender_required=True)
    assert person is not None and person.gender == "woman"
    _, errors = parse_person({**raw, "gender": "x"})
    assert errors == {"gender": FieldError.CHOICE}


def test_addresses_must_be_sendable_as_ascii() -> None:
    _, errors = parse_person({"name": "A", "email": "jääskeläinen@example.fi"})
    assert errors == {"email": FieldError.EMAIL}
    person, _ = parse_person({"name": "A", "email": "aino@hämeenlinna.fi"})
    assert person is not None and person.email == "aino@xn--hmeenlinna-q5a.fi"


def test_a_phone_number_with_a_long_extension_is_refused_not_truncated() -> None:
    _, errors = parse_person(
        {"name": "A", "email": "a@example.fi", "phone": "+1 650-253-0000 ext. 12345678901234567890"}
    )
    assert errors == {"phone": FieldError.TOO_LONG}
