"""Every API answer the suite receives is checked against the OpenAPI schema the server publishes.

A pytest plugin (loaded by tests/conftest.py). Each response the test client (Django's or DRF's) gets
from a path under /api is matched to its operation in the schema and validated, values and types:
formats (uuid, date-time), enums, nullability, required keys, no undocumented shape.
- a 2xx answer must be documented for its operation and match its schema;
- a 4xx/5xx answer must match the schema the operation documents for that status, which is the one
  error shape (`Error`) unless the operation documents another (health's 503).
A mismatch fails the test that made the request.

Coverage: every answer an operation documents (each status) must be seen at least once. When the
whole suite runs (no selection), a missing one fails the session, naming it.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# Answers that are not JSON documents of the API.
_NOT_CHECKED = ("/api/schema", "/api/docs")
_COVERAGE_DIR_KEY = "schema_coverage_dir"
_ERROR = {"$ref": "#/components/schemas/Error"}


@dataclass
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    responses: dict[str, Any]


@dataclass
class SchemaChecker:
    spec: dict[str, Any]
    operations: list[Operation] = field(default_factory=list)
    seen: set[tuple[str, str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        for template, methods in self.spec["paths"].items():
            regex = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template))
            for method, operation in methods.items():
                self.operations.append(
                    Operation(method.upper(), template, re.compile(f"^{regex}/?$"), operation["responses"])
                )
        # Literal segments beat parameters (`/bounties/mine` before `/bounties/{id}`).
        self.operations.sort(key=lambda op: (op.template.count("{"), -len(op.template)))

    def operation(self, method: str, path: str) -> Operation | None:
        for operation in self.operations:
            if operation.method == method and operation.pattern.match(path):
                return operation
        return None

    def validate(self, schema: dict[str, Any], body: Any, where: str) -> None:
        from openapi_schema_validator import OAS30Validator, oas30_format_checker

        document = {**schema, "components": self.spec.get("components", {})}
        errors = sorted(
            OAS30Validator(document, format_checker=oas30_format_checker).iter_errors(body), key=lambda e: e.path
        )
        if errors:
            details = "\n".join(
                f"  at {'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message[:300]}"
                for error in errors[:10]
            )
            raise AssertionError(f"{where} does not match the OpenAPI schema:\n{details}")

    def check(self, method: str, path: str, status: int, content_type: str, raw: bytes) -> None:
        if not path.startswith("/api") or path.startswith(_NOT_CHECKED):
            return
        if status in (204, 304):  # no body to check; a documented 304 (a cached read's ETag) is seen
            operation = self.operation(method, path)
            if operation is not None and str(status) in operation.responses:
                self.seen.add((operation.method, operation.template, str(status)))
            return
        where = f"{method} {path} -> {status}"
        if not content_type.startswith("application/json"):
            raise AssertionError(f"{where} answered {content_type or 'no content type'}, not JSON")
        body = json.loads(raw) if raw else None
        operation = self.operation(method, path)
        if operation is None:
            if status < 400:
                raise AssertionError(f"{where}: no operation of the schema serves this path and method")
            self.validate(_ERROR, body, f"{where} (the error shape)")
            return
        documented = operation.responses.get(str(status))
        if documented is None and status < 400:
            raise AssertionError(f"{where}: status {status} is not documented for {method} {operation.template}")
        schema = ((documented or {}).get("content") or {}).get("application/json", {}).get("schema")
        # An error answer is the one error shape unless the operation documents another for it.
        self.validate(schema or _ERROR if status >= 400 else schema or {}, body, where)
        self.seen.add((operation.method, operation.template, str(status)))


_checker: SchemaChecker | None = None


def _schema_checker() -> SchemaChecker:
    global _checker
    if _checker is None:
        from drf_spectacular.generators import SchemaGenerator

        _checker = SchemaChecker(SchemaGenerator().get_schema(request=None, public=True))
    return _checker


@pytest.fixture(autouse=True)
def _responses_match_the_schema(request: pytest.FixtureRequest) -> Iterator[None]:
    """Wraps the test client's handler for the duration of each test that talks to the app."""
    from django.test.client import ClientHandler

    original = ClientHandler.__call__

    def checked(handler: ClientHandler, environ: dict[str, Any]) -> Any:
        response = original(handler, environ)
        raw = b"" if getattr(response, "streaming", False) else response.content
        _schema_checker().check(
            environ["REQUEST_METHOD"].upper(),
            environ.get("PATH_INFO", ""),
            response.status_code,
            response.get("Content-Type", ""),
            raw,
        )
        return response

    ClientHandler.__call__ = checked  # type: ignore[method-assign]
    try:
        yield
    finally:
        ClientHandler.__call__ = original  # type: ignore[method-assign]


# --- Coverage across the session (and across xdist workers) -----------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        config._schema_coverage_dir = tempfile.mkdtemp(prefix="blocra-schema-coverage-")  # type: ignore[attr-defined]


def pytest_configure_node(node: Any) -> None:  # xdist: tell each worker where to leave what it saw
    node.workerinput[_COVERAGE_DIR_KEY] = node.config._schema_coverage_dir


def _coverage_dir(config: pytest.Config) -> Path:
    workerinput = getattr(config, "workerinput", None)
    return Path(workerinput[_COVERAGE_DIR_KEY] if workerinput else config._schema_coverage_dir)  # type: ignore[attr-defined]


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    directory = _coverage_dir(config)
    if _checker is not None:
        name = getattr(config, "workerinput", {}).get("workerid", "main")
        (directory / f"{name}-{os.getpid()}.json").write_text(json.dumps(sorted(_checker.seen)))
    if hasattr(config, "workerinput") or not _whole_suite(config) or exitstatus != 0:
        return
    seen = {tuple(entry) for path in directory.glob("*.json") for entry in json.loads(path.read_text())}
    missing = missing_answers(_schema_checker().operations, seen)
    if missing:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("Operations of the OpenAPI schema the suite never saw answering:", red=True)
            for line in sorted(missing):
                reporter.write_line(f"  {line}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def missing_answers(operations: list[Operation], seen: set[tuple[str, ...]]) -> list[str]:
    """Every documented answer (operation and status) the suite never saw, as readable lines."""
    return [
        f"{op.method} {op.template}: never answered {status}"
        for op in operations
        for status in op.responses
        if (op.method, op.template, status) not in seen
    ]


def _whole_suite(config: pytest.Config) -> bool:
    """True when nothing narrowed the run: no paths or node ids, no -k, no -m, no --lf/--deselect."""
    testpaths = {str(Path(config.rootpath, path)) for path in config.getini("testpaths")}
    args = {str(Path(config.invocation_params.dir, arg)) for arg in config.args}
    narrowed = config.getoption("keyword") or config.getoption("markexpr") or config.getoption("deselect", None)
    return (not args or args <= testpaths) and not narrowed and not config.getoption("lf", False)
