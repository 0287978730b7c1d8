"""One settings class for the app, the library and the CLI (env prefix RETENTION_, optional .env file)."""

from __future__ import annotations

import re
import zoneinfo
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from retention.errors import InputError

DEFAULT_REASON_CATEGORIES: dict[str, str] = {
    "quality": "controllable",
    "service": "controllable",
    "price": "controllable",
    "habit_change": "controllable",
    "staff_left": "controllable",
    "broken_promise": "controllable",
    "channel": "controllable",
    "competitor": "uncontrollable",
    "no_longer_needed": "uncontrollable",
}


def parse_pairs(raw: object, what: str) -> dict[str, str]:
    """Read `a=1,b=2` (or a dict) into a dict of text; a clear error names the bad pair."""
    if raw is None or raw == "":
        return {}
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    out: dict[str, str] = {}
    for part in str(raw).split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"{what}: '{part}' is not of the form VALUE=SETTING (example: cafe=30,dental=180)")
        out[key.strip()] = value.strip()
    return out


def location(text: str) -> Path | str:
    """A data or cache location: a URL Spark reads (hdfs://, s3a://, ...) stays text, since a Path would fold
    its `//`; anything else is a local Path (the DuckDB engine reads local folders only)."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text) and not text.startswith("file://"):
        return text
    return Path(text)


def parse_window_map(raw: object) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, value in parse_pairs(raw, "window map").items():
        try:
            days = int(value)
        except ValueError:
            raise ValueError(f"window map: '{key}={value}' needs a whole number of days") from None
        if days < 1:
            raise ValueError(f"window map: '{key}={value}' needs at least 1 day")
        out[key] = days
    return out


class Settings(BaseSettings):
    """Every default of METRICS.md plus where the data lives and how it is shown."""

    model_config = SettingsConfigDict(env_prefix="RETENTION_", env_file=".env", extra="ignore")

    data_dir: Path | str = Path("data/sample")  # text only for a URL Spark reads (location())
    timezone: str = "UTC"
    currency: str = "USD"
    language: Literal["en", "zh"] = "en"
    window: int = Field(90, ge=1, le=3650)
    window_by: str | None = None
    window_map: Annotated[dict[str, int], NoDecode] = {}
    period: Literal["week", "month", "quarter"] = "month"
    new_days: int = Field(30, ge=1)
    loyal_min_orders: int = Field(3, ge=1)
    alert_factor: float = Field(1.5, gt=0)
    attribution_days: int = Field(30, ge=1)
    return_threshold: float = Field(0.10, ge=0, le=1)
    reason_categories: Annotated[dict[str, str], NoDecode] = DEFAULT_REASON_CATEGORIES
    memory_limit: str = "8GB"
    threads: int | None = None
    temp_dir: Path | None = None
    cache_dir: Path | str | None = None
    # Profit, acquisition cost, predictions, win-back and slowing (METRICS.md "Parameters").
    margin: float = Field(1.0, gt=0, le=1)
    acquisition_cost: float | None = Field(None, ge=0)
    horizon: int = Field(365, ge=1, le=3650)
    recent_contact_days: int = Field(30, ge=0)
    drop_share: float = Field(0.5, gt=0, le=1)
    # Sign-in: an idle session asks for the password again after this many minutes.
    session_minutes: int = Field(480, ge=1)
    # The executive report by e-mail.
    smtp_host: str | None = None
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str | None = None
    smtp_starttls: bool = True
    # The SQL engine (README "Running on Spark"): DuckDB in this process, or Apache Spark, local or a cluster.
    engine: Literal["duckdb", "spark"] = "duckdb"
    spark_master: str = "local[*]"
    spark_remote: str | None = None  # a Spark Connect URL (sc://host:15002); excludes an explicit master
    spark_conf: Annotated[dict[str, str], NoDecode] = {}
    # Each page's default view computed ahead and kept beside the base cache (retention/warm.py, results.py).
    store_results: bool = True

    @field_validator("window_map", mode="before")
    @classmethod
    def _window_map(cls, raw: object) -> dict[str, int]:
        return parse_window_map(raw)

    @field_validator("data_dir", "cache_dir", mode="before")
    @classmethod
    def _location(cls, raw: object) -> object:
        return location(raw) if isinstance(raw, str) else raw

    @field_validator("spark_conf", mode="before")
    @classmethod
    def _spark_conf(cls, raw: object) -> dict[str, str]:
        for part in ("" if isinstance(raw, dict) or raw is None else str(raw)).split(","):
            key, sep, value = part.strip().partition("=")
            if part.strip() and not (sep and key.strip() and value.strip()):
                raise ValueError(
                    f"'{part.strip()}' is not of the form key=value (example: "
                    "spark.executor.memory=4g,spark.sql.shuffle.partitions=64)"
                )
        return parse_pairs(raw, "Spark conf")

    @model_validator(mode="after")
    def _spark_target(self) -> Settings:
        """A Spark Connect URL and an explicitly set master name two different places to run: refuse both."""
        if self.spark_remote and "spark_master" in self.model_fields_set:
            raise ValueError(
                f"RETENTION_SPARK_REMOTE ({self.spark_remote}) and RETENTION_SPARK_MASTER ({self.spark_master}) are "
                "both set; set only one: the Spark Connect URL, or the master of a session started here"
            )
        if self.spark_remote is not None and not self.spark_remote.startswith("sc://"):
            raise ValueError(
                f"RETENTION_SPARK_REMOTE: '{self.spark_remote}' is not a Spark Connect URL (sc://host:15002)"
            )
        return self

    @field_validator("reason_categories", mode="before")
    @classmethod
    def _reason_categories(cls, raw: object) -> dict[str, str]:
        pairs = {k.strip().lower(): v.strip().lower() for k, v in parse_pairs(raw, "reason categories").items()}
        bad = [f"{k}={v}" for k, v in pairs.items() if v not in ("controllable", "uncontrollable")]
        if bad:
            raise ValueError(f"reason categories: '{bad[0]}' must map to controllable or uncontrollable")
        return pairs

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not a time zone name (example: Europe/Berlin, Asia/Shanghai)") from None
        return value

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        value = value.strip().upper()
        if not (len(value) == 3 and value.isalpha()):
            raise ValueError(f"'{value}' is not a 3-letter currency code (example: USD, EUR, CNY)")
        return value


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; a bad value raises InputError naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = "RETENTION_" + "_".join(str(p) for p in err["loc"] if isinstance(p, str)).upper()
            if name == "RETENTION_":  # a rule over several settings (its message names them)
                lines.append(err["msg"].removeprefix("Value error, "))
                continue
            lines.append(f"{name}: {err['msg']} (got {err.get('input')!r})")
        raise InputError("Bad setting. " + "; ".join(lines)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
