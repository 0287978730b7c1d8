"""`report --email`: the report arrives at a local SMTP server started by the test (PDF attached, the key
figures in the body as text and HTML); a refused login, a refused connection and no configured server each
exit 2 (or raise InputError) saying why."""

from __future__ import annotations

import email
import email.policy
import io

import polars as pl
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from retention import db
from retention.errors import InputError
from retention.params import Params
from retention.report import Output, build, fmt_kpi, mail
from retention.settings import load_settings
from tests.conftest import free_port, run_cli

pytestmark = [
    pytest.mark.timeout(900),
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]


class Inbox:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


def reject_everyone(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=False, handled=False)


@pytest.fixture
def smtp_server():
    """A local SMTP server without TLS; `auth=True` asks for a login and refuses every one."""
    started = []

    def start(auth: bool = False):
        inbox = Inbox()
        extra = {"authenticator": reject_everyone, "auth_required": True, "auth_require_tls": False} if auth else {}
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **extra)
        controller.start()
        started.append(controller)
        return controller, inbox

    yield start
    for controller in started:
        controller.stop()


def smtp_env(controller, **more) -> dict:
    return {
        "RETENTION_SMTP_HOST": "127.0.0.1",
        "RETENTION_SMTP_PORT": str(controller.port),
        "RETENTION_SMTP_STARTTLS": "false",
        "RETENTION_SMTP_FROM": "reports@example.com",
        **more,
    }


def test_the_report_arrives(sample_dir, tmp_path, smtp_server):
    controller, inbox = smtp_server()
    out = tmp_path / "weekly.html"
    res = run_cli(
        "report", "--data", sample_dir, "--out", out, "--email", "boss@example.com", "ops@example.com",
        env=smtp_env(controller),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert len(inbox.messages) == 1
    recipients, raw = inbox.messages[0]
    assert recipients == ["boss@example.com", "ops@example.com"]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["From"] == "reports@example.com" and msg["To"] == "boss@example.com, ops@example.com"

    kpis = pl.read_csv(io.StringIO(run_cli("kpis", "--data", sample_dir).stdout), try_parse_dates=True)
    row = kpis.filter(pl.col("complete")).row(-1, named=True)
    assert msg["Subject"] == f"Retention report · {row['period'].strftime('%b %Y')}"

    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    for column in ("active_end", "churn_rate", "revenue", "new", "lapses"):
        figure = fmt_kpi(column, row[column], "USD")
        assert figure in text and figure in html, (column, figure)
    assert f"Active customers: {fmt_kpi('active_end', row['active_end'], 'USD')} (" in text

    attachments = list(msg.iter_attachments())
    assert len(attachments) == 1
    pdf = attachments[0]
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == f"report_{row['period'].isoformat()}_en.pdf"
    assert pdf.get_content().startswith(b"%PDF")


def test_a_refused_login_exits_2_with_the_reason(sample_dir, tmp_path, smtp_server):
    controller, inbox = smtp_server(auth=True)
    env = smtp_env(controller, RETENTION_SMTP_USER="boss", RETENTION_SMTP_PASSWORD="wrong")
    res = run_cli("report", "--data", sample_dir, "--out", tmp_path / "r.pdf", "--email", "boss@example.com", env=env)
    assert res.returncode == 2
    assert "refused the login as 'boss'" in res.stderr and "535" in res.stderr, res.stderr
    assert "RETENTION_SMTP_PASSWORD" in res.stderr and "Traceback" not in res.stderr
    assert inbox.messages == []
    assert not (tmp_path / "r.pdf").exists()  # the login is tried before the report is made


def test_no_server_configured_exits_2_before_any_work(sample_dir, tmp_path):
    res = run_cli("report", "--data", sample_dir, "--out", tmp_path / "r.pdf", "--email", "boss@example.com",
                  env={"RETENTION_SMTP_HOST": ""})  # fmt: skip
    assert res.returncode == 2 and "no SMTP server is configured" in res.stderr
    assert not (tmp_path / "r.pdf").exists()


def test_a_refused_connection_says_so(sample_dir):
    ds = db.open_dataset(sample_dir)
    made = Output(build(ds, Params(as_of=db.engine(ds).meta["default_as_of"]), "USD", "en"), "", b"%PDF-1.4")
    settings = load_settings(smtp_host="127.0.0.1", smtp_port=free_port(), smtp_starttls=False)
    with pytest.raises(InputError, match="refused the connection"):
        mail.send(settings, ["boss@example.com"], made)
    # STARTTLS asked for from a server that does not offer it
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings = load_settings(smtp_host="127.0.0.1", smtp_port=controller.port, smtp_starttls=True)
        with pytest.raises(InputError, match="does not offer STARTTLS"):
            mail.send(settings, ["boss@example.com"], made)
    finally:
        controller.stop()
    assert inbox.messages == []
