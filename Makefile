# Two commands do everything on a fresh machine:
#   make demo   creates .venv, installs lambda_kit, runs the bundled examples
#   make test   creates .venv with the dev dependencies, installs the servers the
#               tests need, runs lint and the whole suite (benchmarks in quick mode)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q

.PHONY: demo test test-all lint docs docs-transcripts docs-tune docs-migrate docs-aws bench coldstart instructions system-deps clean

# The Pythons `make test-all` runs the suite on, each in its own venv (.venv-3.11, ...):
# pyenv's build of each when there is one, else python3.X from PATH.
PYTHON_VERSIONS := 3.11 3.12 3.13

# A venv made before the rename has this project installed as "lambda-kit", which is now
# another project's name on the index: it goes, so the two never share site-packages.
UNINSTALL_OLD_NAME := $(PIP) uninstall -y -q lambda-kit 2>/dev/null || true

$(VENV)/.run-installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(UNINSTALL_OLD_NAME)
	$(PIP) install -e '.[local]'
	@touch $@

$(VENV)/.dev-installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(UNINSTALL_OLD_NAME)
	$(PIP) install -e '.[dev]'
	@touch $@ $(VENV)/.run-installed

demo: $(VENV)/.run-installed
	$(VENV)/bin/lambda-kit demo

# Debian packages the test suite needs (real servers, not mocks); installed only when missing.
system-deps:
	@sh scripts/system-deps.sh

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check lambda_kit tests benchmarks examples scripts
	$(VENV)/bin/mypy
	$(VENV)/bin/cfn-lint examples/deploy/template.yaml

# The docs site (MkDocs + Material, the API reference from the docstrings) into site/;
# --strict: a broken link or a docstring mkdocstrings cannot read fails the build.
docs: $(VENV)/.dev-installed
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet

# Run every example shown in docs/ and write its output into the page (see the script).
# The pages whose commands need more than a shell (tune's measured runs, a moto server for
# the AWS ones) have their own scripts; this one target runs them all.
docs-transcripts: $(VENV)/.dev-installed
	$(PY) scripts/docs_transcripts.py
	$(PY) scripts/tune_transcript.py docs/tune.md
	$(PY) scripts/tune_transcript.py docs/migrate-from-powertools.md
	$(PY) scripts/aws_transcripts.py

test: $(VENV)/.dev-installed system-deps lint docs
	$(PY) -m pytest -q -p no:cacheprovider --benchmark-disable tests benchmarks

# The suite on every supported Python, one after the other (2 cores: not in parallel),
# with each run's wall time; every version runs, and the target fails if any failed.
test-all: system-deps
	@failed=""; for v in $(PYTHON_VERSIONS); do \
	  py=$$(ls -d $(HOME)/.pyenv/versions/$$v.*/bin/python 2>/dev/null | tail -n 1); \
	  [ -n "$$py" ] || py=$$(command -v python$$v) || { echo "test-all: no Python $$v"; exit 2; }; \
	  echo "== make test on Python $$v ($$py)"; start=$$(date +%s); \
	  if $(MAKE) --no-print-directory test VENV=.venv-$$v PYTHON=$$py; then r=passed; \
	  else r=FAILED; failed="$$failed $$v"; fi; \
	  echo "== Python $$v: $$r in $$(( $$(date +%s) - start )) s"; \
	done; \
	[ -z "$$failed" ] || { echo "test-all: failed on Python$$failed"; exit 1; }

bench: $(VENV)/.dev-installed
	$(PY) -m pytest -q -p no:cacheprovider benchmarks --benchmark-only --benchmark-columns=min,median,mean,ops,rounds

coldstart: $(VENV)/.dev-installed
	$(PY) benchmarks/coldstart_tax.py

# the cold-start tax and a warm invocation in instructions (valgrind): steady on a busy
# machine; AGAINST=<git revision> also measures that revision's lambda_kit
instructions: $(VENV)/.dev-installed
	$(PY) benchmarks/instructions.py $(if $(AGAINST),--against $(AGAINST))

# the transcripts in docs/tune.md, produced by running the commands they show
docs-tune: $(VENV)/.dev-installed
	$(PY) scripts/tune_transcript.py docs/tune.md

# the transcripts in docs/migrate-from-powertools.md, likewise
docs-migrate: $(VENV)/.dev-installed
	$(PY) scripts/tune_transcript.py docs/migrate-from-powertools.md
# the transcripts in docs/report.md and docs/cloudwatch.md (AWS ones against moto on loopback)
docs-aws: $(VENV)/.dev-installed
	$(PY) scripts/aws_transcripts.py

clean:
	rm -rf $(VENV) .venv-3.* build site *.egg-info .pytest_cache .mypy_cache .ruff_cache
