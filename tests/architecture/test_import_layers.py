"""The layers of STYLE.md hold (blocra < accounts < bounties | contracts < adminpanel), and the
import-linter contract in pyproject.toml that CI runs does catch an import against them."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("blocra", "accounts", "bounties", "contracts", "adminpanel")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    """import-linter with the project's own contract over the packages found in `tree`."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_import_layers_are_kept_by_the_code_as_it_is(tree_copy):
    result = lint_imports(tree_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import"),
    [
        ("contracts/planted.py", "from bounties.models import Bounty"),  # a sibling at the same level
        ("accounts/planted.py", "import contracts.models"),  # upwards
        ("blocra/planted.py", "from accounts.models import User"),  # blocra imports no app
        ("bounties/planted.py", "from adminpanel import models"),  # upwards past a layer
    ],
)
def test_import_layers_contract_fails_on_a_planted_wrong_import(tree_copy, module, wrong_import):
    # given
    (tree_copy / module).write_text(f"{wrong_import}\n")

    # when
    result = lint_imports(tree_copy)

    # then
    assert result.returncode != 0
    assert "0 kept, 1 broken" in result.stdout
    planted = module.removesuffix(".py").replace("/", ".")
    assert planted in result.stdout
