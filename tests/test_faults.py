"""Faults: many coops at once, kills at any moment, odd repository states, a full disk, a read-only copy.

After each fault the books are as they were or hold the new entry whole and committed, and `coop verify` passes.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from coop_cli import reports
from conftest import cli_env, make_coop, run_coop
from helpers import entries_of, hledger_balances, nonzero

MEMBERS = (("agnes", "Agnès", ("treasurer",)), ("bernard", "Bernard", ()), ("claire", "Claire", ()))


def coop_command(coop_repo, *args: str) -> list[str]:
    return [sys.executable, "-m", "coop_cli", "-C", str(coop_repo.root), *args]


def signed_env(coop_repo, **extra: str) -> dict[str, str]:
    return cli_env(COOP_AS="agnes", COOP_KEY=str(coop_repo.keys["agnes"]), PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"], **extra)


def assert_books_whole(root: Path) -> None:
    """Every journal reads without a problem (no partial line), and verify passes."""
    entries_of(root)
    done = run_coop("-C", str(root), "verify", "--full", env=cli_env())
    assert done.returncode == 0, done.stdout + done.stderr


# ---------------------------------------------------------------- many at once

def test_eight_processes_recording_at_once_lose_nothing(coop_repo):
    worker = (
        "import sys\n"
        "from coop_cli import book\n"
        "from coop_cli.repo import Coop\n"
        "coop, who = Coop(__import__('pathlib').Path(sys.argv[1])), book.Identity('agnes', sys.argv[2])\n"
        "for n in range(25):\n"
        "    book.record(coop, who, [book.Exchange('coop', sys.argv[3], '0.25', f'Réunion {sys.argv[4]}-{n}', '2026-03-10')])\n"
    )
    members = ["agnes", "bernard", "claire"]
    workers = [
        subprocess.Popen([sys.executable, "-c", worker, str(coop_repo.root), str(coop_repo.keys["agnes"]), members[n % 3], str(n)])
        for n in range(8)
    ]
    assert [w.wait() for w in workers] == [0] * 8
    entries = entries_of(coop_repo.root)
    assert len(entries) == 200 and len({e.id for e in entries}) == 200
    assert coop_repo.git("status", "--porcelain") == ""
    assert nonzero(reports.balances(entries)) == hledger_balances(coop_repo.root)
    assert_books_whole(coop_repo.root)


# ---------------------------------------------------------------- kills

def kill_after(command: list[str], env: dict[str, str], delay: float) -> None:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_record_killed_at_any_moment_leaves_the_books_whole(coop_repo):
    env = signed_env(coop_repo)
    journal = coop_repo.root / "ledger" / "2026-03.journal"
    for step in range(30):
        head = coop_repo.git("rev-parse", "HEAD")
        before = journal.read_text() if journal.exists() else ""
        kill_after(coop_command(coop_repo, "record", "coop", "bernard", "0.25", f"Réunion {step}", "--date", "2026-03-10"), env, step * 0.02)
        after = journal.read_text() if journal.exists() else ""
        committed = coop_repo.git("show", "HEAD:ledger/2026-03.journal") if "ledger/2026-03.journal" in coop_repo.git("ls-tree", "-r", "--name-only", "HEAD") else ""
        if coop_repo.git("rev-parse", "HEAD") == head:
            assert after == before  # nothing happened
        else:
            assert committed.startswith(before) and after in (before, committed)  # the entry is committed, whole
        entries_of(coop_repo.root)
        done = subprocess.run(coop_command(coop_repo, "record", "coop", "claire", "0.25", f"Suite {step}", "--date", "2026-03-10"), env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        assert coop_repo.git("status", "--porcelain") == ""
    assert_books_whole(coop_repo.root)


def test_sync_killed_at_any_moment_leaves_both_copies_whole(coop_repo, tmp_path):
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(coop_repo.root), str(remote)], check=True)
    env = signed_env(coop_repo)
    copies = []
    for name in ("a", "b"):
        done = run_coop("clone", str(remote), str(tmp_path / name), "--as", "agnes", "--key", str(coop_repo.keys["agnes"]), env=env)
        assert done.returncode == 0, done.stderr
        copies.append(tmp_path / name)
    a, b = copies
    for step in range(12):
        for root, member in ((a, "bernard"), (b, "claire")):
            done = subprocess.run([sys.executable, "-m", "coop_cli", "-C", str(root), "record", "coop", member, "0.25", f"{root.name} {step}", "--date", "2026-03-10"], env=env, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
        subprocess.run([sys.executable, "-m", "coop_cli", "-C", str(a), "sync"], env=env, capture_output=True)
        kill_after([sys.executable, "-m", "coop_cli", "-C", str(b), "sync"], env, 0.1 + step * 0.1)
        entries_of(b)
        done = subprocess.run([sys.executable, "-m", "coop_cli", "-C", str(b), "sync"], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        assert not (b / ".git" / "MERGE_HEAD").exists()
    for root in (a, b, a):
        assert subprocess.run([sys.executable, "-m", "coop_cli", "-C", str(root), "sync"], env=env, capture_output=True).returncode == 0
    assert (a / "ledger" / "2026-03.journal").read_text() == (b / "ledger" / "2026-03.journal").read_text()
    assert len(entries_of(a)) == 24
    assert_books_whole(a)
    assert_books_whole(b)


def test_stale_git_lock_files_are_removed_and_said(coop_repo):
    (coop_repo.root / ".git" / "index.lock").write_text("")
    (coop_repo.root / ".git" / "refs" / "heads" / "main.lock").write_text("")
    done = coop_repo.run("record", "bernard", "agnes", "1", "Jardinage", "--date", "2026-03-10")
    assert done.returncode == 0, done.stderr
    assert "index.lock" in done.stderr and "main.lock" in done.stderr
    assert_books_whole(coop_repo.root)


# ---------------------------------------------------------------- odd states

def refused_and_unchanged(coop_repo, words: tuple[str, ...], *args: str, **env: str) -> None:
    before = coop_repo.snapshot()
    done = coop_repo.run(*(args or ("record", "bernard", "agnes", "1", "Jardinage", "--date", "2026-03-10")), **env)
    assert done.returncode == 1, done.stderr
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    for word in words:
        assert word in done.stderr
    assert coop_repo.snapshot() == before


def test_a_merge_in_progress_is_named(coop_repo):
    coop_repo.git("checkout", "-q", "-b", "side")
    (coop_repo.root / "notes.txt").write_text("side\n")
    coop_repo.git("add", "notes.txt")
    coop_repo.git("-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qm", "side")
    coop_repo.git("checkout", "-q", "main")
    (coop_repo.root / "notes.txt").write_text("main\n")
    coop_repo.git("add", "notes.txt")
    coop_repo.git("-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qm", "main")
    subprocess.run(["git", "-c", "user.name=x", "-c", "user.email=x@x", "merge", "side"], cwd=coop_repo.root, capture_output=True)
    refused_and_unchanged(coop_repo, ("a merge is in progress",))


def test_a_rebase_in_progress_is_named(coop_repo):
    (coop_repo.root / ".git" / "rebase-merge").mkdir()
    refused_and_unchanged(coop_repo, ("a rebase is in progress",))


def test_a_detached_head_is_named(coop_repo):
    coop_repo.git("checkout", "-q", "--detach")
    refused_and_unchanged(coop_repo, ("detached",))


def test_no_git_user_is_needed(coop_repo, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    done = coop_repo.run("record", "bernard", "agnes", "1", "Jardinage", "--date", "2026-03-10", HOME=str(home), GIT_CONFIG_NOSYSTEM="1")
    assert done.returncode == 0, done.stderr
    assert coop_repo.git("log", "-1", "--format=%an <%ae>") == "Agnès <agnes@coop.invalid>\n"


def read_only_view(coop_repo, tmp_path) -> tuple[Path, callable]:
    """The coop seen through a read-only bind mount (as root), or with its write bits removed (as anyone else)."""
    view = tmp_path / "read-only"
    view.mkdir()
    if os.geteuid() == 0:
        subprocess.run(["mount", "--bind", "-o", "ro", str(coop_repo.root), str(view)], check=True)
        return view, lambda: subprocess.run(["umount", str(view)], check=True)
    shutil.rmtree(view)
    subprocess.run(["chmod", "-R", "a-w", str(coop_repo.root)], check=True)
    return coop_repo.root, lambda: subprocess.run(["chmod", "-R", "u+w", str(coop_repo.root)], check=True)


def test_a_read_only_copy_is_named(coop_repo, tmp_path):
    coop_repo.run("record", "bernard", "agnes", "1", "Jardinage", "--date", "2026-03-10")
    view, restore = read_only_view(coop_repo, tmp_path)
    try:
        before = coop_repo.snapshot()
        env = signed_env(coop_repo)
        done = subprocess.run([sys.executable, "-m", "coop_cli", "-C", str(view), "record", "bernard", "agnes", "1", "Jardinage"], env=env, capture_output=True, text=True)
        assert done.returncode == 1 and len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr
        assert "read-only" in done.stderr.lower()
        shown = subprocess.run([sys.executable, "-m", "coop_cli", "-C", str(view), "balance", "--format", "csv"], env=env, capture_output=True, text=True)
        assert shown.returncode == 0 and "members:agnes,agnes,Agnès,active,1.00" in shown.stdout
        assert coop_repo.snapshot() == before
    finally:
        restore()


def small_disk(tmp_path: Path):
    """A 4 MB tmpfs where the root user can mount one; otherwise a file size limit makes big writes fail instead."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)]).returncode == 0:
        return disk, lambda: subprocess.run(["umount", str(disk)], check=True), None
    return disk, lambda: None, lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (2_000, 2_000))


def test_a_full_disk_is_named_and_nothing_is_half_written(tmp_path):
    disk, unmount, limit = small_disk(tmp_path)
    try:
        coop_repo = make_coop(disk, MEMBERS)
        coop_repo.run("record", "bernard", "agnes", "1", "Jardinage", "--date", "2026-03-10")
        filler = disk / "filler"
        if limit is None:
            subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=4k", "count=100000"], capture_output=True)
        before = coop_repo.snapshot()
        env = signed_env(coop_repo)
        done = subprocess.run(coop_command(coop_repo, "record", "claire", "agnes", "2", ("Couture " * 20).strip(), "--date", "2026-03-11"),
                              env=env, capture_output=True, text=True, preexec_fn=limit)
        assert done.returncode == 1, done.stderr
        assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr
        assert coop_repo.snapshot() == before
        filler.unlink(missing_ok=True)
        again = subprocess.run(coop_command(coop_repo, "record", "claire", "agnes", "2", "Couture", "--date", "2026-03-11"), env=env, capture_output=True, text=True)
        assert again.returncode == 0, again.stderr
        assert len(entries_of(coop_repo.root)) == 2
        assert_books_whole(coop_repo.root)
    finally:
        unmount()
