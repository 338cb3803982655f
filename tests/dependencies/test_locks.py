"""The hashed lock files agree with the pins people edit: every pin of requirements.txt and
requirements-dev.txt is locked at a release it allows, nothing is locked for a pin that is gone, every
locked release carries hashes and no index or local path, and the development lock holds the runtime
lock unchanged. Offline and fast: `make lock` resolves, this only reads the files."""

import re
import shutil
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.real_services import IN_CI

ROOT = Path(__file__).resolve().parents[2]
# (input edited by people, lock made from it by `make lock`)
PAIRS = (("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock"))
RUNTIME_LOCK, DEV_LOCK = "requirements.lock", "requirements-dev.lock"
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)$")
HASH = re.compile(r"^--hash=sha256:[0-9a-f]{64}$")


@dataclass
class Locked:
    version: str
    hashes: set[str] = field(default_factory=set)
    via: set[str] = field(default_factory=set)  # package names and "-r file" / "-c file"


def logical_lines(path: Path) -> list[str]:
    """The file's lines with backslash continuations joined."""
    return path.read_text().replace("\\\n", " ").splitlines()


def read_inputs(root: Path, name: str, seen: set[str] | None = None) -> dict[str, dict[str, Requirement]]:
    """Requirements of an input file and the files it includes with -r, by file as written."""
    seen = set() if seen is None else seen
    seen.add(name)
    found: dict[str, dict[str, Requirement]] = {name: {}}
    for line in logical_lines(root / name):
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")):
            included = line.split(maxsplit=1)[1]
            if included not in seen:
                found |= read_inputs(root, included, seen)
            continue
        if line.startswith("-"):
            continue  # -c and pip options: not requirements
        requirement = Requirement(line)
        found[name][canonicalize_name(requirement.name)] = requirement
    return found


def read_lock(path: Path) -> tuple[dict[str, Locked], list[str]]:
    """The locked releases, and the problems with the file's form."""
    locked: dict[str, Locked] = {}
    problems: list[str] = []
    current: Locked | None = None
    header_names_make_lock = False
    for line in logical_lines(path):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            comment = stripped.lstrip("#").strip()
            if comment == "make lock":
                header_names_make_lock = True
            if current is not None and line.startswith(" "):
                via = comment.removeprefix("via").strip()
                current.via |= {part.strip() for part in via.split(",") if part.strip()}
            else:
                current = None
            continue
        if line.startswith(" ") or stripped.startswith("-"):
            problems.append(f"{path.name}: an option outside a locked release: {stripped[:80]}")
            continue
        requirement, *options = stripped.split()
        match = PIN.match(requirement)
        if match is None:
            problems.append(f"{path.name}: {requirement} is not pinned with ==")
            current = None
            continue
        current = Locked(version=match["version"])
        locked[canonicalize_name(match["name"])] = current
        for option in options:
            if HASH.match(option):
                current.hashes.add(option)
            else:
                problems.append(f"{path.name}: {requirement} carries {option[:80]}, not a sha256 hash")
        if not current.hashes:
            problems.append(f"{path.name}: {requirement} has no hash")
    if not header_names_make_lock:
        problems.append(f"{path.name}: its header does not name `make lock` (made by hand?)")
    return locked, problems


def lock_problems(root: Path) -> list[str]:
    """Every way the locks under `root` disagree with their inputs or with each other."""
    problems: list[str] = []
    locks: dict[str, dict[str, Locked]] = {}
    for input_name, lock_name in PAIRS:
        locked, form_problems = read_lock(root / lock_name)
        locks[lock_name] = locked
        problems += form_problems
        try:
            inputs = read_inputs(root, input_name)
        except InvalidRequirement as error:
            problems.append(f"{input_name}: {error}")
            continue
        for file_name, requirements in inputs.items():
            for name, requirement in requirements.items():
                if requirement.marker is not None and not requirement.marker.evaluate():
                    continue
                if name not in locked:
                    problems.append(f"{file_name} requires {requirement}, which {lock_name} lacks")
                elif not requirement.specifier.contains(locked[name].version, prereleases=True):
                    problems.append(
                        f"{file_name} requires {requirement}, {lock_name} holds {name}=={locked[name].version}"
                    )
        for name, entry in locked.items():
            for via in entry.via:
                if via.startswith("-r "):
                    file_name = via.removeprefix("-r ").strip()
                    if name not in inputs.get(file_name, {}):
                        problems.append(f"{lock_name} locks {name} for {file_name}, which no longer requires it")
                elif not via.startswith("-c ") and canonicalize_name(via) not in locked:
                    problems.append(f"{lock_name} locks {name} for {via}, which it does not lock")
    runtime, dev = locks[RUNTIME_LOCK], locks[DEV_LOCK]
    for name, entry in runtime.items():
        if name not in dev:
            problems.append(f"{DEV_LOCK} lacks {name}=={entry.version} of {RUNTIME_LOCK}")
        elif (dev[name].version, dev[name].hashes) != (entry.version, entry.hashes):
            problems.append(f"{DEV_LOCK} holds {name}=={dev[name].version}, not {RUNTIME_LOCK}'s release and hashes")
    return problems


def dependency_closure(requirements: list[Requirement]) -> set[str]:
    """The packages `requirements` need in this environment, transitively, by the installed metadata."""
    needed: dict[str, set[str]] = {}  # package -> extras asked of it
    todo = [(canonicalize_name(r.name), set(r.extras)) for r in requirements if not r.marker or r.marker.evaluate()]
    while todo:
        name, extras = todo.pop()
        if name in needed and extras <= needed[name]:
            continue
        needed[name] = needed.get(name, set()) | extras
        for line in metadata.requires(name) or []:
            dependency = Requirement(line)
            wanted = dependency.marker is None or any(
                dependency.marker.evaluate({"extra": extra}) for extra in {"", *needed[name]}
            )
            if wanted:
                todo.append((canonicalize_name(dependency.name), set(dependency.extras)))
    return set(needed)


def closure_problems(root: Path, input_name: str, lock_name: str) -> list[str]:
    """What the lock misses of what its requirements need, and what it holds that nothing needs."""
    locked, _ = read_lock(root / lock_name)
    requirements = [r for by_file in read_inputs(root, input_name).values() for r in by_file.values()]
    needed = dependency_closure(requirements)
    return [f"{lock_name} lacks {name}, which is needed" for name in sorted(needed - set(locked))] + [
        f"{lock_name} holds {name}, which nothing needs" for name in sorted(set(locked) - needed)
    ]


def require_locked_releases_installed() -> None:
    """The installed metadata stands for the locked releases' only when they are the ones installed:
    skip (fail under CI, which installs from the lock) in an environment installed otherwise."""
    locked, _ = read_lock(ROOT / DEV_LOCK)
    others = []
    for name, entry in locked.items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "nothing"
        if installed == "nothing" or Version(installed) != Version(entry.version):
            others.append(f"{name}: {installed} installed, {entry.version} locked")
    if others:
        message = f"this environment was not installed from {DEV_LOCK} (make clean test): {others[:3]}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in {file for pair in PAIRS for file in pair}:
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def replace(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text()
    changed = re.sub(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert changed != text, f"{pattern!r} not found in {path.name}"
    path.write_text(changed)


def test_locks_agree_with_their_requirements_and_each_other():
    assert lock_problems(ROOT) == []


@pytest.mark.parametrize(("input_name", "lock_name"), PAIRS)
def test_lock_holds_exactly_what_its_requirements_need(input_name, lock_name):
    require_locked_releases_installed()
    assert closure_problems(ROOT, input_name, lock_name) == []


@pytest.mark.parametrize(
    ("pattern", "replacement", "expected"),
    [
        # a needed release dropped from the lock
        (r"^sqlparse==\S+ \\\n(    --hash=\S+ \\\n)*    --hash=\S+\n", "", "lacks sqlparse"),
        # a release nothing needs at run time (a development tool) in the runtime lock
        (r"\Z", "pytest==9.2.0 --hash=sha256:" + "0" * 64 + "\n", "holds pytest, which nothing needs"),
    ],
)
def test_closure_problems_finds_a_planted_gap_or_extra(tree, pattern, replacement, expected):
    # given
    require_locked_releases_installed()
    replace(tree / RUNTIME_LOCK, pattern, replacement)

    # when
    problems = closure_problems(tree, "requirements.txt", RUNTIME_LOCK)

    # then
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("file_name", "pattern", "replacement", "expected"),
    [
        # a pin raised without `make lock`
        ("requirements.txt", r"^Django==\S+$", "Django==5.2.999", "requires Django==5.2.999, requirements.lock holds"),
        # a package added without `make lock`
        ("requirements-dev.txt", r"\Z", "planted-package==1.0\n", "which requirements-dev.lock lacks"),
        # a pin removed without `make lock`
        ("requirements.txt", r"^redis==\S+\n", "", "locks redis for requirements.txt, which no longer requires it"),
        # a release locked for a package no longer locked
        ("requirements.lock", r"^    # via aiohttp$", "    # via planted", "for planted, which it does not lock"),
        # the development lock drifted from the runtime one
        ("requirements-dev.lock", r"^django==5\.2\.\d+", "django==5.2.998", "holds django==5.2.998, not"),
        # a release without its hashes
        ("requirements.lock", r"^(gunicorn==\S+) \\\n(    --hash=\S+ \\\n)*    --hash=\S+\n", r"\1\n", "has no hash"),
        # a local index or path leaked from the machine's pip configuration
        ("requirements.lock", r"\A", "--find-links /srv/wheels\n", "outside a locked release"),
        ("requirements-dev.lock", r"\A", "--extra-index-url file:///srv/pypi\n", "outside a locked release"),
        # compiled by hand, with whatever options that took
        ("requirements.lock", r"^#    make lock$", "#    pip-compile requirements.txt", "does not name `make lock`"),
    ],
)
def test_lock_problems_finds_a_planted_disagreement(tree, file_name, pattern, replacement, expected):
    # given
    replace(tree / file_name, pattern, replacement)

    # when
    problems = lock_problems(tree)

    # then
    assert any(expected in problem for problem in problems), problems
