# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make run   - install into .venv if needed, migrate the SQLite database, serve HTTP and WebSockets on
#                127.0.0.1:8000 (uvicorn, reloading on code changes)
#   make test  - install into .venv if needed, run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# Tests use every core (pytest-xdist); PYTEST_WORKERS=0 runs them in this process.
PYTEST_WORKERS ?= auto

# The locks are resolved against PyPI alone, whatever the local pip configuration says, so that they
# hold PyPI's hashes and no local path; LOCK_ARGS passes options, e.g. "--upgrade-package django".
LOCK_INDEX_URL ?= https://pypi.org/simple
LOCK_ARGS ?=
PIP_COMPILE := env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_CONSTRAINT \
	PIP_CONFIG_FILE=/dev/null CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet \
	--generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
	--index-url $(LOCK_INDEX_URL) $(LOCK_ARGS)

.PHONY: run test fuzz browser systemd nginx wrk bench lint typecheck imports format migrate check-migrations lock audit clean

# Installs exactly the locked releases, each checked against its hash (requirements-dev.lock holds
# requirements.lock, the runtime set, plus the development tools).
$(BIN)/.installed: requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	touch $@

# DEBUG defaults to on for the local server only; set DEBUG=false and the secrets to try production mode.
# uvicorn serves the ASGI application (blocra.asgi): the HTTP site and the WebSockets (/ws/) on one port,
# restarted when a file of the code changes (RELOAD_DIRS: the apps, never .venv, whose files it would
# otherwise poll as well). Production runs the two apart (deploy/gunicorn.conf.py, deploy/gunicorn_ws.conf.py).
RELOAD_DIRS := blocra accounts bounties contracts adminpanel
run: $(BIN)/.installed
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(BIN)/uvicorn blocra.asgi:application --host $(HOST) --port $(PORT) --lifespan off \
		--reload $(addprefix --reload-dir ,$(RELOAD_DIRS))

test: $(BIN)/.installed
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Schemathesis against a live gunicorn (tests/fuzz): every operation of the OpenAPI schema, as an
# anonymous caller, a user and an admin, FUZZ_EXAMPLES cases per operation and phase (default 5; more
# for a longer local run, e.g. `make fuzz FUZZ_EXAMPLES=200`). Derandomized: the same cases every run.
FUZZ_EXAMPLES ?= 5
fuzz: $(BIN)/.installed
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -n $(PYTEST_WORKERS) tests/fuzz $(PYTEST_ARGS)

# Debian packages some tests drive, each installed with apt-get when its program is missing (as root,
# else through sudo). The package index is refreshed only when it does not know the package, or when
# installing from it fails (an index gone stale). $(call debian_tool,NAME,PROGRAM,PACKAGE)
APT_INSTALL := env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends
define debian_tool
	@if [ -x "$(2)" ]; then echo "$(1): $(2) is there"; exit 0; fi; \
	sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
	echo "$(1): $(2) is missing; installing Debian's $(3): $$sudo $(APT_INSTALL) $(3)"; \
	if ! apt-cache show $(3) >/dev/null 2>&1 || ! $$sudo $(APT_INSTALL) $(3); then \
		echo "$(1): $$sudo apt-get update, then installing again"; \
		$$sudo apt-get update -q && $$sudo $(APT_INSTALL) $(3); \
	fi; \
	test -x "$(2)" || { echo "$(1): $(2) is still missing" >&2; exit 1; }
endef

# The browser the admin site's browser test drives (tests/browser): Debian's chromium.
BROWSER_PATH ?= /usr/bin/chromium
browser:
	$(call debian_tool,browser,$(BROWSER_PATH),chromium)

# The systemd tools the deployment tests use on deploy/systemd (systemd-analyze verify and security,
# systemd-socket-activate, systemd-sysusers): Debian's systemd package. Nothing is started: the package
# only brings the tools.
SYSTEMD_ANALYZE ?= /usr/bin/systemd-analyze
systemd:
	$(call debian_tool,systemd,$(SYSTEMD_ANALYZE),systemd)

# The web server the live proxy test drives (tests/deploy): Debian's nginx. The test runs it as its own
# process on loopback ports; the package's service is not needed (where Debian's policy lets the
# package start it, it listens on port 80 with Debian's default site until stopped).
NGINX_PATH ?= /usr/sbin/nginx
nginx:
	$(call debian_tool,nginx,$(NGINX_PATH),nginx)

# The HTTP load generator of `make bench` (and of the test of its client, tests/bench): Debian's wrk.
WRK_PATH ?= /usr/bin/wrk
wrk:
	$(call debian_tool,wrk,$(WRK_PATH),wrk)

# The benchmark (bench/README.md): seeds 10,000 bounties, serves the app with deploy/gunicorn.conf.py in
# production settings beside a bare Django site, drives both with wrk and prints the table, on SQLite and
# on a throw-away PostgreSQL database. BENCH_ARGS passes options, e.g. "--db sqlite --duration 5".
BENCH_ARGS ?=
bench: $(BIN)/.installed wrk
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Style, types (mypy with the Django and DRF plugins) and the direction of imports (import-linter).
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) --no-print-directory typecheck imports

typecheck: $(BIN)/.installed
	DEBUG=true BLOCRA_READ_DOT_ENV=false $(BIN)/mypy

imports: $(BIN)/.installed
	$(BIN)/lint-imports --no-cache

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: $(BIN)/.installed
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

# Resolves requirements.txt and requirements-dev.txt (the pins people edit) into the hashed locks;
# the development lock is constrained by the runtime lock, so the two agree on every shared release.
lock: $(BIN)/.installed
	$(PIP_COMPILE) --output-file requirements.lock requirements.txt
	$(PIP_COMPILE) --constraint requirements.lock --output-file requirements-dev.lock requirements-dev.txt

# Known vulnerabilities of every locked release (requirements-dev.lock holds the runtime set too), from
# PyPI's vulnerability data; AUDIT_ARGS passes options ("-s osv" asks OSV instead). --strict: a release
# the service could not check fails the audit, so an unreachable service never passes for a clean one.
AUDIT_ARGS ?=
# Advisories accepted on purpose, each with its reason:
# GHSA-wj6h-64fc-37mp (CVE-2024-23342): ecdsa, which starknet-py needs through crypto-cpp-py, leaks the
#   nonce through timing when it signs (Minerva); no release fixes it (side channels are out of the
#   project's scope). crypto-cpp-py takes only RFC 6979 nonce derivation from it, on the signing path,
#   and the backend holds no private key and never signs: it verifies signatures and hashes.
AUDIT_IGNORE := GHSA-wj6h-64fc-37mp
audit: $(BIN)/.installed
	$(BIN)/pip-audit --strict --require-hashes --disable-pip --progress-spinner off \
		$(addprefix --ignore-vuln ,$(AUDIT_IGNORE)) $(AUDIT_ARGS) -r requirements-dev.lock

clean:
	rm -rf $(VENV) data/test_blocra*.db
