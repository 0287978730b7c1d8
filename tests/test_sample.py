"""The sample data generator: schemas, determinism, data-quality quirks and the story the data tells."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
import pytest

from retention.sample import ACQUISITION_COST, MARGINS, generate, write_sample
from retention.settings import DEFAULT_REASON_CATEGORIES
from tests.conftest import ROOT, run_cli

END = dt.date(2026, 10, 31)
START = dt.date(2024, 11, 1)  # END - 2 years + 1 day
UTC = pl.Datetime("us", "UTC")

SCHEMAS = {
    "orders": {
        "order_id": pl.Int64,
        "customer_id": pl.String,
        "ordered_at": UTC,
        "amount": pl.Float64,
        "cost": pl.Float64,
    },
    "customers": {
        "customer_id": pl.String,
        "signed_up_at": UTC,
        "business_type": pl.String,
        "region": pl.String,
        "channel": pl.String,
    },
    "churn_reasons": {
        "customer_id": pl.String,
        "churned_at": pl.Date,
        "reason": pl.String,
        "category": pl.String,
        "source": pl.String,
        "comment": pl.String,
    },
    "contacts": {
        "customer_id": pl.String,
        "contacted_at": pl.Date,
        "campaign": pl.String,
        "channel": pl.String,
        "cost": pl.Float64,
        "group": pl.String,
    },
}
CATEGORY = DEFAULT_REASON_CATEGORIES  # pinned to METRICS.md in tests/test_settings.py


@pytest.fixture(scope="module")
def frames() -> dict[str, pl.DataFrame]:
    return generate(customers=5000, seed=42)


@pytest.fixture(scope="module")
def activity(frames) -> pl.DataFrame:
    """Activity rows (amount >= 0 or null) with their order_date, joined to the customer attributes."""
    return (
        frames["orders"]
        .filter(pl.col("amount").is_null() | (pl.col("amount") >= 0))
        .with_columns(order_date=pl.col("ordered_at").dt.date())
        .join(frames["customers"], on="customer_id", how="left")
    )


@pytest.fixture(scope="module")
def purchase_days(activity) -> pl.DataFrame:
    """One row per customer and purchase day, with the gap in days to the previous purchase day."""
    return (
        activity.select("customer_id", "business_type", "region", "order_date")
        .unique()
        .sort("customer_id", "order_date")
        .with_columns(gap=(pl.col("order_date") - pl.col("order_date").shift(1).over("customer_id")).dt.total_days())
    )


def norm_reason() -> pl.Expr:
    return pl.col("reason").str.strip_chars().str.to_lowercase()


# --- determinism and shape ---------------------------------------------------------------------------------


def test_same_seed_gives_equal_frames_and_other_seed_differs():
    a, b, c = generate(1500, seed=7), generate(1500, seed=7), generate(1500, seed=8)
    assert set(a) == {"orders", "customers", "churn_reasons", "contacts"}
    for name in a:
        assert a[name].equals(b[name], null_equal=True), name
    assert not a["orders"].equals(c["orders"])
    assert not a["customers"].equals(c["customers"])


def test_schemas_are_exact(frames):
    for name, schema in SCHEMAS.items():
        assert dict(frames[name].schema) == schema, name


def test_row_counts_scale_with_customers(frames):
    assert frames["customers"].height == 5000
    assert 70_000 <= frames["orders"].height <= 150_000
    assert frames["churn_reasons"].height > 300
    assert frames["contacts"].height > 300


@pytest.mark.parametrize("n", [1, 2, 10, 100])
def test_tiny_data_sets_work(n):
    for seed in range(5):
        out = generate(n, seed=seed)
        assert out["customers"].height == n
        for name, schema in SCHEMAS.items():
            assert dict(out[name].schema) == schema


def test_customers_below_one_is_an_error():
    with pytest.raises(ValueError):
        generate(0)


def test_customer_ids_are_zero_padded_and_unique(frames):
    ids = frames["customers"]["customer_id"]
    assert ids.is_unique().all()
    assert ids.str.contains(r"^C\d{6}$").all()
    assert ids.is_sorted()


# --- window and keys -----------------------------------------------------------------------------------------


def test_nothing_outside_the_two_year_window(frames):
    lo = dt.datetime(START.year, START.month, START.day, tzinfo=dt.UTC)
    hi = dt.datetime(END.year, END.month, END.day, tzinfo=dt.UTC) + dt.timedelta(days=1)
    o = frames["orders"]["ordered_at"]
    assert o.min() >= lo and o.max() < hi
    assert o.max().date() == END  # the default as-of date T is `end`
    s = frames["customers"]["signed_up_at"].drop_nulls()
    assert s.min() >= lo and s.max() < hi
    for name, col in [("churn_reasons", "churned_at"), ("contacts", "contacted_at")]:
        assert frames[name][col].min() >= START and frames[name][col].max() <= END


def test_other_end_date_moves_the_window():
    out = generate(800, seed=3, end=dt.date(2025, 6, 30))
    days = out["orders"]["ordered_at"].dt.date()
    assert days.min() >= dt.date(2023, 7, 1) and days.max() <= dt.date(2025, 6, 30)
    assert out["contacts"]["contacted_at"].max() <= dt.date(2025, 6, 30)
    assert out["churn_reasons"]["churned_at"].max() <= dt.date(2025, 6, 30)


def test_orders_ids_unique_and_sorted_by_time(frames):
    o = frames["orders"]
    assert o["order_id"].is_unique().all()
    assert o["order_id"].null_count() == 0
    assert o["ordered_at"].is_sorted()
    assert o["customer_id"].null_count() == 0 and o["ordered_at"].null_count() == 0


def test_every_customer_id_exists_in_customers(frames):
    known = frames["customers"]["customer_id"]
    for name in ("orders", "churn_reasons", "contacts"):
        assert frames[name]["customer_id"].is_in(known.implode()).all(), name


def test_prospects_have_a_customers_row_but_no_order(frames):
    c, o = frames["customers"], frames["orders"]
    prospects = c.join(o.select("customer_id").unique(), on="customer_id", how="anti")
    assert 0.03 <= prospects.height / c.height <= 0.08
    assert prospects["signed_up_at"].null_count() == 0


def test_signup_on_or_before_first_order_and_some_missing(frames):
    c = frames["customers"]
    first = frames["orders"].group_by("customer_id").agg(first=pl.col("ordered_at").min())
    joined = c.join(first, on="customer_id").drop_nulls("signed_up_at")
    assert (joined["signed_up_at"] <= joined["first"]).all()
    assert 0.05 <= c["signed_up_at"].null_count() / c.height <= 0.15


def test_attribute_values(frames):
    c = frames["customers"]
    assert set(c["business_type"].unique()) == {"cafe", "salon", "clinic"}
    assert set(c["region"].unique()) == {"North", "South", "East", "West"}
    assert set(c["channel"].unique()) == {"walk_in", "referral", "social", "search"}


# --- order quirks --------------------------------------------------------------------------------------------


def test_refunds_are_negative_and_undo_an_earlier_order_of_the_customer(frames):
    o = frames["orders"]
    refunds = o.filter(pl.col("amount") < 0)
    assert 0.01 <= refunds.height / o.height <= 0.03
    sales = o.filter(pl.col("amount") >= 0).select(
        "customer_id", sale_at=pl.col("ordered_at"), sale_amount=pl.col("amount")
    )
    matched = (
        refunds.join(sales, on="customer_id")
        .filter((pl.col("sale_at") <= pl.col("ordered_at")) & (pl.col("sale_amount") >= -pl.col("amount") - 1e-9))
        .select("order_id")
        .unique()
    )
    assert matched.height == refunds.height
    # some refunds are full, some partial
    full = refunds.join(sales, left_on=["customer_id", -pl.col("amount")], right_on=["customer_id", "sale_amount"])
    assert 0 < full["order_id"].n_unique() < refunds.height


def test_null_amounts_and_cents(frames):
    o = frames["orders"]
    assert 0.002 <= o["amount"].null_count() / o.height <= 0.01
    amounts = o["amount"].drop_nulls()
    assert ((amounts * 100).round(0) - amounts * 100).abs().max() < 1e-6


def test_several_orders_on_one_day(activity):
    per_day = activity.group_by("customer_id", "order_date").len()
    share = per_day.filter(pl.col("len") > 1)["len"].sum() / activity.height
    assert 0.015 <= share <= 0.06


def test_time_of_day_mostly_opening_hours(activity):
    hours = activity["ordered_at"].dt.hour()
    assert ((hours >= 7) & (hours < 20)).mean() >= 0.9


def test_amounts_differ_by_business_type(activity):
    med = dict(activity.group_by("business_type").agg(pl.col("amount").median()).iter_rows())
    assert 4 <= med["cafe"] <= 12
    assert 30 <= med["salon"] <= 90
    assert 80 <= med["clinic"] <= 300


def test_return_rhythm_by_business_type(purchase_days):
    per_customer = purchase_days.drop_nulls("gap").group_by("customer_id", "business_type").agg(pl.col("gap").median())
    med = dict(per_customer.group_by("business_type").agg(pl.col("gap").median()).iter_rows())
    assert 5 <= med["cafe"] <= 10
    assert 35 <= med["salon"] <= 56  # every 5-8 weeks (issue 19 part 6; was 22-40, about monthly)
    assert 130 <= med["clinic"] <= 230


# --- the story -----------------------------------------------------------------------------------------------


def test_acquisition_grows_with_a_december_peak(purchase_days):
    first = purchase_days.group_by("customer_id").agg(first=pl.col("order_date").min())
    per_month = dict(first.group_by(pl.col("first").dt.truncate("1mo")).len().iter_rows())
    early = sum(per_month[dt.date(2024 + (10 + i) // 12, (10 + i) % 12 + 1, 1)] for i in range(6))
    late = sum(per_month[dt.date(2026, m, 1)] for m in range(5, 11))
    assert late > 1.4 * early
    assert per_month[dt.date(2025, 12, 1)] > 1.2 * per_month[dt.date(2025, 11, 1)]


def test_price_is_the_most_common_reason(frames):
    r = frames["churn_reasons"]
    assert r["reason"].value_counts(sort=True)["reason"][0] == "price"
    assert r.select(norm_reason()).to_series().value_counts(sort=True)["reason"][0] == "price"


def test_price_reasons_follow_the_price_rise(frames):
    r = frames["churn_reasons"].filter(norm_reason() == "price")
    after_rise = r.filter(pl.col("churned_at").is_between(dt.date(2025, 9, 1), dt.date(2025, 12, 31)))
    assert after_rise.height > 0.5 * r.height


def test_competitor_reasons_come_from_the_east_after_the_opening(frames):
    r = frames["churn_reasons"].join(frames["customers"], on="customer_id").with_columns(code=norm_reason())
    competitor = r.filter(pl.col("code") == "competitor")
    assert (competitor["region"] == "East").mean() > 0.5  # East holds about a quarter of the customers
    assert (competitor["churned_at"] >= dt.date(2026, 3, 1)).mean() > 0.6
    since = r.filter(pl.col("churned_at") >= dt.date(2026, 3, 1))
    share = dict(
        since.group_by(east=pl.col("region") == "East").agg((pl.col("code") == "competitor").mean()).iter_rows()
    )
    assert share[True] > 2 * share[False]


def test_price_rise_raises_the_stop_rate(purchase_days):
    """Cafe customers buying in the month before the rise stop far more often than a year-earlier or later group."""
    last = purchase_days.group_by("customer_id").agg(last=pl.col("order_date").max())

    def stop_share(ref: dt.date) -> float:
        active = (
            purchase_days.filter(
                (pl.col("business_type") == "cafe") & pl.col("order_date").is_between(ref - dt.timedelta(days=30), ref)
            )
            .select("customer_id")
            .unique()
            .join(last, on="customer_id")
        )
        return (active["last"] <= ref + dt.timedelta(days=61)).mean()

    rise = stop_share(dt.date(2025, 9, 1))
    assert rise > 2 * stop_share(dt.date(2025, 5, 1))
    assert rise > 2 * stop_share(dt.date(2026, 1, 1))


def test_reactivations_exist(purchase_days):
    back = purchase_days.filter((pl.col("business_type") == "cafe") & (pl.col("gap") > 90))
    assert back["customer_id"].n_unique() > 50


# --- churn reasons -------------------------------------------------------------------------------------------


def test_reason_rows_belong_to_customers_who_stopped(frames, purchase_days):
    r = frames["churn_reasons"]
    assert r["customer_id"].is_unique().all()
    last = purchase_days.group_by("customer_id").agg(last=pl.col("order_date").max())
    joined = r.join(last, on="customer_id", how="left")
    assert joined["last"].null_count() == 0
    assert (joined["churned_at"] > joined["last"]).all()
    assert ((joined["churned_at"] - joined["last"]).dt.total_days() <= 180 + 28).all()


def test_reason_codes_categories_and_quirks(frames):
    r = frames["churn_reasons"]
    codes = r.select(norm_reason()).to_series().drop_nulls()
    assert set(codes.unique()) == set(CATEGORY) | {"moved_away"}
    odd = r.filter(pl.col("reason").is_not_null() & (pl.col("reason") != norm_reason()))
    assert 0.005 <= odd.height / r.height <= 0.05
    assert 0 < r["reason"].null_count() <= 0.03 * r.height
    assert 0.35 <= r["category"].null_count() / r.height <= 0.65
    assert set(r["category"].drop_nulls().unique()) == {"controllable", "uncontrollable"}
    with_cat = r.drop_nulls("category").with_columns(code=norm_reason())
    assert (with_cat["code"].replace_strict(CATEGORY, default=None) == with_cat["category"]).all()
    moved = r.filter(norm_reason() == "moved_away")
    assert moved.height > 0 and moved["category"].null_count() == moved.height
    assert set(r["source"].unique()) == {"survey", "staff", "email"}
    comments = r["comment"]
    assert 0 < comments.null_count() < r.height
    assert comments.drop_nulls().str.len_chars().max() <= 60


# --- contacts and win-backs ----------------------------------------------------------------------------------


def test_campaigns_groups_channels_and_costs(frames):
    k = frames["contacts"]
    assert set(k["campaign"].unique()) == {"winback_2026_spring", "winback_2026_autumn"}
    assert set(k["group"].unique()) == {"treatment", "control"}
    spring = k.filter(pl.col("campaign") == "winback_2026_spring")
    assert set(spring["group"].unique()) == {"treatment", "control"}
    assert 0.7 <= (spring["group"] == "treatment").mean() <= 0.9
    assert spring["contacted_at"].is_between(dt.date(2026, 4, 8), dt.date(2026, 4, 22)).all()
    autumn = k.filter(pl.col("campaign") == "winback_2026_autumn")
    assert autumn["contacted_at"].is_between(dt.date(2026, 9, 8), dt.date(2026, 9, 22)).all()
    assert (autumn["group"] == "treatment").mean() >= 0.8
    cost = {"email": 0.5, "sms": 1.5, "phone": 6.0}
    assert (k["channel"].replace_strict(cost, return_dtype=pl.Float64) == k["cost"]).all()


def test_contacted_customers_were_lapsed(frames, purchase_days):
    k = frames["contacts"].with_columns(start=pl.col("contacted_at").min().over("campaign"))
    recent = k.join(purchase_days, on="customer_id").filter(
        pl.col("order_date").is_between(pl.col("start") - dt.timedelta(days=90), pl.col("start"), closed="left")
    )
    assert recent.height == 0


def win_back_rates(contacts: pl.DataFrame, orders: pl.DataFrame) -> dict[str, float]:
    """Share of contact rows with a purchase day in (contacted_at, contacted_at + 30 days], per group."""
    days = (
        orders.filter(pl.col("amount").is_null() | (pl.col("amount") >= 0))
        .select("customer_id", order_date=pl.col("ordered_at").dt.date())
        .unique()
    )
    rows = contacts.with_row_index("row")
    won = (
        rows.join(days, on="customer_id")
        .filter(
            (pl.col("order_date") > pl.col("contacted_at"))
            & (pl.col("order_date") <= pl.col("contacted_at") + dt.timedelta(days=30))
        )
        .select("row")
        .unique()
        .with_columns(won=pl.lit(True))
    )
    rates = rows.join(won, on="row", how="left").group_by("group").agg(pl.col("won").fill_null(False).mean())
    return dict(rates.iter_rows())


def test_treatment_wins_back_more_than_control(frames):
    rates = win_back_rates(frames["contacts"], frames["orders"])
    assert rates["treatment"] > rates["control"] + 0.05
    assert 0.10 <= rates["treatment"] <= 0.30
    assert rates["control"] <= 0.12


def test_win_back_uplift_holds_for_other_seeds():
    for seed in (1, 2):
        out = generate(3000, seed=seed)
        rates = win_back_rates(out["contacts"], out["orders"])
        assert rates["treatment"] > rates["control"]
        assert out["churn_reasons"].select(norm_reason()).to_series().value_counts(sort=True)["reason"][0] == "price"


# --- writing -------------------------------------------------------------------------------------------------


def test_write_sample_writes_four_parquet_files(tmp_path):
    counts = write_sample(tmp_path / "a", customers=600, seed=5)
    write_sample(tmp_path / "b", customers=600, seed=5)
    expected = generate(600, seed=5)
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [
        "churn_reasons.parquet",
        "contacts.parquet",
        "customers.parquet",
        "orders.parquet",
    ]
    for name, frame in expected.items():
        path = tmp_path / "a" / f"{name}.parquet"
        assert counts[name] == frame.height
        assert pl.read_parquet(path).equals(frame, null_equal=True)
        assert path.read_bytes() == (tmp_path / "b" / f"{name}.parquet").read_bytes()


def test_write_sample_replaces_existing_files(tmp_path):
    write_sample(tmp_path, customers=300, seed=1)
    counts = write_sample(tmp_path, customers=200, seed=2)
    assert pl.read_parquet(tmp_path / "customers.parquet").height == counts["customers"] == 200
    assert len(list(tmp_path.iterdir())) == 4


# --- costs -----------------------------------------------------------------------------------------------


def test_costs_are_numbers_not_negative_and_mostly_present(frames):
    o = frames["orders"]
    cost = o["cost"]
    assert (cost.drop_nulls() >= 0).all()
    assert ((cost.drop_nulls() * 100).round(0) - cost.drop_nulls() * 100).abs().max() < 1e-6
    # null where the amount is null, and on a small share of the other rows
    assert o.filter(pl.col("amount").is_null())["cost"].null_count() == o["amount"].null_count()
    sales = o.filter(pl.col("amount") >= 0)
    assert 0.005 <= sales["cost"].null_count() / sales.height <= 0.04
    # refunds cost 0 (the sale keeps its cost)
    refunds = o.filter(pl.col("amount") < 0)
    assert refunds["cost"].null_count() == 0 and (refunds["cost"] == 0).all()


def test_margin_by_business_type_as_documented(frames):
    assert MARGINS == {"cafe": 0.65, "salon": 0.50, "clinic": 0.40}
    sales = (
        frames["orders"]
        .filter((pl.col("amount") > 0) & pl.col("cost").is_not_null())
        .join(frames["customers"], on="customer_id")
        .with_columns(before_rise=pl.col("ordered_at").dt.date() < dt.date(2025, 9, 1))
    )
    margin = sales.group_by("business_type", "before_rise").agg(m=1 - pl.col("cost").sum() / pl.col("amount").sum())
    got = {(b, r): m for b, r, m in margin.iter_rows()}
    for btype, documented in MARGINS.items():
        assert abs(got[(btype, True)] - documented) < 0.02, btype
        # the price rise raised prices, not costs: a few points more margin after it
        assert 0.01 < got[(btype, False)] - documented < 0.06, btype
    # no order costs more than it brought in
    assert (sales["cost"] <= sales["amount"]).all()


def test_acquisition_cost_is_documented_and_set_by_make_run():
    assert ACQUISITION_COST == 40
    makefile = (ROOT / "Makefile").read_text()
    assert "run: export RETENTION_ACQUISITION_COST := 40" in makefile
    readme = (ROOT / "README.md").read_text()
    for name in (
        "RETENTION_MARGIN",
        "RETENTION_ACQUISITION_COST",
        "RETENTION_HORIZON",
        "RETENTION_RECENT_CONTACT_DAYS",
        "RETENTION_DROP_SHARE",
        "RETENTION_SESSION_MINUTES",
    ):
        assert f"| `{name}` |" in readme, name


def test_cost_column_passes_validate(sample_dir):
    done = run_cli("validate", "--data", sample_dir)
    assert done.returncode == 0, done.stderr
    assert "amount, cost" in done.stdout


# --- the rhythms the recommended windows read --------------------------------------------------------------


@pytest.fixture(scope="module")
def default_sample(tmp_path_factory):
    """The sample as `python -m retention sample` writes it by default."""
    out = tmp_path_factory.mktemp("default_sample")
    write_sample(out, customers=5000, seed=42)
    return out


def test_recommended_window_follows_the_business_rhythms(default_sample):
    done = run_cli("recommend", "--data", default_sample, "--by", "business_type")
    assert done.returncode == 0, done.stderr
    rows = dict(line.split(",") for line in done.stdout.strip().splitlines()[1:])
    cafe, salon, clinic = int(rows["cafe"]), int(rows["salon"]), int(rows["clinic"])
    assert cafe < salon < clinic
    assert 30 <= cafe <= 60
    assert 60 <= salon <= 120
    assert 150 <= clinic <= 365


@pytest.mark.parametrize("seed", [1, 2])
def test_recommended_window_ranges_hold_for_other_seeds(tmp_path, seed):
    write_sample(tmp_path, customers=5000, seed=seed)
    done = run_cli("recommend", "--data", tmp_path, "--by", "business_type")
    assert done.returncode == 0, done.stderr
    rows = {k: int(v) for k, v in (line.split(",") for line in done.stdout.strip().splitlines()[1:])}
    assert 30 <= rows["cafe"] <= 60 and 60 <= rows["salon"] <= 120 and 150 <= rows["clinic"] <= 365


# --- predictions pass their own holdout check --------------------------------------------------------------


def holdout_totals(data_dir) -> tuple[float, float]:
    """Total predicted and actual purchase days over the 90 days after T = latest - 90 (predict-check)."""
    done = run_cli("predict-check", "--data", data_dir, "--holdout-days", "90", "--as-of", "2026-08-02")
    assert done.returncode == 0, done.stderr
    rows = pl.read_csv(io.StringIO(done.stdout))
    assert rows["x"].to_list() == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    return (rows["customers"] * rows["predicted"]).sum(), (rows["customers"] * rows["actual"]).sum()


def test_predictions_pass_their_holdout_check_on_the_default_sample(default_sample):
    predicted, actual = holdout_totals(default_sample)
    assert actual > 10_000
    assert abs(predicted / actual - 1) <= 0.15


def test_predictions_pass_their_holdout_check_on_the_test_sample(sample_dir):
    predicted, actual = holdout_totals(sample_dir)
    assert abs(predicted / actual - 1) <= 0.15


# --- scale ---------------------------------------------------------------------------------------------------


def test_fifty_thousand_customers_make_about_a_million_orders():
    # Speed is measured in bench/, not asserted here: the machines are shared and noisy.
    out = generate(customers=50_000, seed=42)
    assert 700_000 <= out["orders"].height <= 1_500_000
