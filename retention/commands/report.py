"""CLI `report`: the executive report of the last complete period as HTML or PDF, optionally e-mailed."""

from __future__ import annotations

import argparse
import sys
from email.utils import parseaddr

from retention.cli import Report, _positive_int
from retention.db import Dataset
from retention.errors import InputError
from retention.params import Params

SUFFIXES = (".html", ".pdf")


def _address(text: str) -> str:
    name, addr = parseaddr(text)
    if not addr or "@" not in addr or addr.startswith("@") or addr.endswith("@"):
        raise argparse.ArgumentTypeError(f"'{text}' is not an e-mail address (example: boss@example.com)")
    return text


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=("en", "zh"), help="the report's language (default: RETENTION_LANGUAGE)")
    parser.add_argument(
        "--email", dest="email", type=_address, nargs="+", action="extend", default=[], metavar="ADDRESS",
        help="send the report (PDF attached, the key figures in the body) to these addresses through the SMTP "
        "server of RETENTION_SMTP_HOST, _PORT, _USER, _PASSWORD, _FROM, _STARTTLS",
    )  # fmt: skip
    parser.add_argument(
        "--top", type=_positive_int, default=10, metavar="N",
        help="rows of the early-warning and win-back lists shown (default 10)",
    )  # fmt: skip


def _run(ds: Dataset, p: Params, args: argparse.Namespace) -> None:
    from retention import report
    from retention.report import mail
    from retention.settings import load_settings

    out = args.out
    if out is None or out.suffix.lower() not in SUFFIXES:
        raise InputError(
            f"report needs --out FILE.html or FILE.pdf (got {str(out) if out else 'no --out'}): the file the "
            "report is written to; its suffix chooses HTML or PDF."
        )
    if not out.parent.exists():
        raise InputError(f"--out {out}: the folder {out.parent} does not exist.")
    settings = load_settings()
    if args.email:
        mail.check_connection(settings)  # a wrong host or password fails now, not after the report is made
    lang = args.lang or settings.language
    wants_pdf = out.suffix.lower() == ".pdf" or bool(args.email)
    made = report.make(ds, p, settings.currency, lang, pdf=wants_pdf, top=args.top)
    if out.suffix.lower() == ".pdf":
        out.write_bytes(made.pdf)
    else:
        out.write_text(made.html, encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    if args.email:
        mail.send(settings, args.email, made)
        print(f"sent to {', '.join(args.email)}", file=sys.stderr)
    return None


def register(add) -> None:
    add("report", Report("the executive report of the last complete period (HTML or PDF), optionally e-mailed",
                         _run, _options))  # fmt: skip
