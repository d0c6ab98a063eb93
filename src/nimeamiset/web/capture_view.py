"""The demo mailbox: read what the built-in SMTP capture received."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from nimeamiset.emails.capture import Mailbox
from nimeamiset.web.deps import RuntimeDep, render

router = APIRouter(prefix="/postilaatikko")


def get_mailbox(rt: RuntimeDep) -> Mailbox:
    if rt.settings.mail_capture_dir is None:
        raise HTTPException(404)
    return Mailbox(rt.settings.mail_capture_dir)


MailboxDep = Annotated[Mailbox, Depends(get_mailbox)]


@router.get("", response_class=HTMLResponse)
def mailbox_index(request: Request, mailbox: MailboxDep) -> Response:
    return render(request, "mailbox.html", {"messages": mailbox.list()}, lang="fi")


@router.get("/{name}", response_class=HTMLResponse)
def mailbox_message(request: Request, name: str, mailbox: MailboxDep) -> Response:
    message = mailbox.read(name)
    if message is None:
        raise HTTPException(404)
    return render(request, "mailbox_message.html", {"message": message}, lang="fi")


@router.get("/{name}/html", response_class=HTMLResponse)
def mailbox_message_html(name: str, mailbox: MailboxDep) -> Response:
    message = mailbox.read(name)
    if message is None or not message.html:
        raise HTTPException(404)
    # Shown as the mail client would: sandboxed, no scripts, no forms.
    return HTMLResponse(
        message.html,
        headers={
            "Content-Security-Policy": (
                "sandbox allow-popups allow-top-navigation-by-user-activation; "
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
            )
        },
    )
