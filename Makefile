# precis — the two commands a user needs are `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
SAMPLE := samples/news
DB     ?= var/sample.db
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install dev serve test check lint typecheck bench clean

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv

# Runtime install: what `make serve` needs.
$(VENV)/.installed: pyproject.toml $(UV)
	$(UV) pip install --quiet --python $(BIN)/python -e .
	touch $@

# Development install: tests, linters and the benchmark peers.
$(VENV)/.dev-installed: pyproject.toml $(UV)
	$(UV) pip install --quiet --python $(BIN)/python -e '.[dev,bench]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
dev: $(VENV)/.dev-installed

serve: $(VENV)/.installed
	@mkdir -p $(dir $(DB))
	$(BIN)/precis --db $(DB) add --quiet $(SAMPLE)
	$(BIN)/precis --db $(DB) serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

test: $(VENV)/.dev-installed
	scripts/ensure-chromium
	scripts/ensure-postgres
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

check: lint typecheck
	$(BIN)/python -m pytest -q

bench: $(VENV)/.dev-installed
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
