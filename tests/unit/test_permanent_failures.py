"""Which SMTP answers fail a message for good: only a 5xx to its recipient or content, never
a quota that passes with the day, trouble with the connection, or our own sender or login."""

from __future__ import annotations

import aiosmtplib
import pytest

from nimeamiset.emails.senders import is_permanent


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (aiosmtplib.SMTPRecipientRefused(550, "5.1.1 No such user", "a@example.fi"), True),
        (aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(553, "x", "a")]), True),
        (aiosmtplib.SMTPDataError(554, "5.6.0 Message rejected"), True),
        (aiosmtplib.SMTPRecipientRefused(554, "5.2.0 Daily quota exceeded", "a"), False),
        (aiosmtplib.SMTPRecipientRefused(451, "4.7.1 Try again later", "a"), False),
        (aiosmtplib.SMTPRecipientRefused(432, "4.3.2 Concurrent connections", "a"), False),
        (aiosmtplib.SMTPSenderRefused(550, "5.7.60 Not allowed to send as", "k@x.fi"), False),
        (aiosmtplib.SMTPAuthenticationError(535, "5.7.3 Authentication failed"), False),
        (aiosmtplib.SMTPServerDisconnected("gone"), False),
        (TimeoutError(), False),
    ],
)
def test_only_a_refusal_of_the_message_itself_is_permanent(
    error: BaseException, permanent: bool
) -> None:
    assert is_permanent(error) is permanent
