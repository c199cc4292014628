"""The trust model, attacked: each class of forgery a hostile member tried (issue "Trust that holds") is refused.

A hostile member has git, an editor, ssh-keygen and their own member key (bernard, a plain member), or is an officer
acting without a decision (agnes, the treasurer). Each test builds the forgery for real and asks `coop verify`, on the
member's copy and on a fresh clone that knows nothing but the fingerprint.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from coop_cli import book
from coop_cli.journal import append_text, format_entry, signed_bytes
from coop_cli.model import Entry, Posting, namespace_for
from coop_cli.signing import load_signer, signature_to_line
from conftest import cli_env, make_coop, run_coop, ssh_keygen_key
from helpers import entries_of, nonzero, hledger_balances


# ---------------------------------------------------------------- tools

def messages(fixture, *args: str, root: Path | None = None) -> list[str]:
    done = run_coop("-C", str(root or fixture.root), "verify", "--full", "--format", "json", *args, env=cli_env())
    found = json.loads(done.stdout or "[]")
    assert done.returncode == (1 if found else 0), done.stderr
    return [f["message"] for f in found]


def caught(fixture, *words: str, root: Path | None = None, args: tuple[str, ...] = ()) -> list[str]:
    found = messages(fixture, *args, root=root)
    assert found, "verify passed on forged books"
    assert any(all(w in m for w in words) for m in found), found
    return found


def fresh_clone(fixture, folder: Path) -> Path:
    """A copy made with plain git: it knows nothing of the coop but what the history says."""
    subprocess.run(["git", "clone", "-q", str(fixture.root), str(folder)], check=True)
    return folder


def record(fixture, *args: str, as_: str = "agnes", day: str = "2026-03-10") -> None:
    done = fixture.run("record", *args, "--date", day, as_=as_)
    assert done.returncode == 0, done.stderr


def entry_text(fixture, key: Path, by: str, payer: str, earner: str, hours: str = "1", day: date = date(2026, 3, 11),
               namespace: str | None = None, extra_lines: tuple[str, ...] = (), kind: str = "exchange",
               tags: tuple[tuple[str, str], ...] = ()) -> str:
    """An entry written exactly as coop writes it (plus any `extra_lines` before the postings), signed by `key`."""
    entry = Entry(day, "Forgé", (("id", book.new_id()), ("by", by), ("kind", kind), *tags),
                  (Posting(earner, Decimal(hours)), Posting(payer, -Decimal(hours))))
    lines = format_entry(entry, "H").splitlines()
    lines = lines[:-2] + list(extra_lines) + lines[-2:]
    data = "".join(line + "\n" for line in lines).encode()
    signature = load_signer(key).sign(data, namespace or namespace_for(fixture.coop.fingerprint()))
    return "\n".join(lines[:-2 - len(extra_lines)] + [f"    ; sig: {signature_to_line(signature)}"] + lines[-2 - len(extra_lines):]) + "\n"


def append(fixture, member: str, text: str, month: str = "2026-03", env: dict | None = None, message: str = "record by hand") -> None:
    """Append an entry to a month's journal and commit it with plain git, signed by `member`'s key."""
    path = fixture.root / "ledger" / f"{month}.journal"
    path.write_text(append_text(path.read_text() if path.exists() else "", [text]))
    fixture.signed_git(member, "add", "-A")
    fixture.signed_git(member, "commit", "-qm", message, env=env)


@pytest.fixture
def books(coop_repo):
    for args in (("bernard", "agnes", "2", "Jardinage"), ("claire", "bernard", "1.5", "Couture"), ("coop", "claire", "1", "Réunion")):
        record(coop_repo, *args)
    assert messages(coop_repo) == []
    return coop_repo


# ---------------------------------------------------------------- 1. files under ledger/ that are not the books' files

@pytest.mark.parametrize("make, words", [
    (lambda root: (root / "ledger" / "2026-04.journal").symlink_to("../notes.txt"), ("2026-04.journal", "symbolic link")),
    (lambda root: (root / "ledger" / "2026-03.journal.bak").write_text("2026-03-11 * x\n    members:bernard  10.00 H\n    coop  -10.00 H\n"),
     ("2026-03.journal.bak", "outside the books")),
    (lambda root: os.chmod(root / "ledger" / "2026-03.journal", 0o755), ("2026-03.journal", "executable")),
    (lambda root: (root / "ledger" / "besoins.yaml").write_text("needs: []\n"), ("besoins.yaml", "outside the books")),
    (lambda root: (root / "ledger" / "needs.yaml").symlink_to("../notes.txt"), ("needs.yaml", "symbolic link")),
    (lambda root: (root / "ledger" / ".hledger.journal").write_text("include ../notes.txt\n"), (".hledger.journal",)),
    (lambda root: ((root / "ledger" / "2026-05.journal").mkdir(), (root / "ledger" / "2026-05.journal" / "x").write_text("")),
     ("2026-05.journal/x",)),
    (lambda root: ((root / "ledger" / "meetings" / "notes").mkdir(), (root / "ledger" / "meetings" / "notes" / "a.md").write_text("")),
     ("meetings/notes/a.md",)),
])
def test_1_only_regular_files_with_the_books_names(books, make, words):
    (books.root / "notes.txt").write_text("2026-04-01 * Crédit\n    members:bernard  10.00 H\n    coop  -10.00 H\n")
    make(books.root)
    books.signed_git("bernard", "add", "-A")
    books.signed_git("bernard", "commit", "-qm", "notes")
    caught(books, *words)


def test_1_a_symlinked_ledger_folder(books):
    books.signed_git("bernard", "mv", "ledger", "real")
    os.symlink("real", books.root / "ledger")
    books.signed_git("bernard", "add", "-A")
    books.signed_git("bernard", "commit", "-qm", "move")
    caught(books, "ledger", "symbolic link")


# ---------------------------------------------------------------- 2. a second history merged in

def other_coop(folder: Path, keys: dict[str, Path]) -> Path:
    """Bernard's own coop: his own init, himself founder-treasurer, crediting himself 20 hours from its coop account."""
    root = folder / "other"
    book.init(root, "Autre")
    coop = book.Coop(root)
    public = keys["bernard"].with_suffix(".pub").read_text()
    book.add_member(coop, book.Identity("bernard", str(keys["bernard"])), "bernard", "Bernard", public, ["treasurer"], "2020-03-10")
    book.record(coop, book.Identity("bernard", str(keys["bernard"])), [book.Exchange("coop", "bernard", "20", "Crédit", "2026-05-02")])
    return root


@pytest.mark.parametrize("order", ["ours first", "theirs first"])
def test_2_a_second_history_merged_in_either_order(books, tmp_path, order):
    other = other_coop(tmp_path, books.keys)
    books.git("fetch", "-q", str(other), "main:orphan")
    if order == "ours first":
        books.signed_git("bernard", "merge", "-q", "-s", "ours", "--allow-unrelated-histories", "--no-commit", "orphan")
        books.signed_git("bernard", "checkout", "orphan", "--", "ledger/2026-05.journal")
        books.signed_git("bernard", "commit", "-qm", "merge")
    else:
        books.git("checkout", "-q", "-b", "evil", "orphan")
        books.signed_git("bernard", "merge", "-q", "-s", "ours", "--allow-unrelated-histories", "-m", "merge", "main")
        books.git("checkout", "-q", "main")
        books.git("reset", "-q", "--hard", "evil")
    caught(books, "has no parent", "another history")
    caught(books, "has no parent", "another history", root=fresh_clone(books, tmp_path / "fresh"))


# ---------------------------------------------------------------- 3. books deleted and begun anew

def test_3_books_begun_anew_are_another_coop(books, tmp_path):
    genuine = books.coop.fingerprint()
    old_entries = entries_of(books.root)
    books.signed_git("bernard", "rm", "-q", "-r", "charter.md", "members.yaml", "ledger", ".gitattributes")
    books.signed_git("bernard", "commit", "-qm", "clean up")
    for relative, text in book.new_books("Bâtissons l'Alternative").items():
        (books.root / relative).parent.mkdir(parents=True, exist_ok=True)
        (books.root / relative).write_text(text)
    books.signed_git("bernard", "add", "-A")
    books.signed_git("bernard", "commit", "-qm", "init: Bâtissons l'Alternative")
    fake = books.git("rev-parse", "HEAD").strip()
    books.git("config", "--unset", "coop.fingerprint")  # the forger's copy signs for the new books
    public = books.keys["bernard"].with_suffix(".pub").read_text()
    for member_id, roles in (("bernard", ["treasurer"]), ("agnes", []), ("claire", [])):
        key = public if member_id == "bernard" else books.keys[member_id].with_suffix(".pub").read_text()
        book.add_member(books.coop, book.Identity("bernard", str(books.keys["bernard"])), member_id, member_id.capitalize(), key, roles, "2020-03-10")
    replayed = [book.Exchange(e.payer.split(":")[-1], e.earner.split(":")[-1], str(e.hours), e.description, e.date.isoformat())
                for e in old_entries[1:]]  # all but the first: bernard's debt to agnes is gone
    book.record(books.coop, book.Identity("bernard", str(books.keys["bernard"])), replayed)
    # A copy that remembers the fingerprint, and a fresh clone told it, refuse the new books.
    books.git("config", "coop.fingerprint", genuine)
    caught(books, "deleted")
    fresh = fresh_clone(books, tmp_path / "fresh")
    caught(books, "deleted", root=fresh, args=("--expect", genuine))
    # A fresh clone that knows nothing still says so, naming both fingerprints.
    found = caught(books, "begun anew", fake, genuine, root=fresh)
    done = run_coop("clone", str(books.root), str(tmp_path / "refused"), "--expect", genuine, env=cli_env())
    assert done.returncode == 1 and "begun anew" in done.stderr, done.stderr
    assert found


def test_3_clone_prints_the_fingerprint_and_refuses_another(books, tmp_path):
    genuine = books.coop.fingerprint()
    done = run_coop("clone", str(books.root), str(tmp_path / "copy"), "--expect", genuine, env=cli_env())
    assert done.returncode == 0 and genuine in done.stdout, done.stderr
    assert subprocess.run(["git", "config", "coop.fingerprint"], cwd=tmp_path / "copy", capture_output=True, text=True).stdout.strip() == genuine
    done = run_coop("clone", str(books.root), str(tmp_path / "other"), "--expect", "0" * 40, env=cli_env())
    assert done.returncode == 1 and "not the books of the coop" in done.stderr and not (tmp_path / "other").exists()


def test_3_sync_refuses_a_remote_with_another_genesis(books, tmp_path):
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(books.root), str(remote)], check=True)
    books.git("remote", "add", "origin", str(remote))
    assert books.run("sync").returncode == 0
    other = other_coop(tmp_path, books.keys)
    subprocess.run(["git", "push", "-q", "--force", str(remote), "main:main"], cwd=other, check=True)
    done = books.run("sync")
    assert done.returncode == 1 and "nothing was merged" in done.stderr or "not the books" in done.stderr, done.stderr


# ---------------------------------------------------------------- 4. lines hledger reads differently

@pytest.mark.parametrize("extra", [
    "    # members:bernard  10.00 H",
    "    ; members:bernard  10.00 H",
    "    ; sig: AAAA, kind:reversal",
    "    ; cat: jardinage, kind:reversal",
])
def test_4_a_signed_entry_with_a_line_hledger_reads_otherwise(books, extra):
    append(books, "bernard", entry_text(books, books.keys["bernard"], "bernard", "members:bernard", "members:agnes", extra_lines=(extra,)))
    assert messages(books)


# ---------------------------------------------------------------- 5. a merge that undoes a change of one side

def test_5_a_merge_that_takes_an_older_register_back(books, tmp_path):
    before = books.git("rev-parse", "HEAD").strip()
    decision = books.decision("Suspendre Claire")
    assert books.run("member", "status", "claire", "suspended", "--decision", decision).returncode == 0
    books.git("branch", "old", before)
    books.git("checkout", "-q", "old")
    record(books, "bernard", "agnes", "1", "Vélo", as_="bernard")
    books.git("checkout", "-q", "main")
    books.signed_git("agnes", "merge", "-q", "--no-commit", "old")
    books.signed_git("agnes", "checkout", "old", "--", "members.yaml")  # claire active again
    books.signed_git("agnes", "commit", "-qm", "merge")
    caught(books, "claire", "not what joining")
    assert b"status: active" in subprocess.run(["git", "show", "HEAD:members.yaml"], cwd=books.root, capture_output=True).stdout


def test_5_an_honest_merge_of_two_register_changes_verifies(books):
    before = books.git("rev-parse", "HEAD").strip()
    books.run("member", "add", "dora", "--name", "Dora", "--since", "2024-01-01")
    books.git("branch", "side", before)
    books.git("checkout", "-q", "side")
    assert books.run("member", "add", "eve", "--name", "Ève", "--since", "2024-01-01").returncode == 0
    books.git("checkout", "-q", "main")
    subprocess.run(["git", "merge", "-q", "--no-commit", "side"], cwd=books.root, capture_output=True)  # members.yaml conflicts
    side = books.git("show", "side:members.yaml")
    eve = side[side.rindex("\n", 0, side.index("- id: eve")) + 1:]  # the block git could not place: the end of both lists
    (books.root / "members.yaml").write_text(books.git("show", "main:members.yaml") + eve)
    books.signed_git("agnes", "add", "members.yaml")
    books.signed_git("agnes", "commit", "-qm", "merge")
    assert messages(books) == []


# ---------------------------------------------------------------- 6. commit times

def git_date(seconds_ago: int) -> dict[str, str]:
    stamp = f"@{int(time.time()) - seconds_ago} +0000"
    return {"GIT_COMMITTER_DATE": stamp, "GIT_AUTHOR_DATE": stamp}


def test_6_a_commit_backdated_by_days_is_named_by_the_incremental_verify_and_refused_by_sync(books, tmp_path):
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(books.root), str(remote)], check=True)
    assert books.run("verify", as_=None).returncode == 0  # remembered: the next verify reads only what is new
    append(books, "bernard", entry_text(books, books.keys["bernard"], "bernard", "members:bernard", "members:agnes"), env=git_date(3 * 86400))
    done = books.run("verify", as_=None)
    assert done.returncode == 1 and "backdated" in done.stdout, done.stdout
    subprocess.run(["git", "push", "-q", str(remote), "main"], cwd=books.root, check=True)
    copy = tmp_path / "copy"
    subprocess.run(["git", "clone", "-q", str(remote), str(copy)], check=True)
    subprocess.run(["git", "reset", "-q", "--hard", "HEAD~1"], cwd=copy, check=True)
    subprocess.run(["git", "config", "coop.fingerprint", books.coop.fingerprint()], cwd=copy, check=True)
    done = run_coop("-C", str(copy), "sync", env={**cli_env(), "COOP_AS": "agnes", "COOP_KEY": str(books.keys["agnes"])})
    assert done.returncode == 1 and "backdated" in done.stderr and "nothing was merged" in done.stderr, done.stderr


def test_6_a_chain_of_small_backdatings_cannot_drift(books):
    for step in (1, 2, 3):
        append(books, "bernard", entry_text(books, books.keys["bernard"], "bernard", "members:bernard", "members:agnes"),
               env=git_date(step * 50 * 60))
    caught(books, "backdated")


def test_6_a_commit_in_the_future_is_named_and_the_honest_ones_after_it_are_not(books):
    day = date.fromtimestamp(time.time() + 3 * 86400)
    append(books, "bernard", entry_text(books, books.keys["bernard"], "bernard", "members:bernard", "members:agnes", day=day),
           month=f"{day:%Y-%m}", env=git_date(-3 * 86400))
    record(books, "claire", "agnes", "1", "Couture", as_="claire")
    found = caught(books, "in the future")
    assert not any("backdated" in m for m in found), found


def test_6_an_entry_dated_after_its_commit(books):
    append(books, "bernard", entry_text(books, books.keys["bernard"], "bernard", "members:bernard", "members:agnes", day=date(2026, 3, 20)),
           env={"GIT_COMMITTER_DATE": "2026-03-12T10:00:00+0000", "GIT_AUTHOR_DATE": "2026-03-12T10:00:00+0000"})
    caught(books, "after the commit")


# ---------------------------------------------------------------- 7. officers acting without a decision

def test_7_the_treasurer_edits_the_charter_without_a_decision(books):
    path = books.root / "charter.md"
    path.write_text(path.read_text().replace("max_exchange: 24", "max_exchange: 200").replace("min_balance: -20", "min_balance: -2000"))
    books.signed_git("agnes", "commit", "-qam", "charter: bigger limits")
    caught(books, "without citing an adopted decision")


def test_7_a_charter_change_citing_a_rejected_decision(books):
    slug_decision = books.decision("Plus grandes limites")
    path = books.root / "charter.md"
    path.write_text(path.read_text().replace("max_exchange: 24", "max_exchange: 12"))
    books.signed_git("agnes", "commit", "-qam", f"charter: max_exchange\n\nDecision: {slug_decision}")
    assert messages(books) == []
    path.write_text(path.read_text().replace("max_exchange: 12", "max_exchange: 48"))
    books.signed_git("agnes", "commit", "-qam", "charter: max_exchange\n\nDecision: D-2026-999")
    caught(books, "without citing an adopted decision")


def test_7_a_role_granted_without_a_decision(books):
    done = books.run("member", "add", "eve", "--name", "Ève", "--role", "treasurer")
    assert done.returncode == 2 and "--decision" in done.stderr
    path = books.root / "members.yaml"
    path.write_text(path.read_text() + "  - id: eve\n    name: Ève\n    since: 2024-01-01\n    status: active\n    roles: [treasurer]\n    keys: []\n")
    books.signed_git("agnes", "commit", "-qam", "member add: eve")
    caught(books, "eve", "without citing an adopted decision")


# ---------------------------------------------------------------- 8. a signature made for another coop

def test_8_an_entry_signed_for_another_coop_is_worthless_here(books, tmp_path):
    other = other_coop(tmp_path, books.keys)
    elsewhere = namespace_for(book.Coop(other).fingerprint())
    append(books, "bernard", entry_text(books, books.keys["bernard"], "bernard", "members:bernard", "members:agnes", namespace=elsewhere))
    caught(books, "signature does not verify", elsewhere[:30])


# ---------------------------------------------------------------- 9. audit tags

@pytest.fixture
def audited(books, tmp_path):
    books.keys["eric"] = ssh_keygen_key(tmp_path, "eric")
    done = books.run("member", "add", "eric", "--name", "Eric", "--role", "auditor", "--pubkey", f"{books.keys['eric']}.pub",
                     "--decision", books.decision("Eric audite"))
    assert done.returncode == 0, done.stderr
    done = books.run("audit", "sign", as_="eric")
    assert done.returncode == 0, done.stderr
    assert books.run("verify", as_=None).returncode == 0  # this copy has now seen the tag
    [tag] = books.git("tag", "-l", "audit/*").split()
    return books, tag


def test_9_an_audit_tag_renamed(audited):
    books, tag = audited
    books.git("update-ref", "refs/tags/audit/2099-01-01", books.git("rev-parse", f"refs/tags/{tag}").strip())
    books.git("tag", "-d", tag)
    found = caught(books, "renamed")
    assert any("another name" in m for m in found), found


def test_9_an_audit_tag_deleted(audited):
    books, tag = audited
    books.git("tag", "-d", tag)
    caught(books, tag, "deleted")


def test_9_an_audit_tag_moved_by_sync_is_refused(audited, tmp_path):
    books, tag = audited
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(books.root), str(remote)], check=True)
    books.git("remote", "add", "origin", str(remote))
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "-q", str(remote), str(other)], check=True)
    subprocess.run(["git", "-c", "user.name=x", "-c", "user.email=x@x", "tag", "-f", "-a", "-m", "moved", tag, "HEAD~1"], cwd=other, check=True, capture_output=True)
    subprocess.run(["git", "push", "-q", "-f", "origin", f"refs/tags/{tag}"], cwd=other, check=True, capture_output=True)
    done = books.run("sync")
    assert done.returncode == 1 and "moved" in done.stderr, done.stderr


# ---------------------------------------------------------------- 10. rules the code had, now held by tests

def test_10_a_commit_signed_with_a_key_only_its_own_register_holds(books, tmp_path):
    stranger = ssh_keygen_key(tmp_path, "stranger")
    path = books.root / "members.yaml"
    public = stranger.with_suffix(".pub").read_text().strip()
    text = path.read_text()
    start = text.index("- id: bernard")
    keys_at = text.index("keys:", start)
    line_end = text.index("\n", keys_at)
    path.write_text(text[: line_end + 1] + f"      - {public}\n" + text[line_end + 1:])
    subprocess.run(["git", "-c", "user.name=Bernard", "-c", "user.email=bernard@coop.invalid", "-c", "gpg.format=ssh",
                    "-c", f"user.signingkey={stranger}", "commit", "-S", "-qam", "key"], cwd=books.root, check=True)
    found = caught(books, "belongs to no member")
    assert any("no treasurer or secretary" in m for m in found), found


def test_10_a_merge_that_changes_an_old_entry(books):
    before = books.git("rev-parse", "HEAD").strip()
    books.git("branch", "side", before)
    books.git("checkout", "-q", "side")
    record(books, "bernard", "claire", "1", "Vélo", as_="bernard")
    books.git("checkout", "-q", "main")
    record(books, "claire", "agnes", "1", "Couture", as_="claire")
    books.signed_git("agnes", "merge", "-q", "--no-commit", "side")
    path = books.root / "ledger" / "2026-03.journal"
    path.write_text(path.read_text().replace("2.00 H", "0.25 H", 1).replace("-2.00 H", "-0.25 H", 1))
    books.signed_git("agnes", "commit", "-qam", "merge")
    caught(books, "changed after it was committed")


# ---------------------------------------------------------------- 11. limits passed by entries recorded apart

def test_11_two_copies_spending_apart_are_to_settle_not_forged(books, tmp_path):
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(books.root), str(remote)], check=True)
    copies = []
    for name in ("a", "b"):
        done = run_coop("clone", str(remote), str(tmp_path / name), "--as", "agnes", "--key", str(books.keys["agnes"]), env=cli_env())
        assert done.returncode == 0, done.stderr
        copies.append(tmp_path / name)
    env = {**cli_env(), "COOP_AS": "agnes", "COOP_KEY": str(books.keys["agnes"])}
    for copy, earner in zip(copies, ("agnes", "claire")):
        done = run_coop("-C", str(copy), "record", "bernard", earner, "15", "Gros travaux", "--date", "2026-03-12", env=env)
        assert done.returncode == 0, done.stderr
    for copy in copies + copies[:1]:
        done = run_coop("-C", str(copy), "sync", env=env)
        assert done.returncode == 0, done.stderr
    a = copies[0]
    done = run_coop("-C", str(a), "verify", "--full", env=env)
    assert done.returncode == 0 and "bernard" in done.stderr and "to settle" in done.stderr, done.stderr
    assert nonzero(hledger_balances(a))["members:bernard"] == Decimal("-30.50")
    done = run_coop("-C", str(a), "balance", env=env)
    assert "to settle" in done.stdout + done.stderr, done.stdout
    done = run_coop("-C", str(a), "record", "bernard", "claire", "1", "Encore", "--date", "2026-03-13", env=env)
    assert done.returncode == 1 and "min_balance" in done.stderr
    done = run_coop("-C", str(a), "record", "claire", "bernard", "1", "Retour", "--date", "2026-03-13", env=env)
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------- 12. rules that only mutation testing showed untested
# Each test below was written for a mutant of scripts/mutate-trust that no other test killed (docs/trust-model.md).

def edit_and_commit(fixture, member: str, path: str, change, message: str = "edit by hand") -> None:
    """Change one file of the books with `change(text) -> text` and commit it with plain git, signed by `member`."""
    file = fixture.root / path
    file.write_text(change(file.read_text(encoding="utf-8")), encoding="utf-8")
    fixture.signed_git(member, "commit", "-qam", message)


def without_member(text: str, member: str) -> str:
    """members.yaml without one member's block (from its `- id:` line to the next member's)."""
    lines = text.splitlines(keepends=True)
    start = lines.index(f"  - id: {member}\n")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("  - id: ") or not lines[i].startswith("    ")), len(lines))
    return "".join(lines[:start] + lines[end:])


def test_12_a_member_removed_from_the_register_by_an_officer(books):
    edit_and_commit(books, "agnes", "members.yaml", lambda text: without_member(text, "claire"))
    caught(books, "claire", "removed from the register")


def test_12_a_date_of_joining_changed_by_an_officer(books):
    edit_and_commit(books, "agnes", "members.yaml", lambda text: text.replace("since: 2020-03-10", "since: 2019-01-01", 1))
    caught(books, "date of joining was changed")


def test_12_a_group_set_up_by_an_officer_without_an_adopted_decision(books):
    group = "  - name: jardin\n    decision: D-2026-099\n    members: [agnes]\n"
    edit_and_commit(books, "agnes", "members.yaml",
                    lambda text: text.replace("groups: []\n", "groups:\n" + group) if "groups: []" in text else text + "groups:\n" + group)
    caught(books, "jardin", "set up without an adopted decision")


def test_12_the_decision_that_set_up_a_group_changed_by_an_officer(coop_repo):
    first, second = coop_repo.decision("Groupe jardin"), coop_repo.decision("Autre décision")
    assert coop_repo.run("group", "add", "jardin", "--decision", first).returncode == 0
    edit_and_commit(coop_repo, "agnes", "members.yaml", lambda text: text.replace(f"decision: {first}", f"decision: {second}"))
    caught(coop_repo, "jardin", "decision that set up the group")


def test_12_the_charters_prose_changed_by_a_plain_member(books):
    edit_and_commit(books, "bernard", "charter.md", lambda text: text + "\nBernard a toujours raison.\n")
    caught(books, "charter.md", "no treasurer or secretary signed")


def test_12_the_unit_changed_after_entries_even_by_decision(books):
    decision = books.decision("Changer d'unité")
    edit_and_commit(books, "agnes", "charter.md", lambda text: text.replace("unit: H", "unit: HR", 1), message=f"charter\n\nDecision: {decision}\n")
    caught(books, "unit was changed after entries")


def test_12_the_merge_rules_changed_by_a_plain_member(books):
    edit_and_commit(books, "bernard", ".gitattributes", lambda text: text.replace("merge=coop-journal", "merge=union"))
    caught(books, ".gitattributes", "no treasurer or secretary signed")


def test_12_minutes_deleted_by_an_officer(coop_repo):
    coop_repo.decision("Une décision")
    minutes = next((coop_repo.root / "ledger" / "meetings").glob("*.md")).relative_to(coop_repo.root)
    coop_repo.signed_git("agnes", "rm", "-q", str(minutes))
    coop_repo.signed_git("agnes", "commit", "-qm", "minutes removed")
    caught(coop_repo, str(minutes), "deleted")


def only_minutes(fixture) -> str:
    return str(next((fixture.root / "ledger" / "meetings").glob("*.md")).relative_to(fixture.root))


def test_12_closed_minutes_changed_by_an_officer(coop_repo):
    coop_repo.decision("Une décision")
    path = only_minutes(coop_repo)
    done = coop_repo.run("meeting", "close", Path(path).stem)
    assert done.returncode == 0, done.stderr
    edit_and_commit(coop_repo, "agnes", path, lambda text: text.replace("_None yet._", "- Ajouté après coup."))
    caught(coop_repo, path, "after the meeting was closed")


def test_12_open_minutes_added_to_by_a_plain_member(coop_repo):
    coop_repo.decision("Une décision")
    path = only_minutes(coop_repo)
    edit_and_commit(coop_repo, "bernard", path, lambda text: text.replace("_None yet._", "- Une note de Bernard."))
    caught(coop_repo, path, "no treasurer or secretary signed")


# ---------------------------------------------------------------- 17. offers and wants: a member's own, an officer's anyone's

def with_offer(member: str, text: str):
    """members.yaml with one more offer in `member`'s block, as an editor would write it."""
    def change(register: str) -> str:
        lines = register.splitlines(keepends=True)
        start = lines.index(f"  - id: {member}\n")
        at = next(i for i in range(start, len(lines)) if lines[i].startswith("    offers:"))
        lines[at] = f"    offers:\n      - text: {text}\n        cat: jardinage\n"
        return "".join(lines)
    return change


def test_17_a_member_changing_their_own_offers_by_hand_verifies(books):
    edit_and_commit(books, "bernard", "members.yaml", with_offer("bernard", "Taille de haies"))
    assert messages(books) == []


def test_17_a_member_changing_another_members_offers(books):
    edit_and_commit(books, "bernard", "members.yaml", with_offer("claire", "Taille de haies"))
    caught(books, "members.yaml was changed by a commit that no treasurer or secretary signed")


def test_17_a_member_changing_their_own_offers_and_anything_else(books):
    edit_and_commit(books, "bernard", "members.yaml", lambda text: with_offer("bernard", "Potager")(text).replace("name: Claire", "name: Klara"))
    caught(books, "no treasurer or secretary signed")
    books.git("reset", "-q", "--hard", "HEAD~1")
    edit_and_commit(books, "bernard", "members.yaml", lambda text: "# Nos membres\n" + text)
    caught(books, "no treasurer or secretary signed")


# ---------------------------------------------------------------- 18. the needs matrix: placed, moved and removed by decisions

NEEDS = "ledger/needs.yaml"


def needs_text(*needs: tuple[str, int, int, str]) -> str:
    return "needs:\n" + "".join(f"  - name: {name}\n    urgency: {u}\n    difficulty: {d}\n    categories: []\n    decision: {decision}\n"
                                 for name, u, d, decision in needs)


def commit_needs(fixture, member: str, text: str, message: str = "needs by hand") -> None:
    (fixture.root / NEEDS).write_text(text)
    fixture.signed_git(member, "add", NEEDS)
    fixture.signed_git(member, "commit", "-qm", message)


def test_18_a_need_placed_by_an_officer_with_an_adopted_decision_verifies(books):
    commit_needs(books, "agnes", needs_text(("alimentation", 4, 2, books.decision("Les besoins"))))
    assert messages(books) == []


def test_18_a_need_placed_without_an_adopted_decision(books):
    books.decision("Autre chose")
    commit_needs(books, "agnes", needs_text(("alimentation", 4, 2, "D-2026-999")))
    caught(books, "the need alimentation was placed without citing a new adopted decision")


def test_18_a_need_moved_under_the_decision_that_placed_it(books):
    decision = books.decision("Les besoins")
    commit_needs(books, "agnes", needs_text(("alimentation", 4, 2, decision)))
    commit_needs(books, "agnes", needs_text(("alimentation", 1, 2, decision)))
    caught(books, "the need alimentation was placed without citing a new adopted decision")


def test_18_a_need_removed_without_citing_a_decision(books):
    decision = books.decision("Les besoins")
    commit_needs(books, "agnes", needs_text(("alimentation", 4, 2, decision), ("logement", 4, 4, decision)))
    commit_needs(books, "agnes", needs_text(("logement", 4, 4, decision)))
    caught(books, "the need alimentation was removed without citing an adopted decision")
    books.git("reset", "-q", "--hard", "HEAD~1")
    commit_needs(books, "agnes", needs_text(("logement", 4, 4, decision)), f"needs: remove alimentation\n\nDecision: {decision}")
    assert messages(books) == []


def test_18_a_plain_member_placing_a_need(books):
    commit_needs(books, "bernard", needs_text(("alimentation", 4, 2, books.decision("Les besoins"))))
    caught(books, "ledger/needs.yaml was changed by a commit that no treasurer or secretary signed")


# ---------------------------------------------------------------- 19. rules whose line no test reached (mutation map)

def test_19_a_party_who_is_no_member(books):
    append(books, "bernard", entry_text(books, books.keys["bernard"], "bernard", "members:bernard", "members:zoe"))
    caught(books, "'zoe' is not a member")


def test_19_a_reversal_of_an_entry_that_does_not_exist(books):
    tags = (("reverses", "01JQ8X3V5ZK2M4N6P8R0T2W4Y6"),)
    append(books, "bernard", entry_text(books, books.keys["bernard"], "bernard", "members:bernard", "members:agnes", kind="reversal", tags=tags))
    caught(books, "reverses 01JQ8X3V5ZK2M4N6P8R0T2W4Y6, which does not exist")


def test_19_a_merge_of_three_parents(books):
    branch = books.git("rev-parse", "--abbrev-ref", "HEAD").strip()
    heads = []
    for member, month, payer, earner in (("bernard", "2026-03", "members:bernard", "members:agnes"),
                                         ("claire", "2026-02", "members:claire", "members:bernard")):
        books.git("checkout", "-q", "-b", member, branch)
        day = date.fromisoformat(f"{month}-11")
        append(books, member, entry_text(books, books.keys[member], member, payer, earner, day=day), month=month)
        heads.append(member)
    books.git("checkout", "-q", branch)
    books.signed_git("agnes", "merge", "-q", "--no-ff", "--no-edit", *heads)
    assert len(books.git("log", "-1", "--format=%P").split()) == 3
    caught(books, "a merge of 3 parents")


def test_19_a_commit_signed_by_one_member_and_committed_in_anothers_name(books):
    append(books, "bernard", entry_text(books, books.keys["bernard"], "bernard", "members:bernard", "members:agnes"),
           env={"GIT_COMMITTER_NAME": "Agnès", "GIT_COMMITTER_EMAIL": "agnes@coop.invalid"})
    caught(books, "signed by bernard but its committer is Agnès")


def test_19_a_commit_changed_after_it_was_signed(books):
    append(books, "bernard", entry_text(books, books.keys["bernard"], "bernard", "members:bernard", "members:agnes"))
    raw = subprocess.run(["git", "cat-file", "commit", "HEAD"], cwd=books.root, capture_output=True, check=True).stdout
    changed = subprocess.run(["git", "hash-object", "-t", "commit", "-w", "--stdin"], cwd=books.root, capture_output=True, check=True,
                             input=raw.replace(b"record by hand", b"record by hand, approved")).stdout.decode().strip()
    books.git("reset", "-q", "--hard", changed)
    caught(books, "the commit's signature does not verify")


def test_19_an_entry_recorded_in_the_name_of_someone_in_no_register(books):
    append(books, "bernard", entry_text(books, books.keys["bernard"], "zoe", "members:bernard", "members:agnes"))
    caught(books, "recorded by 'zoe', who is not in the register")
