"""Spark Connect (issue 22, part 1): `RETENTION_SPARK_REMOTE=sc://HOST:PORT` runs the reports on a Spark Connect
server instead of a session in the process. The server is started the way a cluster's admin starts one
(`start-connect-server.sh` of the pyspark distribution, in the foreground, local[2]); the CLI, a process with no
JVM of its own, prints the same report as DuckDB does over the same folder, builds the base on the server
(Parquet under the cache location) and exits when done (a Connect client left to the garbage collector hung
at exit)."""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import free_port, run_cli
from tests.test_spark import assert_same

pytestmark = pytest.mark.spark

SPARK_HOME = Path(__import__("pyspark").__file__).parent
REPORTS = [["kpis"], ["rfm"], ["predict"]]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def connect_url(tmp_path_factory):
    """A Spark Connect server on a free loopback port, for this module."""
    logs = tmp_path_factory.mktemp("spark-connect-logs")
    port = free_port()
    env = {**os.environ, "SPARK_HOME": str(SPARK_HOME), "SPARK_NO_DAEMONIZE": "1", "SPARK_LOG_DIR": str(logs),
           "SPARK_PID_DIR": str(logs)}  # fmt: skip
    out = (logs / "server.out").open("wb")
    proc = subprocess.Popen(
        [str(SPARK_HOME / "sbin" / "start-connect-server.sh"), "--master", "local[2]",
         "--conf", f"spark.connect.grpc.binding.port={port}", "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
         "--conf", "spark.ui.enabled=false", "--conf", "spark.sql.shuffle.partitions=4"],
        env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 240
    while not _listening(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL) if proc.poll() is None else None
            raise RuntimeError(f"the Spark Connect server did not start: {(logs / 'server.out').read_text()[-3000:]}")
        time.sleep(1)
    try:
        yield f"sc://127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        out.close()


def _frame(stdout: str) -> pl.DataFrame:
    return pl.read_csv(io.StringIO(stdout.lstrip("\ufeff")), infer_schema_length=None)


def test_reports_over_spark_connect_equal_duckdb(connect_url, sample_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(sample_dir, data)
    shutil.rmtree(data / ".retention-cache", ignore_errors=True)
    cache = tmp_path / "cache"
    # SPARK_HOME at an empty folder: a session started in the CLI's process (no spark-submit there) would fail,
    # so the figures below come from the server.
    (tmp_path / "no-spark").mkdir()
    remote = {"RETENTION_ENGINE": "spark", "RETENTION_SPARK_REMOTE": connect_url, "RETENTION_CACHE_DIR": str(cache),
              "SPARK_HOME": str(tmp_path / "no-spark")}  # fmt: skip
    for argv in REPORTS:
        duck = run_cli(*argv, "--data", str(data), env={"RETENTION_ENGINE": "duckdb"})
        assert duck.returncode == 0, duck.stderr
        started = time.monotonic()
        spark = subprocess.run(
            [os.sys.executable, "-m", "retention", *argv, "--data", str(data)],
            cwd=Path(__file__).resolve().parent.parent, env={**os.environ, **remote},
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        label = " ".join(argv)
        assert spark.returncode == 0, f"{label}: {spark.stderr[-2000:]}"
        assert "Traceback" not in spark.stderr and "Warning" not in spark.stderr, spark.stderr[-2000:]
        assert_same(_frame(duck.stdout), _frame(spark.stdout), f"{label} over Spark Connect")
        assert time.monotonic() - started < 300
    # The base was built once, on the server, as Parquet under the cache location, and read by the later runs.
    bases = [p for p in cache.iterdir() if p.name.startswith("spark-base-")]
    assert len(bases) == 1 and (bases[0] / "meta.json").is_file()
    assert list(bases[0].rglob("*.parquet"))


def test_an_unreachable_connect_server_is_a_clear_error(tmp_path, sample_dir):
    port = free_port()  # nothing listens there
    run = subprocess.run(
        [os.sys.executable, "-m", "retention", "status", "--data", str(sample_dir)],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "RETENTION_ENGINE": "spark", "RETENTION_SPARK_REMOTE": f"sc://127.0.0.1:{port}",
             "RETENTION_CACHE_DIR": str(tmp_path / "cache")},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 2, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    assert f"sc://127.0.0.1:{port}" in run.stderr


def test_a_spark_that_cannot_start_is_a_clear_error(tmp_path, sample_dir):
    """A local session that cannot start (here SPARK_HOME at a folder without Spark) is exit 2 with a message."""
    (tmp_path / "no-spark").mkdir()
    run = run_cli("status", "--data", str(sample_dir), env={"RETENTION_ENGINE": "spark", "SPARK_HOME": str(tmp_path / "no-spark"),
                                                           "RETENTION_CACHE_DIR": str(tmp_path / "cache")})  # fmt: skip
    assert run.returncode == 2, run.stderr[-2000:]
    assert "Traceback" not in run.stderr and "could not start a session" in run.stderr and "Java 17" in run.stderr
