"""The CLI's number options: what each accepts, and the exact message of what it refuses."""

from __future__ import annotations

import argparse

import pytest

from retention import cli

ACCEPTED = [
    (cli._positive_int, "1", 1),
    (cli._positive_int, "365", 365),
    (cli._fraction, "0", 0.0),
    (cli._fraction, "1", 1.0),
    (cli._fraction, "0.25", 0.25),
    (cli._margin, "1", 1.0),
    (cli._margin, "0.6", 0.6),
    (cli._money, "0", 0.0),
    (cli._money, "12.50", 12.5),
]
REFUSED = [
    (cli._positive_int, "0", "'0' must be at least 1"),
    (cli._positive_int, "-3", "'-3' must be at least 1"),
    (cli._positive_int, "1.5", "'1.5' is not a whole number"),
    (cli._positive_int, "x", "'x' is not a whole number"),
    (cli._fraction, "1.01", "'1.01' must be between 0 and 1"),
    (cli._fraction, "-0.1", "'-0.1' must be between 0 and 1"),
    (cli._fraction, "nan", "'nan' must be between 0 and 1"),
    (cli._fraction, "y", "'y' is not a number"),
    (cli._margin, "0", "'0' must be above 0 and at most 1 (a share of revenue, such as 0.6)"),
    (cli._margin, "1.5", "'1.5' must be above 0 and at most 1 (a share of revenue, such as 0.6)"),
    (cli._margin, "nan", "'nan' must be above 0 and at most 1 (a share of revenue, such as 0.6)"),
    (cli._margin, "x", "'x' is not a number"),
    (cli._money, "-1", "'-1' must be a finite amount of 0 or more"),
    (cli._money, "inf", "'inf' must be a finite amount of 0 or more"),
    (cli._money, "-inf", "'-inf' must be a finite amount of 0 or more"),
    (cli._money, "nan", "'nan' must be a finite amount of 0 or more"),
    (cli._money, "x", "'x' is not a number (an amount such as 25 or 12.50)"),
]


@pytest.mark.parametrize(("check", "text", "value"), ACCEPTED)
def test_accepted(check, text, value):
    got = check(text)
    assert (got, type(got)) == (value, type(value))


@pytest.mark.parametrize(("check", "text", "message"), REFUSED)
def test_refused_with_its_message(check, text, message):
    with pytest.raises(argparse.ArgumentTypeError) as err:
        check(text)
    assert str(err.value) == message


def test_a_refused_option_is_an_input_error_naming_the_option():
    cli._register_all()
    with pytest.raises(cli.InputError) as err:
        cli.build_parser().parse_args(["kpis", "--margin", "0"])
    assert str(err.value) == (
        "python -m retention kpis: argument --margin: '0' must be above 0 and at most 1 (a share of revenue, such "
        "as 0.6). Run `python -m retention kpis --help` for the options."
    )
