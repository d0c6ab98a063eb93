"""Every route under /henkilosto, found by walking the app's routes (so that routes added
later are covered without touching this file): a visitor who is not signed in is refused, a
viewer can change nothing, and no state-changing request gets through without the session's
form token. Path parameters get any value: the refusal must come before the handler runs."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from nimeamiset.runtime import Runtime
from nimeamiset.web.app import create_app
from tests.conftest import ROUND_ID, STAFF_PASSWORD, StaffLogin, sign_in

PREFIX = "/henkilosto"
# Reached before signing in: signing in, choosing a password, single sign-on.
OPEN = re.compile(r"^/henkilosto/(kirjaudu(/.*)?|aseta-salasana/.*)$")
SIGN_OUT = "/henkilosto/kirjaudu-ulos"
SAFE = {"GET", "HEAD", "OPTIONS"}
VALUES = {"round_id": ROUND_ID, "request_id": "1", "fmt": "csv", "version": "1"}


def concrete(path: str) -> str:
    return re.sub(r"{(\w+)(:[^}]*)?}", lambda m: VALUES.get(m.group(1), "x1"), path)


def staff_routes(app: FastAPI) -> list[tuple[str, str, str]]:
    """(method, route pattern, a concrete path) of every route under /henkilosto, included
    routers' routes too."""
    found = []
    for route in iter_route_contexts(app.routes):
        if route.path and route.path.startswith(PREFIX):
            for method in sorted(route.methods or ()):
                found.append((method, route.path, concrete(route.path)))
    return found


def first_match(app: FastAPI, method: str, path: str) -> str | None:
    """The pattern of the route that answers ``method path``, as the router picks it."""
    for route in iter_route_contexts(app.routes):
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path) and method in (route.methods or ()):
            return route.path
    return None


@pytest.fixture
def app(runtime: Runtime) -> FastAPI:
    return create_app(runtime=runtime)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as c:
        yield c


def test_the_walk_reaches_every_staff_route(app: FastAPI) -> None:
    routes = staff_routes(app)
    assert ("GET", PREFIX, PREFIX) in routes and ("POST", SIGN_OUT, SIGN_OUT) in routes
    for method, pattern, path in routes:
        assert first_match(app, method, path) == pattern, (
            f"{method} {path} reaches another route than {pattern}: give its parameters "
            "other values in VALUES"
        )


def test_a_visitor_not_signed_in_gets_nothing(app: FastAPI, client: TestClient) -> None:
    problems = []
    for method, pattern, path in staff_routes(app):
        if OPEN.match(pattern):
            continue
        answer = client.request(method, path, data={} if method not in SAFE else None)
        if method in ("GET", "HEAD"):
            refused = answer.status_code == 303 and answer.headers["location"].startswith(
                "/henkilosto/kirjaudu?seuraava="
            )
        else:
            refused = answer.status_code in (401, 403)
        if not refused:
            problems.append(f"{method} {pattern}: {answer.status_code}")
    assert not problems, "open to a visitor who is not signed in:\n" + "\n".join(problems)


def test_a_viewer_can_use_no_state_changing_route(
    app: FastAPI, client: TestClient, viewer_account: StaffLogin
) -> None:
    csrf = sign_in(client, viewer_account.email, STAFF_PASSWORD)
    problems = []
    for method, pattern, path in staff_routes(app):
        if method in SAFE or OPEN.match(pattern) or pattern == SIGN_OUT:  # viewers sign out
            continue
        answer = client.request(method, path, data={"csrf": csrf})
        if answer.status_code != 403 or "Ei oikeutta" not in answer.text:
            problems.append(f"{method} {pattern}: {answer.status_code}")
    assert not problems, "a viewer got through (use CoordinatorDep):\n" + "\n".join(problems)


def test_no_state_changing_route_works_without_the_form_token_or_from_another_site(
    app: FastAPI, client: TestClient, staff_account: StaffLogin
) -> None:
    csrf = sign_in(client, staff_account.email, STAFF_PASSWORD)
    problems = []
    attempts = [
        ({}, {}),
        ({"csrf": "x" * len(csrf)}, {}),
        ({"csrf": csrf}, {"sec-fetch-site": "cross-site"}),
    ]
    for method, pattern, path in staff_routes(app):
        if method in SAFE or OPEN.match(pattern):
            continue
        for data, headers in attempts:
            answer = client.request(method, path, data=data, headers=headers)
            if answer.status_code != 403 or "Lomake hylättiin" not in answer.text:
                problems.append(f"{method} {pattern} {headers or data}: {answer.status_code}")
    assert not problems, "no CSRF check (add Depends(verify_csrf)):\n" + "\n".join(problems)
