"""The command surface: every command has help with an example and is shown in the README."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from coop_cli.cli import build_app
from conftest import cli_env, run_coop

README = Path(__file__).parent.parent / "README.md"


def commands(group: typer.Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [(*prefix, info.name) for info in group.registered_commands]
    for sub in group.registered_groups:
        found += commands(sub.typer_instance, (*prefix, sub.name))
    return found


ALL = commands(build_app())


def test_the_command_surface_of_the_spec_is_there():
    for command in [("init",), ("member", "add"), ("member", "list"), ("member", "show"), ("member", "key", "add"), ("key", "new"),
                    ("record",), ("revert",), ("balance",), ("statement",)]:
        assert command in ALL


@pytest.mark.parametrize("command", ALL, ids=[" ".join(c) for c in ALL])
def test_every_command_has_help_with_an_example(command):
    done = run_coop(*command, "--help", env=cli_env())
    assert done.returncode == 0, done.stderr
    assert f"Example: coop {' '.join(command[:1])}" in done.stdout.replace("\n  ", " ")


@pytest.mark.parametrize("command", ALL, ids=[" ".join(c) for c in ALL])
def test_every_command_is_shown_in_the_readme(command):
    assert f"coop {' '.join(command)}" in README.read_text()


def test_no_arguments_shows_the_help(tmp_path):
    done = run_coop(cwd=tmp_path, env=cli_env())
    assert done.returncode == 0 and "Commands" in done.stdout
    assert run_coop("--version", env=cli_env()).stdout.startswith("coop ")
