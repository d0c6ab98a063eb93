"""What coordinators do to a round from the staff pages, under ``/henkilosto``.

Every action has a page (GET: what will happen, or its form) and a POST that does it, for
coordinators only and with the session's form token (:mod:`nimeamiset.web.auth`). A POST parses
the form, calls one service in a unit of work acting as ``staff:<email>`` (which writes the
audit events and queues the mail), hands the mail to the thread pool to go out at once, and
goes back to the round's or the organisation's page with a fixed message (``?tehty=``). A bad
form comes back with each error next to its field and the values as typed (422); an action
that does not fit the round's state is refused with the reason (409).

- :mod:`~nimeamiset.web.staff_confirmed_actions`: nothing to type, one button.
- :mod:`~nimeamiset.web.staff_form_actions`: a form (address, reply, member, dates, choices).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from nimeamiset.web import (
    staff_confirmed_actions,
    staff_form_actions,
    staff_launch,
    staff_preview,
)
from nimeamiset.web.auth import guard_staff_route

router = APIRouter(prefix="/henkilosto", dependencies=[Depends(guard_staff_route)])
router.include_router(staff_confirmed_actions.router)
router.include_router(staff_form_actions.router)
router.include_router(staff_preview.router)
router.include_router(staff_launch.router)
