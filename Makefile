# Set-up and everyday commands. `make run` and `make test` each do all the set-up they need.
VENV ?= .venv
PYTHON ?= python3
FLASK = FLASK_APP=wsgi.py $(VENV)/bin/flask
BUILD = survey_app/static/build

.PHONY: run setup test load-test lint assets messages audit clean

# The port the service runs on, and so the port in links that commands print in development.
PORT ?= 5000
export PORT

# The service and the background worker that makes reports and exports, together (honcho runs
# Procfile.dev; Ctrl+C stops both).
run: setup
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" FLASK_APP=wsgi.py $(VENV)/bin/honcho --procfile Procfile.dev start --port $(PORT)

setup: $(VENV)/.installed assets
	$(FLASK) setup

# Two test workers: one a core on the machines this runs on; each worker has its own databases.
TEST_WORKERS ?= 2
# The load test's journeys per database in the everyday run; `make load-test` runs the full 2,000.
LOAD_JOURNEYS ?= 200
export LOAD_JOURNEYS

# The run ends with the 15 slowest tests, and the coverage of survey_app and reporting: the files
# not wholly covered, and the total (settings in pyproject.toml's [tool.coverage]).
test: $(VENV)/.installed assets
	rm -rf test-artifacts/screenshots test-artifacts/coverage
	mkdir -p test-artifacts/coverage
	$(VENV)/bin/python -m pytest -n $(TEST_WORKERS) --cov --cov-report=term:skip-covered --durations=15 $(PYTEST_ARGS)

load-test: $(VENV)/.installed assets
	LOAD_JOURNEYS=2000 $(VENV)/bin/python -m pytest tests/production/test_load.py $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The interface's translations, compiled for Flask-Babel (docs/translations.md).
CATALOGUES = $(wildcard survey_app/translations/*/LC_MESSAGES/messages.po)
assets: $(BUILD)/app.css $(CATALOGUES:.po=.mo)

# pybabel comes with the service's own dependencies (Babel), in the development environment or
# the production one alike.
survey_app/translations/%.mo: survey_app/translations/%.po
	$(VENV)/bin/pybabel compile --statistics -i $< -o $@

# After changing interface text: the template of what to translate, and each language's
# catalogue brought up to date with it (new texts empty, so the language waits for them).
messages: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k counted:1,2 --sort-by-file --width=100 \
		--no-location --project="SaferMK residents' survey" --copyright-holder=SaferMK \
		--msgid-bugs-address=safermk@milton-keynes.gov.uk -o survey_app/translations/messages.pot survey_app
	$(VENV)/bin/pybabel update -i survey_app/translations/messages.pot -d survey_app/translations \
		--width=100 --no-fuzzy-matching --ignore-pot-creation-date

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(BUILD)/app.css: node_modules/.installed survey_app/static/src/app.scss
	mkdir -p $(BUILD)
	npm run --silent build
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(BUILD)/
	rm -rf $(BUILD)/assets && cp -r node_modules/govuk-frontend/dist/govuk/assets $(BUILD)/assets

clean:
	rm -rf $(VENV) node_modules $(BUILD) .pytest_cache .mypy_cache test-artifacts

# Known-vulnerability check of the installed packages against PyPI's advisory data (needs access
# to pypi.org's JSON API).
audit: $(VENV)/.installed
	$(VENV)/bin/pip-audit --skip-editable --strict
