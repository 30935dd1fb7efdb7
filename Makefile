# Two commands do everything on a fresh machine:
#   make demo   creates .venv, installs lambda_kit, runs the bundled examples
#   make test   creates .venv with the dev dependencies, installs the servers the
#               tests need, runs lint and the whole suite (benchmarks in quick mode)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q

.PHONY: demo test lint bench coldstart system-deps docs-tune docs-aws clean

$(VENV)/.run-installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -e '.[local]'
	@touch $@

$(VENV)/.dev-installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -e '.[dev]'
	@touch $@ $(VENV)/.run-installed

demo: $(VENV)/.run-installed
	$(VENV)/bin/lambda-kit demo

# Debian packages the test suite needs (real servers, not mocks); installed only when missing.
system-deps:
	@sh scripts/system-deps.sh

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check lambda_kit tests benchmarks examples
	$(VENV)/bin/mypy

test: $(VENV)/.dev-installed system-deps lint
	$(PY) -m pytest -q -p no:cacheprovider --benchmark-disable tests benchmarks

bench: $(VENV)/.dev-installed
	$(PY) -m pytest -q -p no:cacheprovider benchmarks --benchmark-only --benchmark-columns=min,median,mean,ops,rounds

coldstart: $(VENV)/.dev-installed
	$(PY) ../shared/tools/coldstart_tax.py

# the transcripts in docs/tune.md, produced by running the commands they show
docs-tune: $(VENV)/.dev-installed
	$(PY) scripts/tune_transcript.py docs/tune.md

# the transcripts in docs/report.md and docs/cloudwatch.md (AWS ones against moto on loopback)
docs-aws: $(VENV)/.dev-installed
	$(PY) scripts/aws_transcripts.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
