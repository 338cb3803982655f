"""`manage.py backup_db`: an online SQLite backup while writes continue; the dump guidance elsewhere."""

import io
import queue
import sqlite3
import stat
import threading
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from adminpanel.backups import backup_guidance, backups_prune, sqlite_integrity_problems
from adminpanel.models import Feedback

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="backup_db copies SQLite databases only (DATABASE_URL names another)"
)
# Real commits, visible to the backup's own connection to the database file.
live_db = pytest.mark.django_db(transaction=True)

STAMPED = r"blocra-\d{8}T\d{6}Z(-\d+)?\.sqlite3"


def text_of(n: int) -> str:
    """A row's text, longer than a page, so a torn copy of it would show."""
    return f"row {n}: " + "".join(f"{n * 7919 + i:08d}" for i in range(700))


def feedback_rows(first: int, count: int) -> None:
    Feedback.objects.bulk_create(Feedback(name=f"row-{n}", feedback=text_of(n)) for n in range(first, first + count))


def rows_in(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as copy:
        return dict(copy.execute("SELECT name, feedback FROM adminpanel_feedback").fetchall())


def backup(*args: str, stdout: io.StringIO | None = None) -> str:
    out = stdout or io.StringIO()
    call_command("backup_db", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def backup_dir(settings, tmp_path) -> Path:
    settings.BACKUP_DIR = tmp_path / "backups" / "nested"  # missing: the command creates it
    return settings.BACKUP_DIR


class StepGate(io.StringIO):
    """The command's output stream, which at every "copied N of M pages" line (one per step, at
    verbosity 2) has the writer commit one more row and waits for it: writes land between the steps
    of one backup, and the test fails (the wait times out) if the backup blocked them."""

    def __init__(self, requests: queue.Queue, done: queue.Queue) -> None:
        super().__init__()
        self.requests, self.done, self.steps = requests, done, 0

    def write(self, text: str) -> int:
        if text.startswith("copied "):
            self.steps += 1
            # A copy that SQLite restarts after every write would never end.
            assert self.steps <= 500, "the backup does not progress while writes continue"
            self.requests.put(self.steps)
            self.done.get(timeout=20)
        return super().write(text)


@sqlite_only
@live_db
def test_backup_db_copies_a_consistent_database_while_writes_continue(backup_dir):
    # given: rows committed before the backup, and a writer on a connection of its own
    feedback_rows(0, 200)
    requests: queue.Queue = queue.Queue()
    done: queue.Queue = queue.Queue()
    written: list[int] = []

    def writer() -> None:
        try:
            while (step := requests.get()) is not None:
                n = 10_000 + step
                Feedback.objects.create(name=f"row-{n}", feedback=text_of(n))
                written.append(n)
                done.put(n)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    gate = StepGate(requests, done)

    # when: the backup copies a few pages per step, the writer committing a row after every step
    try:
        backup("--pages", "16", "--verbosity", "2", stdout=gate)
    finally:
        requests.put(None)
        thread.join(timeout=20)

    # then: writes went on during the backup
    assert gate.steps >= 10
    assert len(written) == gate.steps
    assert Feedback.objects.count() == 200 + len(written)
    # and the copy is a valid database holding every row committed before it began, each complete
    (copy,) = backup_dir.iterdir()
    assert sqlite_integrity_problems(copy) == []
    copied = rows_in(copy)
    assert {f"row-{n}" for n in range(200)} <= copied.keys()
    assert all(text == text_of(int(name.removeprefix("row-"))) for name, text in copied.items())
    # a snapshot of the moment the backup began: none of the rows written during it
    assert len(copied) == 200
    last_step = [line for line in gate.getvalue().splitlines() if line.startswith("copied ")][-1]
    total = int(last_step.split()[-2])
    assert last_step == f"copied {total} of {total} pages"
    assert f"Backed up {total} pages to {copy} ({copy.stat().st_size} bytes)." in gate.getvalue()


@sqlite_only
@live_db
def test_backup_db_writes_a_private_self_contained_timestamped_file(backup_dir):
    feedback_rows(0, 3)
    output = backup()
    (copy,) = backup_dir.iterdir()
    assert copy.name.startswith("blocra-") and copy.suffix == ".sqlite3"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert str(copy) in output
    with sqlite3.connect(copy) as opened:
        assert opened.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert len(rows_in(copy)) == 3


@sqlite_only
@live_db
def test_backup_db_two_runs_in_one_second_keep_both(backup_dir, fake_clock):
    # given: time stands still
    feedback_rows(0, 1)
    backup()
    feedback_rows(1, 1)

    # when
    backup()

    # then
    names = sorted(path.name for path in backup_dir.iterdir())
    assert len(names) == 2
    first, second = names[1], names[0]  # "-1" sorts before "."
    assert second == first.replace(".sqlite3", "-1.sqlite3")
    assert len(rows_in(backup_dir / first)) == 1
    assert len(rows_in(backup_dir / second)) == 2


@sqlite_only
@live_db
def test_backup_db_keep_deletes_the_oldest_backups_only(backup_dir, fake_clock):
    # given: three earlier backups, one of them twice in a second, and an unrelated file
    for _ in range(2):
        backup()
        fake_clock.advance(1)
    backup()
    backup()
    unrelated = backup_dir / "blocra-notes.sqlite3"
    unrelated.write_text("mine")
    before = sorted(backup_dir.iterdir())
    fake_clock.advance(1)

    # when
    output = backup("--keep", "2")

    # then: the newest two stay: the one just made, and the second of the same-second pair
    (just_made,) = set(backup_dir.iterdir()) - set(before)
    (second_of_pair,) = [path for path in before if path.name.endswith("-1.sqlite3")]
    assert set(backup_dir.iterdir()) == {just_made, second_of_pair, unrelated}
    assert unrelated.read_text() == "mine"
    assert output.count("deleted old backup") == 3


@sqlite_only
@live_db
def test_backup_db_output_writes_that_file_and_never_overwrites(tmp_path):
    target = tmp_path / "elsewhere" / "manual.sqlite3"
    backup("--output", str(target))
    assert sqlite_integrity_problems(target) == []
    first = target.read_bytes()
    with pytest.raises(CommandError, match="exists; a backup never overwrites a file"):
        backup("--output", str(target))
    assert target.read_bytes() == first


@sqlite_only
@live_db
def test_backup_db_pauses_between_steps_on_the_application_clock(backup_dir, fake_clock):
    feedback_rows(0, 20)
    out = io.StringIO()
    start = fake_clock.monotonic()
    backup("--pages", "8", "--pause", "0.5", "--verbosity", "2", stdout=out)
    steps = out.getvalue().count("copied ")
    assert steps > 2
    assert fake_clock.monotonic() - start == pytest.approx(0.5 * (steps - 1))


@sqlite_only
@live_db
@pytest.mark.parametrize(("args", "message"), [(["--pages", "0"], "--pages"), (["--keep", "0"], "--keep")])
def test_backup_db_refuses_bad_numbers(backup_dir, args, message):
    with pytest.raises(CommandError, match=message):
        backup(*args)
    assert not backup_dir.exists()


def test_sqlite_integrity_problems_finds_a_damaged_file(tmp_path):
    # given: a database whose index pages were overwritten
    path = tmp_path / "damaged.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        db.execute("CREATE INDEX t_v ON t (v)")
        db.executemany("INSERT INTO t (v) VALUES (?)", [(f"value {n:06d}",) for n in range(3000)])
    db.close()
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(len(data) - 4 * page, len(data) - page):
        data[offset] = 0x5A
    path.write_bytes(bytes(data))

    # then
    assert sqlite_integrity_problems(path) != []
    assert sqlite_integrity_problems(tmp_path / "missing.sqlite3") != []


def test_backups_prune_orders_same_second_backups_after_the_first(tmp_path):
    names = [
        "blocra-20250101T000000Z.sqlite3",
        "blocra-20250101T000000Z-1.sqlite3",
        "blocra-20250101T000000Z-2.sqlite3",
        "blocra-20250101T000001Z.sqlite3",
        "blocra-20250101T000000Z.sqlite3.bak",
    ]
    for name in names:
        (tmp_path / name).write_text(name)
    deleted = backups_prune(directory=tmp_path, keep=2)
    assert sorted(path.name for path in deleted) == [
        "blocra-20250101T000000Z-1.sqlite3",
        "blocra-20250101T000000Z.sqlite3",
    ]
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        ["blocra-20250101T000000Z-2.sqlite3", "blocra-20250101T000001Z.sqlite3", "blocra-20250101T000000Z.sqlite3.bak"]
    )


SERVER_DATABASES = {
    "postgresql": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "blocra",
        "USER": "blocra_app",
        "PASSWORD": "s3cret-never-shown",
        "HOST": "db.internal",
        "PORT": 5433,
    },
    "mysql": {
        "ENGINE": "django.db.backends.mysql",
        "NAME": "blocra",
        "USER": "blocra_app",
        "PASSWORD": "s3cret-never-shown",
        "HOST": "db.internal",
        "PORT": "",
    },
}


def test_backup_guidance_for_postgresql_names_pg_dump_without_the_password():
    text = backup_guidance(SERVER_DATABASES["postgresql"])
    assert (
        "pg_dump --format=custom --no-owner --host=db.internal --port=5433 --username=blocra_app --dbname=blocra"
        in text
    )
    assert "s3cret" not in text
    assert "~/.pgpass" in text and "pg_restore" in text


def test_backup_guidance_for_mysql_names_mysqldump_single_transaction_without_the_password():
    text = backup_guidance(SERVER_DATABASES["mysql"])
    expected = (
        "mysqldump --single-transaction --quick --routines --triggers --host=db.internal --user=blocra_app blocra"
    )
    assert expected in text
    assert "--port" not in text
    assert "s3cret" not in text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
@live_db
def test_backup_db_on_postgresql_fails_with_the_pg_dump_command(backup_dir):
    settings_dict = connection.settings_dict
    with pytest.raises(CommandError) as refused:
        backup()
    message = str(refused.value)
    assert "backup_db copies SQLite databases only" in message
    assert f"--dbname={settings_dict['NAME']}" in message
    assert "pg_dump --format=custom" in message
    if settings_dict.get("PASSWORD"):
        assert str(settings_dict["PASSWORD"]) not in message
    assert not backup_dir.exists()


@pytest.mark.skipif(connection.vendor != "mysql", reason="needs MySQL/MariaDB (DATABASE_URL)")
@live_db
def test_backup_db_on_mysql_fails_with_the_mysqldump_command(backup_dir):
    settings_dict = connection.settings_dict
    with pytest.raises(CommandError) as refused:
        backup()
    message = str(refused.value)
    assert "backup_db copies SQLite databases only" in message
    assert "mysqldump --single-transaction" in message
    assert message.split(" > ")[0].endswith(f" {settings_dict['NAME']}")
    if settings_dict.get("PASSWORD"):
        assert str(settings_dict["PASSWORD"]) not in message
    assert not backup_dir.exists()
