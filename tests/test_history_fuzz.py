"""History fuzzing: random honest histories, then one random change; a fresh clone refuses it or derives the same books.

The honest history: three clones of one coop recording at random and syncing through a bare remote (merges included).
The change, drawn by hypothesis: bytes of a book file, a file's mode, an extra file, an extra parent, a commit's time,
an old commit rewritten, or an audit tag; re-signed with a member's key (a hostile member has one). The oracle: a fresh
clone's `coop verify --full --expect FINGERPRINT` either exits 1, or every state it derives (balances, register, charter,
decisions) is the honest history's. COOP_FUZZ_HISTORIES sets the count (scripts/fuzz-history runs many).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coop_cli import book, charter, members, sync
from coop_cli.repo import Coop
from conftest import cli_env, make_coop, run_coop

COUNT = int(os.environ.get("COOP_FUZZ_HISTORIES", "25"))
MEMBERS = (("agnes", "Agnès", ("treasurer",)), ("bernard", "Bernard", ()), ("claire", "Claire", ()), ("dora", "Dora", ()))


@dataclass
class Honest:
    remote: Path
    keys: dict[str, Path]
    fingerprint: str
    books: dict  # what a clean verify derives: balances, register, charter, decisions


def derived(root: Path, fingerprint: str) -> dict | None:
    """What `coop verify` derives from a copy, or None when it refuses it."""
    done = run_coop("-C", str(root), "verify", "--full", "--expect", fingerprint, "--format", "json", env=cli_env())
    if done.returncode != 0:
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        return None
    balance = run_coop("-C", str(root), "balance", "--format", "json", env=cli_env())
    assert balance.returncode == 0, balance.stderr
    coop = Coop(root)
    register = coop.register()
    decisions = run_coop("-C", str(root), "decisions", "--format", "json", env=cli_env())
    return {
        "balances": {row["account"]: row["balance"] for row in json.loads(balance.stdout)},
        "register": (register.members, register.groups),
        "charter": coop.charter(),
        "decisions": decisions.stdout,
    }


@pytest.fixture(scope="module")
def honest(tmp_path_factory) -> Honest:
    folder = tmp_path_factory.mktemp("history")
    origin = make_coop(folder, MEMBERS)
    remote = folder / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(origin.root), str(remote)], check=True)
    fingerprint = origin.coop.fingerprint()
    rng = random.Random(20200310)
    clones = []
    for number, member in enumerate(("agnes", "bernard", "claire")):
        copy, _report = sync.clone(str(remote), folder / f"clone{number}", book.Identity(member, str(origin.keys[member])), fingerprint)
        clones.append((copy, member))
    people = [m[0] for m in MEMBERS]
    for step in range(24):
        copy, member = rng.choice(clones)
        identity = book.Identity(member, str(origin.keys[member]))
        payer = member if member != "agnes" else rng.choice(people + ["coop"])
        earner = rng.choice([p for p in people if p != payer])
        hours = str(rng.choice([0.25, 0.5, 1, 1.5, 2, 3]))
        book.record(copy, identity, [book.Exchange(payer, earner, hours, f"Échange {step}", f"2026-03-{rng.randint(1, 28):02d}")])
        if rng.random() < 0.5:
            sync.sync(copy, identity)
    for copy, member in clones + clones[:1]:
        sync.sync(copy, book.Identity(member, str(origin.keys[member])))
    final = folder / "final"
    subprocess.run(["git", "clone", "-q", str(remote), str(final)], check=True)
    books = derived(final, fingerprint)
    assert books is not None, "the honest history does not verify"
    return Honest(remote, origin.keys, fingerprint, books)


# ---------------------------------------------------------------- the changes

def git(root: Path, *args: str, env: dict | None = None, input: bytes | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, env={**os.environ, **(env or {})}, input=input)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


def signed(keys: dict[str, Path], member: str) -> list[str]:
    return ["-c", f"user.name={member}", "-c", f"user.email={member}@coop.invalid", "-c", "gpg.format=ssh",
            "-c", f"user.signingkey={keys[member]}", "-c", "commit.gpgsign=true"]


def book_files(root: Path) -> list[str]:
    return sorted(p for p in git(root, "ls-files", "--", "charter.md", "members.yaml", "ledger", ".gitattributes").split())


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return b"x"
    at = rng.randrange(len(data))
    kind = rng.choice(["flip", "insert", "delete", "line", "digit"])
    if kind == "flip":
        return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1:]
    if kind == "insert":
        return data[:at] + rng.choice([b" ", b"\n", b";", b"#", b",", b"0", b"-", b"\t", b"  ; kind: reversal"]) + data[at:]
    if kind == "delete":
        return data[:at] + data[at + rng.randint(1, 8):]
    if kind == "digit":
        digits = [i for i, byte in enumerate(data) if chr(byte).isdigit()]
        if digits:
            at = rng.choice(digits)
            return data[:at] + str(rng.randrange(10)).encode() + data[at + 1:]
    lines = data.split(b"\n")
    index = rng.randrange(len(lines))
    return b"\n".join(lines[:index] + [lines[rng.randrange(len(lines))]] + lines[index:])


def change_bytes(root: Path, keys, rng: random.Random, member: str) -> None:
    path = root / rng.choice(book_files(root))
    path.write_bytes(mutate_bytes(path.read_bytes(), rng))
    git(root, *signed(keys, member), "commit", "-qam", "edit", "--allow-empty")


def change_mode(root: Path, keys, rng: random.Random, member: str) -> None:
    target = rng.choice(book_files(root))
    path = root / target
    if rng.random() < 0.5:
        path.chmod(0o755)
    else:
        text = path.read_bytes()
        path.unlink()
        (root / "hidden.txt").write_bytes(text + b"\n2026-03-02 * x\n    members:bernard  5.00 H\n    coop  -5.00 H\n")
        path.symlink_to(os.path.relpath(root / "hidden.txt", path.parent))
    git(root, "add", "-A")
    git(root, *signed(keys, member), "commit", "-qm", "mode")


def extra_file(root: Path, keys, rng: random.Random, member: str) -> None:
    name = rng.choice(["ledger/2026-13.journal", "ledger/2026-04.journal", "ledger/notes.md", "ledger/.x", "ledger/meetings/x.md",
                       "ledger/meetings/2026-03-01-x.md", "ledger/sub/2026-03.journal"])
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(rng.choice(["", "2026-04-02 * Crédit\n    members:bernard  5.00 H\n    coop  -5.00 H\n", "# Réunion\n"]))
    git(root, "add", "-A")
    git(root, *signed(keys, member), "commit", "-qm", "extra")


def extra_parent(root: Path, keys, rng: random.Random, member: str) -> None:
    commits = git(root, "rev-list", "HEAD").split()
    if rng.random() < 0.5:
        other = rng.choice(commits[1:])
    else:
        tree = git(root, "mktree", input=b"").strip()
        other = git(root, "commit-tree", tree, "-m", "orphan").strip()
    tree = git(root, "rev-parse", f"{rng.choice([commits[0], other])}^{{tree}}").strip()
    merge = git(root, *signed(keys, member), "commit-tree", "-S", tree, "-p", commits[0], "-p", other, "-m", "merge").strip()
    git(root, "reset", "-q", "--hard", merge)


def commit_time(root: Path, keys, rng: random.Random, member: str) -> None:
    shift = rng.choice([-30 * 86400, -3 * 86400, -7200, -1800, 1800, 7200, 3 * 86400])
    stamp = f"@{int(__import__('time').time()) + shift} +0000"
    env = {"GIT_COMMITTER_DATE": stamp, "GIT_AUTHOR_DATE": stamp}
    path = root / "members.yaml"
    path.write_text(path.read_text() + "# a comment\n")
    git(root, *signed(keys, "agnes"), "commit", "-qam", "time", env=env)


def rewrite_old(root: Path, keys, rng: random.Random, member: str) -> None:
    """An old commit with one file's bytes changed, and every later commit made again on top, re-signed by agnes."""
    order = git(root, "rev-list", "--reverse", "--topo-order", "--first-parent", "HEAD").split()
    target = rng.choice(order[2:])
    git(root, "checkout", "-q", target)
    change_bytes(root, keys, rng, "agnes")
    for later in order[order.index(target) + 1:]:
        git(root, "checkout", "-q", later, "--", ".")  # the later commit's files as they were: the change is undone there
        git(root, *signed(keys, "agnes"), "commit", "-q", "--allow-empty", "-m", "again")
    head = git(root, "rev-parse", "HEAD").strip()
    git(root, "checkout", "-q", "-B", "main", head)


def audit_tag(root: Path, keys, rng: random.Random, member: str) -> None:
    target = rng.choice(git(root, "rev-list", "HEAD").split()[:5])
    message = f"audit: the books verify\n\ncommit: {target}\nentries: 0\n"
    git(root, *signed(keys, member), "-c", "tag.gpgsign=true", "tag", "-s", "-m", message, f"audit/2026-{rng.randint(1, 12):02d}-01", target)


CHANGES = [change_bytes, change_mode, extra_file, extra_parent, commit_time, rewrite_old, audit_tag]


@settings(max_examples=COUNT, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(change=st.sampled_from(CHANGES), member=st.sampled_from(["agnes", "bernard", "claire"]), seed=st.integers(0, 2**32))
def test_a_changed_history_is_refused_or_derives_the_same_books(honest, tmp_path_factory, change, member, seed):
    folder = tmp_path_factory.mktemp("tampered")
    root = folder / "copy"
    subprocess.run(["git", "clone", "-q", str(honest.remote), str(root)], check=True)
    change(root, honest.keys, random.Random(seed), member)
    fresh = folder / "fresh"
    subprocess.run(["git", "clone", "-q", "--no-local", str(root), str(fresh)], check=True)
    subprocess.run(["git", "fetch", "-q", str(root), "refs/tags/*:refs/tags/*"], cwd=fresh, check=False, capture_output=True)
    books = derived(fresh, honest.fingerprint)
    if books is not None:
        assert books == honest.books, f"{change.__name__} by {member} (seed {seed}) was accepted and changed the books"
    shutil.rmtree(folder, ignore_errors=True)
