"""Debian's chromium driven by Playwright for the browser tests: where the browser is, how it starts,
and where a failing test leaves its screenshot and page."""

import importlib.util
import os
import re
from pathlib import Path

from tests.real_services import require_service

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BROWSER_PATH = "/usr/bin/chromium"
# No sandbox: CI and development machines run the suite as root, where Chromium's sandbox cannot start.
# The rest keeps Chromium from reaching out on its own (updates, sync, field trials) over a network that
# refuses it, and from wanting a GPU.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def browser_path() -> str:
    """The Chromium the tests drive: BROWSER_PATH, else Debian's package (`make browser` installs it)."""
    return os.environ.get("BROWSER_PATH") or DEFAULT_BROWSER_PATH


def require_browser() -> str:
    """The browser's path; skips the calling test (fails it under CI=true) when Playwright or the
    browser is missing."""
    require_service(
        "Playwright",
        importlib.util.find_spec("playwright") is not None,
        "the playwright package is not installed; make test installs requirements-dev.lock",
    )
    path = browser_path()
    require_service(
        "Chromium",
        os.access(path, os.X_OK),
        f"no browser at {path}; `make browser` installs Debian's chromium, BROWSER_PATH names another",
    )
    return path


def artifacts_dir() -> Path:
    """Where failing browser tests leave their screenshot and page: TEST_ARTIFACTS_DIR/browser, by
    default artifacts/browser at the repository's root."""
    return Path(os.environ.get("TEST_ARTIFACTS_DIR") or ROOT / "artifacts") / "browser"


def artifact_stem(test_name: str) -> Path:
    """artifacts_dir()/<test name>, the name reduced to characters safe in a file name."""
    return artifacts_dir() / re.sub(r"[^\w.-]+", "_", test_name)
