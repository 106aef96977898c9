# wirehouse: `make demo` runs the pipeline once over the bundled demo site, `make test` tests it.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project/models dbt_project/macros -type f 2>/dev/null) dbt_project/dbt_project.yml

.PHONY: install demo test eval bench bench-workers airflow docs lint clean

install: $(STAMP) $(MANIFEST)

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON) (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# Cosmos renders the dbt tasks from this manifest, so parsing the DAG runs no dbt command
$(MANIFEST): $(STAMP) $(DBT_SOURCES)
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir . --project-dir .

demo: install
	WIREHOUSE_HOST_DELAY=0 $(BIN)/wirehouse demo

test: install
	$(BIN)/python -m pytest

eval: install
	$(BIN)/wirehouse eval
	$(BIN)/wirehouse eval --gold ../shared/eval/dev2.jsonl
	$(BIN)/wirehouse eval --gold ../shared/eval/plover_gsr_dev.jsonl --match-country

# a benchmark, not a test: prints each stage's speed against its limit (N with PAGES=...)
PAGES ?= 2000
bench: install
	$(BIN)/python -m extract.bench --pages $(PAGES)

# a benchmark, not a test: one Celery worker against two on the same batch (needs PostgreSQL and Redis)
bench-workers: install
	$(BIN)/python -m extract.bench_workers

# the Airflow UI on http://127.0.0.1:$(AIRFLOW_PORT): api-server, scheduler, dag-processor and triggerer
# (what `airflow standalone` runs, without its log servers), nothing listening beyond 127.0.0.1;
# Ctrl-C stops every component
AIRFLOW_PORT ?= 8080
airflow: install
	$(BIN)/python -m extract.airflow_env standalone --port $(AIRFLOW_PORT)

# dbt docs (lineage, every column, exposures, source freshness) of the warehouse the settings
# name: generated beside it in <stem>.dbt/target, served on http://127.0.0.1:$(DOCS_PORT) only
DOCS_PORT ?= 8081
WAREHOUSE_PATH = $(BIN)/python -c 'from extract.settings import load_settings; print(load_settings().warehouse_path.resolve())'
DBT_DIR = $(BIN)/python -c 'import sys; from pathlib import Path; from extract.transform import dbt_dir; print(dbt_dir(Path(sys.argv[1])))'
docs: install
	@warehouse="$$($(WAREHOUSE_PATH))" && dbt_dir="$$($(DBT_DIR) "$$warehouse")" && \
	WIREHOUSE_WAREHOUSE="$$warehouse" $(BIN)/dbt docs generate --quiet --project-dir dbt_project \
		--profiles-dir dbt_project --target-path "$$dbt_dir/target" --log-path "$$dbt_dir/logs" && \
	echo "dbt docs of $$warehouse on http://127.0.0.1:$(DOCS_PORT) (Ctrl-C stops)" && \
	$(BIN)/python -m http.server $(DOCS_PORT) --bind 127.0.0.1 --directory "$$dbt_dir/target"

lint: install
	$(BIN)/ruff check extract dags expectations tests deploy scripts
	$(BIN)/ruff format --check extract dags expectations tests deploy scripts

clean:
	rm -rf data .airflow dbt_project/target dbt_project/logs
