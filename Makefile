# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make run   - install into .venv if needed, migrate the SQLite database, serve on 127.0.0.1:8000
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

.PHONY: run test browser systemd nginx lint typecheck imports format migrate check-migrations lock audit clean

# Installs exactly the locked releases, each checked against its hash (requirements-dev.lock holds
# requirements.lock, the runtime set, plus the development tools).
$(BIN)/.installed: requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	touch $@

# DEBUG defaults to on for the local server only; set DEBUG=false and the secrets to try production mode.
run: $(BIN)/.installed
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(BIN)/.installed
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The browser the admin site's browser test drives (tests/browser): Debian's chromium, installed with
# apt-get when BROWSER_PATH is missing (as root, else through sudo). The package index is refreshed only
# when it does not know the package, or when installing from it fails (an index gone stale).
BROWSER_PATH ?= /usr/bin/chromium
APT_INSTALL_BROWSER := env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
browser:
	@if [ -x "$(BROWSER_PATH)" ]; then echo "browser: $(BROWSER_PATH) is there"; exit 0; fi; \
	sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
	echo "browser: $(BROWSER_PATH) is missing; installing Debian's chromium: $$sudo $(APT_INSTALL_BROWSER)"; \
	if ! apt-cache show chromium >/dev/null 2>&1 || ! $$sudo $(APT_INSTALL_BROWSER); then \
		echo "browser: $$sudo apt-get update, then installing again"; \
		$$sudo apt-get update -q && $$sudo $(APT_INSTALL_BROWSER); \
	fi; \
	test -x "$(BROWSER_PATH)" || { echo "browser: $(BROWSER_PATH) is still missing" >&2; exit 1; }

# The systemd tools the deployment tests use on deploy/systemd (systemd-analyze verify and security,
# systemd-socket-activate, systemd-sysusers): Debian's systemd package, installed with apt-get when
# SYSTEMD_ANALYZE is missing, as `make browser` installs the browser. Nothing is started: the package
# only brings the tools.
SYSTEMD_ANALYZE ?= /usr/bin/systemd-analyze
APT_INSTALL_SYSTEMD := env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends systemd
systemd:
	@if [ -x "$(SYSTEMD_ANALYZE)" ]; then echo "systemd: $(SYSTEMD_ANALYZE) is there"; exit 0; fi; \
	sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
	echo "systemd: $(SYSTEMD_ANALYZE) is missing; installing Debian's systemd: $$sudo $(APT_INSTALL_SYSTEMD)"; \
	if ! apt-cache show systemd >/dev/null 2>&1 || ! $$sudo $(APT_INSTALL_SYSTEMD); then \
		echo "systemd: $$sudo apt-get update, then installing again"; \
		$$sudo apt-get update -q && $$sudo $(APT_INSTALL_SYSTEMD); \
	fi; \
	test -x "$(SYSTEMD_ANALYZE)" || { echo "systemd: $(SYSTEMD_ANALYZE) is still missing" >&2; exit 1; }
# The web server the live proxy test drives (tests/deploy): Debian's nginx, installed with apt-get when
# NGINX_PATH is missing, the same way as the browser. The test runs it as its own process on loopback
# ports; the package's service is not needed (where Debian's policy lets the package start it, it listens
# on port 80 with Debian's default site until stopped).
NGINX_PATH ?= /usr/sbin/nginx
APT_INSTALL_NGINX := env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx
nginx:
	@if [ -x "$(NGINX_PATH)" ]; then echo "nginx: $(NGINX_PATH) is there"; exit 0; fi; \
	sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
	echo "nginx: $(NGINX_PATH) is missing; installing Debian's nginx: $$sudo $(APT_INSTALL_NGINX)"; \
	if ! apt-cache show nginx >/dev/null 2>&1 || ! $$sudo $(APT_INSTALL_NGINX); then \
		echo "nginx: $$sudo apt-get update, then installing again"; \
		$$sudo apt-get update -q && $$sudo $(APT_INSTALL_NGINX); \
	fi; \
	test -x "$(NGINX_PATH)" || { echo "nginx: $(NGINX_PATH) is still missing" >&2; exit 1; }

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
