"""The screenshot hook of tests/browser/conftest.py, run for real: an inner pytest session loads that
conftest as a plugin and runs one browser test that fails and one that passes."""

import os
import struct
import subprocess
import sys
import textwrap

from tests.browser.chromium import ROOT, require_browser

INNER_TESTS = """
def test_inner_fails_with_a_long_page(page):
    page.set_content('<h1>What the operator saw</h1><div style="height: 3000px">tall</div>')
    assert page.title() == "a title this page does not have"


def test_inner_passes(page):
    page.set_content("<h1>All is well</h1>")
"""


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's header chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_failure_artifacts_saved_for_the_failing_browser_test_only(tmp_path):
    require_browser()
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # the inner session ignores the project's settings
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(INNER_TESTS))
    artifacts = tmp_path / "artifacts"
    env = {**os.environ, "TEST_ARTIFACTS_DIR": str(artifacts), "PYTHONPATH": str(ROOT)}
    # The browser fixture and the hook come from the real conftest; no Django, no workers, no cache.
    plugins = ["-p", "tests.browser.conftest", "-p", "no:django", "-p", "no:xdist", "-p", "no:cacheprovider"]

    # when an inner session runs a failing and a passing browser test
    inner = subprocess.run(
        [sys.executable, "-m", "pytest", *plugins, "-c", "pytest.ini", "--rootdir", str(tmp_path), "test_inner.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    # then the failing one left a full-page screenshot and its page's HTML, named after it, and said where
    output = inner.stdout + inner.stderr
    assert inner.returncode == 1, output
    assert "1 failed, 1 passed" in output, output
    screenshot = artifacts / "browser" / "test_inner_fails_with_a_long_page.png"
    page_html = artifacts / "browser" / "test_inner_fails_with_a_long_page.html"
    assert sorted(path.name for path in (artifacts / "browser").iterdir()) == [page_html.name, screenshot.name]
    assert f"screenshot: {screenshot}" in output, output
    assert f"page HTML: {page_html}" in output, output
    width, height = png_size(screenshot.read_bytes())
    assert width > 0 and height > 3000  # the whole page, not the 720-pixel viewport
    assert "What the operator saw" in page_html.read_text()
