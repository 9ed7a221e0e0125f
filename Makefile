# pbengine — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INI ?= development.ini
# What running needs (`pip install -e .`); the test extras (pytest, WebTest, Playwright, ruff...)
# only for the targets that test, lint or measure.
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test install install-test browser lint bench stress clean messages

# Compiled message catalogs (the .po files are the source, in the repository).
MO := $(patsubst %.po,%.mo,$(wildcard pbengine/locale/*/LC_MESSAGES/pbengine.po))

$(STAMP): setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): setup.py $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The app and its compiled catalogs; `install-test` adds the test extras.
install: $(STAMP) $(MO)

install-test: install $(TEST_STAMP)

pbengine/locale/%/LC_MESSAGES/pbengine.mo: pbengine/locale/%/LC_MESSAGES/pbengine.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ -l $*

# Re-extract translatable strings into the template and merge them into each language.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -o pbengine/locale/pbengine.pot --no-location --sort-output pbengine
	for lang in fr es; do $(BIN)/pybabel update -i pbengine/locale/pbengine.pot -d pbengine/locale -D pbengine -l $$lang --no-fuzzy-matching; done

# Serve the app: migrate the SQLite database, load the demo once, serve on :6543.
run: install
	mkdir -p var
	$(BIN)/pbengine initdb $(INI)
	$(BIN)/pbengine demo $(INI) --if-empty
	$(BIN)/pserve $(INI)

# Chromium for the browser tests, from the distribution's packages. Under CI (CI=true) a
# Chromium that cannot be installed is an error, not a warning.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will be skipped"; \
	  else echo "warning: chromium missing (apt-get install chromium); browser tests will be skipped"; fi; }
	@if [ -n "$$CI" ] && ! command -v chromium >/dev/null 2>&1; then \
	  echo "error: chromium is missing under CI"; exit 1; fi

test: install-test browser
	$(BIN)/ruff check voting_rules pbengine tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q -p no:cacheprovider

lint: install-test
	$(BIN)/ruff check voting_rules pbengine tests bench
	$(BIN)/mypy

bench: install-test
	$(BIN)/python bench/tally.py
	$(BIN)/python bench/city.py
	$(BIN)/python bench/cast.py
	$(BIN)/python bench/unlink.py

# Full-size stress and crash tests against real waitress servers (small versions run in `make test`).
stress: install-test
	PBENGINE_STRESS=full $(BIN)/pytest -q -p no:cacheprovider -s tests/stress

clean:
	rm -rf $(VENV) var *.egg-info
