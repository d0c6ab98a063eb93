"""The embedded default's mail capture: aiosmtpd in process, read at /postilaatikko."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from nimeamiset.emails.capture import MailCapture
from nimeamiset.emails.senders import SmtpSender
from nimeamiset.runtime import Runtime
from nimeamiset.web.app import create_app
from tests.conftest import free_port
from tests.helpers import launch


def test_captured_invitations_can_be_read_and_their_links_followed(
    runtime: Runtime, round_id: str, tmp_path: Path
) -> None:
    capture = MailCapture(tmp_path / "mail", port=free_port())
    capture.start()
    try:
        settings = runtime.settings.model_copy(
            update={"smtp_port": capture.port, "mail_capture_dir": tmp_path / "mail"}
        )
        rt = Runtime(
            settings=settings, engine=runtime.engine, mail=runtime.mail, sender=SmtpSender(settings)
        )
        launch(rt, round_id)
    finally:
        capture.stop()
    with TestClient(create_app(runtime=rt)) as client:
        index = client.get("/postilaatikko")
        assert index.status_code == 200
        assert index.text.count("<tr>") == 6  # the header and five invitations
        name = index.text.split('href="/postilaatikko/')[1].split('"')[0]
        page = client.get(f"/postilaatikko/{name}")
        assert "Edustajan nimeäminen" in page.text
        link = page.text.split('<a href="http://testserver/n/')[1].split('"')[0]
        assert client.get(f"/n/{link}").status_code == 200
        html = client.get(f"/postilaatikko/{name}/html")
        assert "sandbox" in html.headers["content-security-policy"]
        assert client.get("/postilaatikko/../../etc/passwd").status_code == 404
        assert client.get("/postilaatikko/ffff-0000").status_code == 404


def test_without_capture_there_is_no_mailbox(runtime: Runtime) -> None:
    with TestClient(create_app(runtime=runtime)) as client:
        assert client.get("/postilaatikko").status_code == 404
        assert client.get("/").status_code == 200
