# Two commands on a fresh machine with only Python: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA := data/sample
PORT ?= 8501

.PHONY: run test sample lint browser java clean audit

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

# An `import --append` turns orders.parquet into a folder orders/: that is the sample still, not a reason to
# write it again (a new orders.parquet would hide the folder).
$(DATA)/orders.parquet: | $(VENV)/.installed
	test -d $(DATA)/orders || $(BIN)/python -m retention sample --out $(DATA)

sample: $(DATA)/orders.parquet

# The sample's acquisition cost (retention/sample.py ACQUISITION_COST), so its replacement-cost figures show
# on the first run; not when the environment or .env sets it, or points RETENTION_DATA_DIR at other data.
ifeq ($(origin RETENTION_ACQUISITION_COST)$(origin RETENTION_DATA_DIR),undefinedundefined)
ifeq ($(shell grep -isqE '^[[:space:]]*(export[[:space:]]+)?RETENTION_(ACQUISITION_COST|DATA_DIR)[[:space:]]*=' .env && echo set),)
run: export RETENTION_ACQUISITION_COST := 40
endif
endif

run: $(VENV)/.installed $(DATA)/orders.parquet
	$(BIN)/python -m retention serve --server.port $(PORT)

# Debian's Chromium (Playwright cannot download its own here), a CJK font for the Chinese pages and reports,
# and poppler-utils (pdftotext, pdftoppm) for the report tests.
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" && command -v pdftotext >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils >/dev/null; }

# Java for Spark's local mode (tests/test_spark.py): Debian's OpenJDK 17 runtime when no `java` is on the PATH.
java:
	@command -v java >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; }

# Two workers (pytest-xdist), each test file on one of them: the suite is about 31 minutes on one core of a
# 2-core machine and about 20 on two. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2
test: $(VENV)/.installed-dev $(DATA)/orders.parquet browser java
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

# Known vulnerabilities of the pinned requirements (pip-audit, PyPI's advisory data; AUDIT_SERVICE=osv for OSV).
# Exit 3 with "AUDIT INCOMPLETE"/"AUDIT NOT DONE" when the advisory source cannot be reached or lacks a version.
AUDIT_SERVICE ?= pypi
audit: $(VENV)/.installed-dev
	$(BIN)/python tools/audit.py requirements.txt $(AUDIT_SERVICE)

clean:
	rm -rf $(VENV) $(DATA) .pytest_cache tests/artifacts
