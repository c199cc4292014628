"""Coops built for real in tmp_path: git repositories, keys from ssh-keygen, coop run as users run it.

`coop_repo` gives a coop with a treasurer (agnes), two members (bernard, claire) and their keys.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from coop_cli import book
from coop_cli.repo import Coop

SINCE = "2020-03-10"

# This machine is shared and noisy: no test may fail because an example took long to make or run.
settings.register_profile("coop", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("coop")


def ssh_keygen_key(folder: Path, name: str, kind: str = "ed25519", passphrase: str = "", bits: str | None = None, pem: bool = False) -> Path:
    """A real key pair made by OpenSSH's ssh-keygen; returns the private key's path (public: .pub beside it)."""
    path = folder / name
    command = ["ssh-keygen", "-q", "-t", kind, "-N", passphrase, "-C", f"{name}@test", "-f", str(path)]
    if bits:
        command += ["-b", bits]
    if pem:
        command += ["-m", "PEM"]
    subprocess.run(command, check=True)
    return path


def cli_env(**extra: str) -> dict[str, str]:
    """The environment coop runs in under test: English, fixed width, no colour, no identity leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOP_") and k != "SSH_AUTH_SOCK"}
    env.update({"LANGUAGE": "en", "LC_ALL": "C.UTF-8", "COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb"})
    env.update(extra)
    return env


def run_coop(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "coop_cli", *args], cwd=cwd, env=env or cli_env(), input=input, capture_output=True, text=True
    )


@dataclass
class CoopFixture:
    root: Path
    keys: dict[str, Path] = field(default_factory=dict)

    @property
    def coop(self) -> Coop:
        return Coop(self.root)

    def run(self, *args: str, as_: str | None = "agnes", key: str | None = None, **extra_env: str) -> subprocess.CompletedProcess:
        """`coop -C ROOT ARGS` signed by `as_` with their key (passed through COOP_AS/COOP_KEY)."""
        env = cli_env(**extra_env)
        if as_ is not None:
            env["COOP_AS"] = as_
            env["COOP_KEY"] = str(key or self.keys[as_])
        return run_coop("-C", str(self.root), *args, env=env)

    def identity(self, member: str = "agnes") -> book.Identity:
        return book.Identity(member, str(self.keys[member]))

    def snapshot(self) -> tuple[str, dict[str, bytes]]:
        """HEAD and every tracked or untracked file's bytes: to show a refused command wrote nothing."""
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=self.root, capture_output=True, text=True).stdout
        files = {
            str(p.relative_to(self.root)): p.read_bytes()
            for p in self.root.rglob("*")
            if p.is_file() and ".git" not in p.relative_to(self.root).parts
        }
        return head, files

    def decision(self, text: str, attendees: tuple[str, ...] = ("agnes", "bernard", "claire")) -> str:
        """A decision adopted by consensus at a meeting of its own (2026-03-10): what a governed change cites."""
        import json
        from datetime import date

        from coop_cli import meetings

        done = self.run("meeting", "new", text, "--date", "2026-03-10", "--duration", "2")
        assert done.returncode == 0, done.stderr
        slug = meetings.slug_for(date(2026, 3, 10), text)
        assert self.run("meeting", "attend", slug, *attendees).returncode == 0
        done = self.run("meeting", "decide", slug, text, "--consensus")
        assert done.returncode == 0, done.stderr
        return json.loads(self.run("decisions", "--format", "json", "--search", text).stdout)[0]["id"]

    def signed_git(self, member: str, *args: str, env: dict[str, str] | None = None) -> str:
        """Plain git, committing as a member with their key: what anyone holding a key can do without coop."""
        return subprocess.run(
            ["git", "-c", f"user.name={member}", "-c", f"user.email={member}@coop.invalid", "-c", "gpg.format=ssh",
             "-c", f"user.signingkey={self.keys[member]}", "-c", "commit.gpgsign=true", "-c", "tag.gpgsign=false", *args],
            cwd=self.root, capture_output=True, text=True, check=True, env={**os.environ, **(env or {})},
        ).stdout

    def git(self, *args: str) -> str:
        return subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True, check=True).stdout


def make_coop(folder: Path, members: tuple[tuple[str, str, tuple[str, ...]], ...]) -> CoopFixture:
    keys_folder = folder / "keys"
    keys_folder.mkdir()
    fixture = CoopFixture(folder / "coop")
    book.init(fixture.root, "Bâtissons l'Alternative")
    for member_id, name, roles in members:
        fixture.keys[member_id] = ssh_keygen_key(keys_folder, member_id)
        public = fixture.keys[member_id].with_suffix(".pub").read_text()
        signer = book.Identity(member_id, str(fixture.keys[member_id])) if not fixture.keys.keys() - {member_id} else fixture.identity("agnes")
        book.add_member(fixture.coop, signer, member_id, name, public, list(roles), SINCE)
    return fixture


@pytest.fixture
def coop_repo(tmp_path: Path) -> CoopFixture:
    return make_coop(tmp_path, (("agnes", "Agnès", ("treasurer",)), ("bernard", "Bernard", ()), ("claire", "Claire", ())))
