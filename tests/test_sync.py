"""Copies kept in step through a bare remote: coop sync, plain git pull --rebase, and refusals that merge nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from coop_cli import book
from coop_cli.repo import Coop
from conftest import cli_env, run_coop, ssh_keygen_key
from helpers import entries_of, hledger_balances, nonzero
from coop_cli import reports


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=check, env=env)


@pytest.fixture
def clones(coop_repo, tmp_path):
    """A bare remote of the coop and two members' copies made by `coop clone`."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(coop_repo.root), str(remote)], check=True)
    copies = []
    for name in ("a", "b"):
        done = run_coop("clone", str(remote), str(tmp_path / name), "--as", "agnes", "--key", str(coop_repo.keys["agnes"]), env=cli_env())
        assert done.returncode == 0, done.stderr
        copies.append(tmp_path / name)
    return coop_repo, remote, copies


def record(coop_repo, root: Path, n: int, payer: str, earner: str, day: int = 15) -> None:
    exchanges = [book.Exchange(payer, earner, "0.25", f"{root.name} {n}", f"2026-03-{day:02}")]
    book.record(Coop(root), coop_repo.identity("agnes"), exchanges)


def sync(coop_repo, root: Path):
    env = cli_env(COOP_AS="agnes", COOP_KEY=str(coop_repo.keys["agnes"]), PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    return run_coop("-C", str(root), "sync", env=env)


def verified(root: Path) -> None:
    done = run_coop("-C", str(root), "verify", "--full", env=cli_env())
    assert done.returncode == 0, done.stdout + done.stderr


def record_fifty_each(coop_repo, a: Path, b: Path, bring_in_step) -> None:
    """Both copies record fifty exchanges in the same month, and every ten each brings itself in step."""
    for n in range(50):
        record(coop_repo, a, n, "bernard", "claire")
        record(coop_repo, b, n, "claire", "bernard")
        if n % 10 == 9:
            for root in (a, b):
                bring_in_step(root)


def test_two_copies_recording_at_once_end_with_the_same_books(clones):
    coop_repo, remote, (a, b) = clones

    def coop_sync(root: Path) -> None:
        done = sync(coop_repo, root)
        assert done.returncode == 0, done.stderr

    record_fifty_each(coop_repo, a, b, coop_sync)
    for root in (a, b, a):
        assert sync(coop_repo, root).returncode == 0
    assert (a / "ledger" / "2026-03.journal").read_text() == (b / "ledger" / "2026-03.journal").read_text()
    entries = entries_of(a)
    assert len(entries) == 100 and len({e.id for e in entries}) == 100
    assert nonzero(reports.balances(entries)) == hledger_balances(a)
    verified(a)
    verified(b)


def test_plain_git_pull_rebase_in_clones_made_by_coop_clone(clones):
    coop_repo, remote, (a, b) = clones

    def pull_rebase_and_push(root: Path) -> None:
        pulled = git(root, "pull", "-q", "--rebase", check=False)
        assert pulled.returncode == 0, pulled.stderr
        git(root, "push", "-q")

    record_fifty_each(coop_repo, a, b, pull_rebase_and_push)
    git(a, "pull", "-q", "--rebase")
    assert (a / "ledger" / "2026-03.journal").read_text() == (b / "ledger" / "2026-03.journal").read_text()
    assert len(entries_of(a)) == 100 and len({e.id for e in entries_of(a)}) == 100
    assert "Good" in git(b, "log", "-1", "--show-signature").stdout
    verified(a)
    verified(b)


def test_a_force_pushed_rewrite_is_refused(clones, tmp_path):
    coop_repo, remote, (a, b) = clones
    record(coop_repo, a, 1, "bernard", "claire")
    assert sync(coop_repo, a).returncode == 0
    assert sync(coop_repo, b).returncode == 0
    git(a, "reset", "-q", "--hard", "HEAD~1")
    record(coop_repo, a, 2, "bernard", "claire")
    git(a, "push", "-q", "--force")
    before = git(b, "rev-parse", "HEAD").stdout
    done = sync(coop_repo, b)
    assert done.returncode == 1 and "rewritten or force-pushed" in done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert git(b, "rev-parse", "HEAD").stdout == before
    assert git(b, "status", "--porcelain").stdout == ""


def test_what_fails_verify_is_not_merged(clones):
    coop_repo, remote, (a, b) = clones
    journal = a / "ledger" / "2026-03.journal"
    record(coop_repo, a, 1, "bernard", "claire")
    journal.write_text(journal.read_text().replace("0.25 H", "5.25 H").replace("-0.25 H", "-5.25 H"))
    git(a, "-c", "commit.gpgsign=false", "commit", "-qam", "edit")
    git(a, "push", "-q")
    before = git(b, "rev-parse", "HEAD").stdout
    done = sync(coop_repo, b)
    assert done.returncode == 1 and "does not verify" in done.stderr and "nothing was merged" in done.stderr
    assert git(b, "rev-parse", "HEAD").stdout == before


def test_a_real_conflict_stops_cleanly(clones):
    coop_repo, remote, (a, b) = clones
    signer_identity = coop_repo.identity("agnes")
    for root, value in ((a, "0.5"), (b, "1")):
        coop = Coop(root)
        text = (root / "charter.md").read_text() + f"\nNote {value}: the same line, written apart in two copies.\n"  # prose: no decision needed
        signer = book.load_signer(coop, signer_identity)
        with coop.writing():
            coop.commit({"charter.md": text}, "charter: step\n", ("Agnès", "agnes@coop.invalid"), signer)
    assert sync(coop_repo, a).returncode == 0
    before = git(b, "rev-parse", "HEAD").stdout
    done = sync(coop_repo, b)
    assert done.returncode == 1 and "charter.md" in done.stderr and "nothing was merged" in done.stderr
    assert git(b, "rev-parse", "HEAD").stdout == before
    assert git(b, "status", "--porcelain").stdout == ""
    assert not (b / ".git" / "MERGE_HEAD").exists()


def test_a_remote_that_refuses_the_push_is_named(coop_repo, tmp_path):
    """A clone of a working copy (not a bare repository): git refuses pushes to its checked-out branch."""
    copy = tmp_path / "copy"
    done = run_coop("clone", str(coop_repo.root), str(copy), "--as", "agnes", "--key", str(coop_repo.keys["agnes"]), env=cli_env())
    assert done.returncode == 0, done.stderr
    record(coop_repo, copy, 1, "bernard", "claire")
    done = sync(coop_repo, copy)
    assert done.returncode == 1 and len(done.stderr.splitlines()) == 1
    assert "origin refused the push" in done.stderr and "checked out" in done.stderr and "bare" in done.stderr
    assert git(copy, "status", "--porcelain").stdout == ""
    verified(copy)


def test_a_member_who_added_their_own_key_can_still_merge_register_changes(clones, tmp_path):
    """Copy a: bernard adds a key of his own. Copy b: the treasurer registers someone. Bernard's sync merges both."""
    coop_repo, remote, (a, b) = clones
    phone = ssh_keygen_key(tmp_path, "bernard_phone").with_suffix(".pub").read_text().strip()
    as_bernard = cli_env(COOP_AS="bernard", COOP_KEY=str(coop_repo.keys["bernard"]), PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    assert run_coop("-C", str(a), "member", "key", "add", "bernard", phone, env=as_bernard).returncode == 0
    assert run_coop("-C", str(b), "member", "add", "dora", "--name", "Dora", "--as", "agnes", "--key", str(coop_repo.keys["agnes"]), env=cli_env()).returncode == 0
    assert sync(coop_repo, b).returncode == 0
    done = run_coop("-C", str(a), "sync", env=as_bernard)
    assert done.returncode == 0, done.stderr
    register = Coop(a).register()
    assert register.get("dora") is not None and len(register.get("bernard").keys) == 2
    verified(a)
