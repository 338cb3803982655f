"""Running wrk (Debian's package, 4.x) and reading what it prints."""

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

LUA_SCRIPT = Path(__file__).resolve().parent / "requests.lua"

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    rate: float  # requests per second, as wrk computed it
    p50_ms: float
    p99_ms: float
    # Answers with a status of 400 or more (wrk's "Non-2xx or 3xx responses" line counts status > 399).
    errors_status: int = 0
    # connect, read, write, timeout: requests that got no answer at all.
    errors_socket: dict[str, int] = field(default_factory=dict)
    # From bench/requests.lua: whether a thread ran out of its lines and started again.
    lines_sent: int | None = None
    lines_available: int | None = None
    lines_wrapped: bool = False

    @property
    def failed(self) -> int:
        return self.errors_status + sum(self.errors_socket.values())


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def _search(pattern: str, text: str) -> re.Match[str]:
    match = re.search(pattern, text, re.MULTILINE)
    if match is None:
        raise ValueError(f"wrk printed no {pattern!r}:\n{text}")
    return match


def wrk_parse(text: str) -> WrkResult:
    """The numbers of one `wrk --latency` run's output; raises ValueError when a part is missing."""
    requests = _search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", text)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    status = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    lines = re.search(r"request lines: sent (\d+) of (\d+), wrapped (\d)", text)
    return WrkResult(
        requests=int(requests.group(1)),
        seconds=_duration_ms(requests.group(2) + requests.group(3)) / 1000,
        rate=float(_search(r"^Requests/sec:\s+([\d.]+)", text).group(1)),
        p50_ms=_duration_ms(_search(r"^\s+50%\s+(\S+)", text).group(1)),
        p99_ms=_duration_ms(_search(r"^\s+99%\s+(\S+)", text).group(1)),
        errors_status=int(status.group(1)) if status else 0,
        errors_socket=(
            dict(zip(("connect", "read", "write", "timeout"), map(int, socket.groups()), strict=True)) if socket else {}
        ),
        lines_sent=int(lines.group(1)) if lines else None,
        lines_available=int(lines.group(2)) if lines else None,
        lines_wrapped=bool(lines and lines.group(3) == "1"),
    )


def wrk_run(
    url: str,
    *,
    seconds: float,
    connections: int,
    threads: int,
    lines: Path | None = None,
    timeout: float = 30,
) -> tuple[WrkResult, str]:
    """Load `url` for `seconds` (with the request lines of `lines` through bench/requests.lua when
    given); returns the parsed result and wrk's output."""
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        f"--timeout={max(1, round(timeout))}s",
        "--latency",
    ]
    if lines is not None:
        command += ["--script", str(LUA_SCRIPT), url, "--", str(lines), str(threads)]
    else:
        command.append(url)
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    output = run.stdout + run.stderr
    if run.returncode != 0:
        raise RuntimeError(f"wrk failed ({run.returncode}): {' '.join(command)}\n{output}")
    return wrk_parse(output), output
