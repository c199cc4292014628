"""Options shared by many commands (who signs, output format) and the state every command starts from.

Identity comes from --as/--key, else COOP_AS/COOP_KEY, else git config coop.member/user.signingkey.
"""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import typer

from coop_cli.book import Identity
from coop_cli.i18n import N_, _
from coop_cli.repo import Coop


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@dataclass
class State:
    directory: str | None

    def coop(self) -> Coop:
        return Coop.find(Path(self.directory or os.getcwd()))


def state(ctx: typer.Context) -> State:
    return ctx.find_root().obj


AS = typer.Option(None, "--as", envvar="COOP_AS", metavar="MEMBER", help=N_("The member who records and signs (default: git config coop.member)."))
KEY = typer.Option(None, "--key", envvar="COOP_KEY", metavar="FILE", help=N_("Private key to sign with, or the .pub of a key held by ssh-agent (default: git config user.signingkey)."))
FORMAT = typer.Option(Format.table, "--format", help=N_("Output format."))


def identity(member: str | None, key: str | None) -> Identity:
    return Identity(member, key, ask_passphrase)


def ask_passphrase() -> str | None:
    """COOP_KEY_PASSPHRASE for scripts; otherwise ask on the terminal, never echoing."""
    if "COOP_KEY_PASSPHRASE" in os.environ:
        return os.environ["COOP_KEY_PASSPHRASE"]
    if not sys.stdin.isatty():
        return None
    return getpass.getpass(_("Passphrase for the signing key: "))
