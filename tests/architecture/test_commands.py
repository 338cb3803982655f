"""Every management command of our apps explains itself (`--help`) and is listed in the README."""

from pathlib import Path

import pytest
from django.core.management import BaseCommand, call_command, get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[2]
OUR_APPS = ("accounts", "bounties", "contracts", "adminpanel")
OUR_COMMANDS = sorted((name, app) for name, app in get_commands().items() if app in OUR_APPS)
# Options every command inherits from Django (--verbosity, --settings, ...), documented by Django.
INHERITED = {action.dest for action in BaseCommand().create_parser("manage.py", "base")._actions}


def words(text: str) -> str:
    """`text` without whitespace: argparse wraps lines, also after a hyphen."""
    return "".join(text.split())


def test_our_apps_have_the_maintenance_commands():
    assert {name for name, _app in OUR_COMMANDS} >= {
        "backup_db",
        "check_starknet_nodes",
        "create_admin",
        "expire_bounties",
        "flush_expired_tokens",
        "purge_wallet_challenges",
        "seed_demo",
        "verify_payouts",
    }


@pytest.mark.parametrize(("name", "app"), OUR_COMMANDS)
def test_command_help_says_what_it_does_and_every_option(name, app, capsys):
    # when
    with pytest.raises(SystemExit) as exited:
        call_command(name, "--help")

    # then: it prints its purpose
    assert exited.value.code == 0
    printed = words(capsys.readouterr().out)
    command = load_command_class(app, name)
    assert len(command.help) >= 40, f"{name}: its help is too short to say what it does"
    assert words(command.help) in printed
    assert f"{name}[-h]" in printed
    # and explains each option of its own
    for action in command.create_parser("manage.py", name)._actions:
        if action.dest not in INHERITED:
            assert action.help and len(action.help) >= 15, f"{name} {action.option_strings}: no help text"
            assert words(action.help.split("(")[0]) in printed


@pytest.mark.parametrize(("name", "app"), OUR_COMMANDS)
def test_command_is_in_the_readme_table(name, app):
    readme = (ROOT / "README.md").read_text()
    maintenance = readme.split("## Maintenance commands", 1)[1].split("\n## ", 1)[0]
    assert f"| `{name}" in maintenance, f"{name} is missing from the README's maintenance commands table"
