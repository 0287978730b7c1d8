"""Predictions (METRICS.md "Predictions"): the paper's golden figures on CDNOW, literal figures for
hand-made customers, the limit models, an independent reference implementation, the SQL summary, the
fit cache, the input errors and the CLI's columns."""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy.optimize import minimize

from retention import db, models
from retention.errors import InputError
from retention.params import Params
from retention.queries import predict as P
from tests.conftest import d, run_cli, write_tables

DATA = Path(__file__).parent / "data"
CDNOW_T = d("1997-09-30")


def cdnow_summary() -> pl.DataFrame:
    return pl.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")


def cdnow_orders() -> pl.DataFrame:
    rows = [line.split() for line in (DATA / "CDNOW_sample.txt").read_text().splitlines() if line.strip()]
    return pl.DataFrame(
        {
            "customer_id": [int(r[1]) for r in rows],
            "ordered_at": [dt.datetime.strptime(r[2], "%Y%m%d").date() for r in rows],
            "amount": [float(r[4]) for r in rows],
        }
    )


def close(value: float, expected: float, rel: float) -> bool:
    return abs(value - expected) <= rel * abs(expected)


# -- golden figures (Fader, Hardie & Lee 2005) -------------------------------------------------------


@pytest.fixture(scope="module")
def weekly_fit() -> models.BgnbdFit:
    s = cdnow_summary()
    return models.fit_bgnbd(s["x"].to_numpy(), s["t_x"].to_numpy(), s["T"].to_numpy())


def test_bgnbd_on_the_cdnow_summary_gives_the_papers_parameters(weekly_fit):
    f = weekly_fit
    assert not f.limit and f.customers == 2357
    for value, expected in ((f.r, 0.243), (f.alpha, 4.414), (f.a, 0.793), (f.b, 2.426)):
        assert close(value, expected, 0.005), (value, expected)
    assert round(f.log_likelihood, 1) == -9582.4


def test_customer_one_expects_1_226_purchases_and_is_alive_with_0_727(weekly_fit):
    # Customer 1: x = 2, t_x = 30.43, T = 38.86 weeks; the next 39 weeks.
    assert round(float(models.expected_purchases(weekly_fit, 2, 30.43, 38.86, 39)), 3) == 1.226
    assert round(float(models.p_alive(weekly_fit, 2, 30.43, 38.86)), 3) == 0.727


def test_gamma_gamma_on_the_cdnow_repeat_buyers_gives_the_papers_parameters():
    s = cdnow_summary().filter(pl.col("x") > 0)
    g = models.fit_gamma_gamma(s["x"].to_numpy(), s["zbar"].to_numpy())
    assert not g.limit and g.customers == 946
    for value, expected in ((g.p, 6.25), (g.q, 3.74), (g.v, 15.44)):
        assert close(value, expected, 0.005), (value, expected)


@pytest.fixture(scope="module")
def cdnow_ds(tmp_path_factory) -> db.Dataset:
    folder = write_tables(tmp_path_factory.mktemp("cdnow"), orders=cdnow_orders())
    return db.open_dataset(folder, use_cache=False)


def test_the_transaction_log_in_days_gives_the_summarys_x_and_t_x(cdnow_ds):
    s = P.summary(cdnow_ds, Params(as_of=CDNOW_T)).with_columns(pl.col("customer_id").cast(pl.Int64))
    ref = cdnow_summary()
    j = s.join(ref, left_on="customer_id", right_on="ID", suffix="_ref")
    assert s.height == j.height == 2357
    assert (j["x"] == j["x_ref"]).all()
    assert ((j["t_x"] / 7).round(2) == j["t_x_ref"]).all()
    assert ((j["age"] / 7).round(2) == j["T"]).all()


def test_the_transaction_log_in_days_gives_alpha_seven_times_the_weekly_one(cdnow_ds, weekly_fit):
    f = P.bgnbd_fit(cdnow_ds, Params(as_of=CDNOW_T))
    assert close(f.alpha, 7 * weekly_fit.alpha, 0.005)
    for value, expected in ((f.r, weekly_fit.r), (f.a, weekly_fit.a), (f.b, weekly_fit.b)):
        assert close(value, expected, 0.005)


# -- literal figures for hand-made customers ----------------------------------------------------------

# r = 2, alpha = 10, a = 2, b = 1: then a + b + x - 1 = r + x, and 2F1(r+x, b+x; r+x; z) = (1-z)^-(b+x),
# so expected purchases over H = (2 + x) * H / (alpha + T + H) / (1 + a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)).
HAND = models.BgnbdFit(r=2.0, alpha=10.0, a=2.0, b=1.0, pi=None, log_likelihood=0.0, customers=0, limit=False)


def test_a_customer_who_never_came_back_is_alive_and_expects_the_population_rate():
    # x = 0, T = 30, H = 60: p_alive 1 (nobody can drop out before a repeat), 2 * 60 / 100 = 1.2.
    assert float(models.p_alive(HAND, 0, 0, 30)) == 1.0
    assert float(models.expected_purchases(HAND, 0, 0, 30, 60)) == pytest.approx(1.2, rel=1e-12)


def test_one_repeat_twenty_days_ago():
    # x = 1, t_x = 10, T = 30: odds 2/1 * (40/20)^3 = 16, p_alive 1/17; expected 3 * 60/100 / 17.
    assert float(models.p_alive(HAND, 1, 10, 30)) == pytest.approx(1 / 17, rel=1e-12)
    assert float(models.expected_purchases(HAND, 1, 10, 30, 60)) == pytest.approx(1.8 / 17, rel=1e-12)


def test_a_purchase_today_and_a_long_silence():
    # x = 3 bought on T = 30: odds 2/3, p_alive 0.6, expected 5 * 60/100 * 0.6 = 1.8.
    assert float(models.p_alive(HAND, 3, 30, 30)) == pytest.approx(0.6, rel=1e-12)
    assert float(models.expected_purchases(HAND, 3, 30, 30, 60)) == pytest.approx(1.8, rel=1e-12)
    # x = 3, last on day 5, T = 300: odds 2/3 (310/15)^5, almost surely gone.
    odds = 2 / 3 * (310 / 15) ** 5
    assert float(models.p_alive(HAND, 3, 5, 300)) == pytest.approx(1 / (1 + odds), rel=1e-12)
    assert float(models.expected_purchases(HAND, 3, 5, 300, 60)) == pytest.approx(5 * 60 / 370 / (1 + odds), rel=1e-10)


def test_limit_figures_by_hand():
    f = models.BgnbdFit(r=2.0, alpha=10.0, a=None, b=None, pi=0.2, log_likelihood=0.0, customers=0, limit=True)
    # x = 1, t_x = 10, T = 30: odds 0.2/0.8 * 2^3 = 2, p_alive 1/3; expected (1/0.2)(1 - (40/52)^3) / 3.
    assert float(models.p_alive(f, 1, 10, 30)) == pytest.approx(1 / 3, rel=1e-12)
    assert float(models.expected_purchases(f, 1, 10, 30, 60)) == pytest.approx(5 * (1 - (40 / 52) ** 3) / 3, rel=1e-12)
    assert float(models.expected_purchases(f, 0, 0, 30, 60)) == pytest.approx(5 * (1 - (40 / 52) ** 2), rel=1e-12)


def test_expected_spend_by_hand():
    g = models.GammaGammaFit(p=2.0, q=3.0, v=10.0, theta=None, log_likelihood=0.0, customers=0, limit=False)
    # n = 2, m = 5: 2 (10 + 10) / (4 + 3 - 1) = 40/6; no repeat spend: the population mean 2 * 10 / 2 = 10.
    out = models.expected_spend(g, [2, 0], [5.0, np.nan])
    assert out.tolist() == pytest.approx([40 / 6, 10.0], rel=1e-12)
    lim = models.GammaGammaFit(p=2.0, q=None, v=None, theta=4.0, log_likelihood=0.0, customers=0, limit=True)
    assert models.expected_spend(lim, [2, 0], [5.0, np.nan]).tolist() == [8.0, 8.0]


# -- the limit models -----------------------------------------------------------------------------------


def test_the_limit_likelihoods_are_the_limits_of_the_finite_ones():
    x, t_x, age = np.array([0, 1, 4]), np.array([0, 10, 25]), np.array([30, 30, 40])
    k = 1e9
    finite = models.bgnbd_log_likelihood(0.8, 12.0, 0.3 * k, 0.7 * k, x, t_x, age)
    limit = models.bgnbd_limit_log_likelihood(0.8, 12.0, 0.3, x, t_x, age)
    assert finite == pytest.approx(limit, rel=1e-6)
    n, m = np.array([1, 3, 7]), np.array([5.0, 12.0, 8.5])
    finite = models.gamma_gamma_log_likelihood(2.5, 1e6, 4.0e6, n, m)  # gammaln cancels digits beyond
    assert finite == pytest.approx(models.gamma_gamma_limit_log_likelihood(2.5, 4.0, n, m), abs=1e-4)


def simulate_same_dropout(seed: int, n: int = 2000, r: float = 1.0, alpha: float = 20.0, pi: float = 0.3):
    """Customers whose purchase rates differ but who all drop out after a purchase with probability pi."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1 / alpha, n)
    x, t_x, age = np.zeros(n), np.zeros(n), np.full(n, 200.0)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i])
            if t > 200:
                break
            x[i], t_x[i] = x[i] + 1, t
            if rng.random() < pi:
                break
    return x, np.round(t_x), age


def test_everyone_dropping_out_alike_gives_the_limit_model():
    x, t_x, age = simulate_same_dropout(0)
    f = models.fit_bgnbd(x, t_x, age)
    assert f.limit and f.a is None and f.b is None
    assert close(f.pi, 0.3, 0.05) and close(f.r, 1.0, 0.1) and close(f.alpha, 20.0, 0.1)
    # Its log-likelihood is not below any finite fit's: compare with a, b large.
    finite = models.bgnbd_log_likelihood(f.r, f.alpha, f.pi * 1e4, (1 - f.pi) * 1e4, x, t_x, age).sum()
    assert f.log_likelihood >= finite - 1e-6 * abs(finite)
    assert 0 < float(models.p_alive(f, 2, 50, 200)) < 1


def test_everyone_spending_alike_gives_the_limit_model():
    rng = np.random.default_rng(0)
    n = rng.integers(1, 8, 500)
    m = np.array([rng.gamma(3.0, 5.0, k).mean() for k in n])
    g = models.fit_gamma_gamma(n, m)
    assert g.limit and g.q is None and g.v is None
    assert close(g.p * g.theta, 15.0, 0.05)  # the mean spend
    assert models.expected_spend(g, [1, 5], [3.0, 40.0]).tolist() == pytest.approx([g.p * g.theta] * 2)


# -- an independent implementation of METRICS.md ------------------------------------------------------


def reference_ll(params, x, t_x, age):
    r, alpha, a, b = params
    total = 0.0
    for xi, ti, ai in zip(x, t_x, age, strict=True):
        lb = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
        head = math.lgamma(r + xi) - math.lgamma(r) + r * math.log(alpha)
        t1 = math.lgamma(a) + math.lgamma(b + xi) - math.lgamma(a + b + xi) - lb - (r + xi) * math.log(alpha + ai)
        value = math.exp(t1)
        if xi > 0:
            t2 = math.lgamma(a + 1) + math.lgamma(b + xi - 1) - math.lgamma(a + b + xi) - lb
            value += math.exp(t2 - (r + xi) * math.log(alpha + ti))
        total += head + math.log(value)
    return total


def reference_expected(params, x, t_x, age, h):
    """Eq. 10 with the Gauss series of 2F1 summed until its terms vanish."""
    r, alpha, a, b = params
    z = h / (alpha + age + h)
    aa, bb, cc = r + x, b + x, a + b + x - 1
    term, total, k = 1.0, 1.0, 0
    while abs(term) > 1e-15 * abs(total):
        term *= (aa + k) * (bb + k) / ((cc + k) * (k + 1)) * z
        total += term
        k += 1
    num = (a + b + x - 1) / (a - 1) * (1 - ((alpha + age) / (alpha + age + h)) ** (r + x) * total)
    odds = a / (b + x - 1) * ((alpha + age) / (alpha + t_x)) ** (r + x) if x > 0 else 0.0
    return num / (1 + odds)


def test_the_fit_equals_an_independent_implementation_on_unseen_data():
    # Simulated BG/NBD customers (a, b finite): heterogeneous dropout from Beta(2, 6).
    rng = np.random.default_rng(11)
    n = 1500
    lam, pdrop = rng.gamma(0.7, 1 / 15, n), rng.beta(2.0, 6.0, n)
    age = rng.integers(100, 400, n).astype(float)
    x, t_x = np.zeros(n), np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i])
            if t > age[i]:
                break
            x[i], t_x[i] = x[i] + 1, round(t)
            if rng.random() < pdrop[i]:
                break
    f = models.fit_bgnbd(x, t_x, age)
    assert not f.limit
    res = minimize(
        lambda th: -reference_ll(np.exp(th), x, t_x, age),
        np.log([1.0, float(age.mean()), 1.0, 1.0]),
        method="Nelder-Mead",
        options={"xatol": 1e-8, "fatol": 1e-9, "maxiter": 8000, "maxfev": 8000},
    )
    ref = np.exp(res.x)
    for value, expected in zip((f.r, f.alpha, f.a, f.b), ref, strict=True):
        assert close(value, expected, 0.01), (value, expected)
    for xi, ti, ai in ((0, 0, 200), (1, 40, 200), (5, 150, 300), (9, 20, 380)):
        ours = float(models.expected_purchases(f, xi, ti, ai, 365))
        assert close(ours, reference_expected(ref, xi, ti, ai, 365), 0.01)


# -- from the data folder: summary, cache, input errors, CLI ---------------------------------------------

T = d("2024-12-31")  # after every purchase day of many_customers


def many_customers(n_repeat: int = 150, n_once: int = 100, amount: float | None = 10.0, seed: int = 3) -> dict:
    """Customers starting 2024-01-01 .. with 1-8 purchase days; repeat buyers differ in spend."""
    rng = np.random.default_rng(seed)
    ids, days, amounts = [], [], []
    start = d("2024-01-01")
    for c in range(n_repeat + n_once):
        k = int(rng.integers(2, 9)) if c < n_repeat else 1
        first = int(rng.integers(0, 60))
        offsets = sorted({first, *[int(v) for v in rng.integers(first + 1, 360, k - 1)]})
        for o in offsets:
            ids.append(f"c{c:03d}")
            days.append(start + dt.timedelta(days=o))
            amounts.append(None if amount is None else amount * float(rng.gamma(2.0, 1.0)))
    return {"customer_id": ids, "ordered_at": days, "amount": amounts}


def test_the_summary_counts_repeat_days_and_their_day_amounts(make_data):
    folder = make_data(
        orders={
            "customer_id": ["a", "a", "a", "a", "a", "b", "c", "c"],
            "ordered_at": [
                d(s)
                for s in "2024-01-01 2024-01-05 2024-01-05 2024-02-01 2024-03-01 2024-06-01 2024-03-01 2024-04-01".split()
            ],
            # a: first day 10; Jan 5 two rows 20 + 5; Feb 1 a refund day (-30 then +10 = -20 < 0, not spend);
            # Mar 1 a day amount 0 (not spend). c: Apr 1 refund only (not a purchase day).
            "amount": [10.0, 20.0, 5.0, 10.0, 0.0, 7.0, 4.0, -4.0],
        }
    )
    ds = db.open_dataset(folder)
    s = P.summary(ds, Params(as_of=d("2024-06-30"))).select("customer_id", "x", "t_x", "age", "n_spend", "spend")
    assert s.rows() == [
        ("a", 3, 60, 181, 2, 17.5),
        ("b", 0, 0, 29, 0, None),
        ("c", 0, 0, 121, 0, None),
    ]


def test_a_fit_is_not_repeated_when_only_the_window_or_horizon_moves(make_data):
    ds = db.open_dataset(make_data(orders=many_customers()))
    p = Params(as_of=T)
    first = P.fit(ds, p)
    assert P.fit(ds, p.with_(window=30, period="week", horizon=90, margin=0.5))[0] is first[0]
    assert P.fit(ds, p.with_(window=30, period="week", horizon=90))[0] is first[0]
    assert P.fit(ds, p.with_(as_of=T - dt.timedelta(days=1)))[0] is not first[0]


def test_predictions_have_the_cli_columns_and_multiply_through(make_data):
    ds = db.open_dataset(make_data(orders=many_customers()))
    p = Params(as_of=T, margin=0.4, horizon=180)
    out = P.predictions(ds, p)
    assert out.columns == P.PREDICT_COLUMNS
    assert out.height == 250
    assert (out["predicted_value"] - out["expected_purchases"] * out["expected_spend"]).abs().max() < 1e-9
    assert (out["predicted_profit"] - 0.4 * out["predicted_value"]).abs().max() < 1e-9
    assert out["predicted_value"].to_list() == sorted(out["predicted_value"].to_list(), reverse=True)
    assert out.filter(pl.col("x") == 0)["p_alive"].to_list() == [1.0] * 100


def test_too_few_repeat_buyers_is_an_input_error_with_the_numbers(make_data):
    ds = db.open_dataset(make_data(orders=many_customers(n_repeat=40, n_once=10)))
    with pytest.raises(InputError, match=r"at least 100 customers.*has 40 of 50"):
        P.predictions(ds, Params(as_of=T))


def test_too_few_spenders_is_an_input_error_but_p_alive_still_serves(make_data):
    ds = db.open_dataset(make_data(orders=many_customers(amount=None)))
    with pytest.raises(InputError, match=r"at least 20 customers .* has 0"):
        P.predictions(ds, Params(as_of=T))
    assert P.p_alive_table(ds, Params(as_of=T)).height == 250


def test_the_holdout_check_counts_purchase_days_after_t(make_data):
    orders = many_customers()
    ds = db.open_dataset(make_data(orders=orders))
    t = d("2024-09-30")
    out = P.holdout_check(ds, Params(as_of=t), 60)
    assert out.columns == P.CHECK_COLUMNS
    assert out["customers"].sum() == 250
    frame = pl.DataFrame(orders).unique(["customer_id", "ordered_at"])
    after = frame.filter((pl.col("ordered_at") > t) & (pl.col("ordered_at") <= t + dt.timedelta(days=60))).height
    total_actual = float((out["actual"] * out["customers"]).sum())
    assert total_actual == pytest.approx(after)
    assert set(out["x"]) <= set(P.X_GROUPS)
    with pytest.raises(InputError, match="latest order date"):
        P.holdout_check(ds, Params(as_of=t), 120)


def test_p_alive_curve_falls_through_silences_and_jumps_at_purchases():
    f = models.BgnbdFit(r=0.6, alpha=8.0, a=0.9, b=3.0, pi=None, log_likelihood=0.0, customers=0, limit=False)
    days = [d("2024-01-01"), d("2024-01-20"), d("2024-03-01")]
    curve = P.p_alive_curve(f, days, d("2024-01-01"), d("2024-05-01"))
    assert curve.height == 122 and curve["day"][0] == d("2024-01-01") and curve["day"][-1] == d("2024-05-01")
    v = curve["p_alive"].to_list()
    assert v[:19] == [1.0] * 19  # no repeat yet
    assert v[19] == 1 / (1 + 0.9 / 3.0)  # a repeat on the day: odds a/(b+x-1) * 1
    assert all(v[i + 1] < v[i] for i in range(19, 59))  # falling through the silence
    assert v[60] > v[59]  # jumping back at the purchase on Mar 1


def test_cli_columns_and_exit_codes(make_data):
    folder = make_data(orders=many_customers())
    out = run_cli("predict", "--data", folder, "--as-of", "2024-12-31", "--limit", "5", "--horizon", "90")
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(out.stdout.splitlines()))
    assert rows[0] == P.PREDICT_COLUMNS and len(rows) == 6
    out = run_cli("predict-fit", "--data", folder, "--as-of", "2024-12-31")
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(out.stdout.splitlines()))
    assert rows[0] == ["model", "parameter", "value"]
    assert [r[:2] for r in rows[1:]] == [
        ["bgnbd", p] for p in ("r", "alpha", "a", "b", "pi", "log_likelihood", "customers")
    ] + [["gamma_gamma", p] for p in ("p", "q", "v", "theta", "log_likelihood", "customers")]
    empty = {(r[0], r[1]) for r in rows[1:] if r[2] == ""}
    assert ("bgnbd", "pi") in empty or {("bgnbd", "a"), ("bgnbd", "b")} <= empty
    out = run_cli("predict-check", "--data", folder, "--as-of", "2024-09-30", "--holdout-days", "60")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "x,customers,predicted,actual"
    out = run_cli("predict-check", "--data", folder, "--as-of", "2024-09-30", "--holdout-days", "200")
    assert out.returncode == 2 and "latest order date" in out.stderr and "Traceback" not in out.stderr
    out = run_cli("predict-check", "--data", folder)
    assert out.returncode == 2 and "--holdout-days" in out.stderr


def test_cli_exit_2_when_the_model_cannot_serve_the_data(make_data):
    folder = make_data(orders=many_customers(n_repeat=30, n_once=5))
    for report in ("predict", "predict-fit"):
        out = run_cli(report, "--data", folder)
        assert out.returncode == 2 and "at least 100 customers" in out.stderr and "Traceback" not in out.stderr
