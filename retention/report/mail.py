"""Sending the executive report through the configured SMTP server: the PDF attached, the key figures in the
body (plain text with an HTML alternative). Every failure is an InputError saying why (exit 2 on the CLI)."""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from retention.errors import InputError
from retention.settings import Settings

TIMEOUT = 60  # seconds for the connection and each reply


def check_settings(settings: Settings) -> None:
    """No SMTP host configured is an error before the report is made."""
    if not settings.smtp_host:
        raise InputError(
            "report --email: no SMTP server is configured. Set RETENTION_SMTP_HOST (and RETENTION_SMTP_PORT, "
            "RETENTION_SMTP_USER, RETENTION_SMTP_PASSWORD, RETENTION_SMTP_FROM, RETENTION_SMTP_STARTTLS as the "
            "server needs), for example RETENTION_SMTP_HOST=smtp.example.com RETENTION_SMTP_PORT=587."
        )


def sender(settings: Settings) -> str:
    if settings.smtp_from:
        return settings.smtp_from
    if settings.smtp_user and "@" in settings.smtp_user:
        return settings.smtp_user
    return f"retention@{socket.getfqdn() or 'localhost'}"


def message(settings: Settings, recipients: list[str], made) -> EmailMessage:
    """The e-mail of a made report (retention.report.Output with its PDF)."""
    from retention.report import email_text, render_email_html

    msg = EmailMessage()
    msg["Subject"] = made.report.subject
    msg["From"] = sender(settings)
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="retention.local")
    msg.set_content(email_text(made.report))
    msg.add_alternative(render_email_html(made.report), subtype="html")
    msg.add_attachment(made.pdf, maintype="application", subtype="pdf", filename=f"{made.report.file_stem}.pdf")
    return msg


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {text}".strip()


@contextmanager
def session(settings: Settings) -> Iterator[smtplib.SMTP]:
    """A logged-in SMTP session with RETENTION_SMTP_HOST:PORT (implicit TLS on port 465, else STARTTLS when
    _STARTTLS is on; a login when RETENTION_SMTP_USER is set); any failure an InputError saying why."""
    check_settings(settings)
    host, port = settings.smtp_host, settings.smtp_port
    where = f"the SMTP server {host}:{port} (RETENTION_SMTP_HOST, RETENTION_SMTP_PORT)"
    try:
        if port == 465:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=TIMEOUT)
        with smtp:
            smtp.ehlo()
            if settings.smtp_starttls and port != 465:
                if not smtp.has_extn("starttls"):
                    raise InputError(
                        f"report --email: {where} does not offer STARTTLS. Set RETENTION_SMTP_STARTTLS=false to send "
                        "without encryption (only on a trusted network), or use the server's TLS port."
                    )
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            yield smtp
    except smtplib.SMTPAuthenticationError as exc:
        raise InputError(
            f"report --email: {where} refused the login as '{settings.smtp_user}': {_reply(exc)}. Check "
            "RETENTION_SMTP_USER and RETENTION_SMTP_PASSWORD."
        ) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise InputError(f"report --email: {where} does not support what was asked: {exc}.") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise InputError(f"report --email: {where} refused every recipient ({_refused(exc.recipients)}).") from None
    except smtplib.SMTPSenderRefused as exc:
        raise InputError(
            f"report --email: {where} refused the sender '{exc.sender}': {_reply(exc)}. Set RETENTION_SMTP_FROM."
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise InputError(f"report --email: {where} answered {_reply(exc)}.") from None
    except (smtplib.SMTPException, ssl.SSLError) as exc:
        raise InputError(f"report --email: sending through {where} failed: {exc}.") from None
    except ConnectionRefusedError:
        raise InputError(f"report --email: {where} refused the connection (nothing listens there?).") from None
    except OSError as exc:  # unknown host, timeout, network unreachable
        raise InputError(f"report --email: could not reach {where}: {exc}.") from None


def _refused(recipients: dict) -> str:
    return "; ".join(f"{addr}: {code} {reply.decode('utf-8', 'replace')}" for addr, (code, reply) in recipients.items())


def check_connection(settings: Settings) -> None:
    """Connect and log in, then leave: a wrong host or password fails in a second, before the report is made."""
    with session(settings):
        pass


def send(settings: Settings, recipients: list[str], made) -> None:
    """Send a made report to the recipients (all of them in one message)."""
    msg = message(settings, recipients, made)
    with session(settings) as smtp:
        refused = smtp.send_message(msg)
    if refused:
        raise InputError(
            f"report --email: the SMTP server {settings.smtp_host}:{settings.smtp_port} refused some recipients "
            f"({_refused(refused)}); the others were sent the report."
        )
