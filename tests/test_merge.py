"""The journal merge driver: the union by id as a pure function, then as git runs it on two real clones.

Merges, pulls with and without rebase, rebases and cherry-picks of `coop record` commits made in the same month
must keep every entry of both sides once; a merge that would drop or change an entry must stop as a conflict.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coop_cli import book
from coop_cli.errors import CoopError
from coop_cli.journal import append_text, format_entry, parse_journal
from coop_cli import merge
from coop_cli.model import Entry, Posting
from coop_cli.repo import Coop
from conftest import CoopFixture, cli_env, run_coop
from helpers import entries_of, hledger_balances, nonzero

FILE = "ledger/2026-03.journal"


# ---------------------------------------------------------------- the union as a pure function

def ulid(name: str) -> str:
    """A ULID ending in `name`, so that messages are easy to check."""
    return "01JQ8X3V5ZK2M4N6P8R0T2W4" + name.rjust(2, "0")


def entry(entry_id: str, description: str = "Jardinage", day: int = 10, hours: str = "2.00", payer: str = "bernard", earner: str = "agnes") -> str:
    amount = Decimal(hours)
    written = Entry(
        date(2026, 3, day),
        description,
        (("id", entry_id), ("by", "agnes"), ("kind", "exchange")),
        (Posting(f"members:{earner}", amount), Posting(f"members:{payer}", -amount)),
    )
    return format_entry(written, "H")


def journal(*entries: str) -> str:
    return append_text("", list(entries))


def ids(text: str) -> list[str]:
    entries, problems = parse_journal(text, FILE, "H")
    assert not problems, problems
    return [e.id for e in entries]


A, B, C, D = (entry(ulid(name), f"Service {name}", day) for day, name in enumerate("ABCD", start=1))


def merge_journals(ancestor: str, ours: str, theirs: str, path: str) -> str:
    return merge.merge_journals(ancestor, ours, theirs, path, "H")


def test_ours_is_kept_then_theirs_new_entries_follow_in_their_order():
    ours = journal(A, B)
    theirs = journal(A, D, C)
    merged = merge_journals(journal(A), ours, theirs, FILE)
    assert merged == ours + "\n" + D + "\n" + C
    assert ids(merged) == [ulid("A"), ulid("B"), ulid("D"), ulid("C")]


def test_an_entry_new_on_both_sides_is_kept_once():
    merged = merge_journals(journal(A), journal(A, B, C), journal(A, C, D), FILE)
    assert ids(merged) == [ulid("A"), ulid("B"), ulid("C"), ulid("D")]


def test_nothing_new_in_theirs_leaves_ours_as_it_is():
    ours = journal(A, B)
    assert merge_journals(journal(A), ours, journal(A), FILE) == ours
    assert merge_journals(journal(A), ours, ours, FILE) == ours


def test_a_file_added_on_both_sides_merges_from_an_empty_ancestor():
    assert ids(merge_journals("", journal(A), journal(B), FILE)) == [ulid("A"), ulid("B")]


def test_a_version_that_does_not_end_as_coop_writes_it_is_refused():
    for ours, line in ((A.rstrip("\n"), 6), (A + "\n", 7), (A + "\n\n", 8)):
        assert f"our version cannot be read at line {line}: " in refusal("", ours, journal(B))


def test_a_version_in_another_form_is_refused_not_merged():
    odd = f"2026-03-05 * Couture   \r\n    ; id: {ulid('E')}\r\n    members:agnes  1 H\r\n    members:claire\r\n"
    assert "their version cannot be read at line 1: a carriage return" in refusal("", journal(A), odd)


def test_comments_are_refused_even_when_both_sides_have_them():
    header = "; Bâtissons l'Alternative, mars 2026\n\n"
    message = refusal(header + journal(A), header + journal(A, B), header + journal(A, C))
    assert "the common ancestor cannot be read at line 1: a comment outside an entry" in message


def refusal(ancestor: str, ours: str, theirs: str) -> str:
    with pytest.raises(CoopError) as refused:
        merge_journals(ancestor, ours, theirs, FILE)
    message = refused.value.message
    assert message.startswith(f"cannot merge {FILE}: ") and "\n" not in message
    return message


def test_one_id_for_two_different_entries_is_refused():
    message = refusal(journal(A), journal(A, B), journal(A, entry(ulid("B"), "Autre chose")))
    assert ulid("B") in message and "differs between our version" in message


@pytest.mark.parametrize("side", ["ours", "theirs"])
def test_deleting_an_entry_of_the_ancestor_is_refused(side):
    versions = {"ours": journal(A, B), "theirs": journal(A, B)}
    versions[side] = journal(B)
    message = refusal(journal(A, B), versions["ours"], versions["theirs"])
    version = "our version" if side == "ours" else "their version"
    assert ulid("A") in message and f"missing from {version}" in message


@pytest.mark.parametrize("side", ["ours", "theirs"])
def test_editing_an_entry_of_the_ancestor_is_refused(side):
    versions = {"ours": journal(A, B), "theirs": journal(A, C)}
    versions[side] = versions[side].replace("2.00 H", "3.00 H", 1).replace("-2.00 H", "-3.00 H", 1)
    message = refusal(journal(A), versions["ours"], versions["theirs"])
    version = "our version" if side == "ours" else "their version"
    assert ulid("A") in message and f"edited in {version}" in message


@pytest.mark.parametrize("version", ["the common ancestor", "our version", "their version"])
def test_a_version_coop_cannot_read_is_refused(version):
    broken = journal(A) + "\nthis is not a transaction\n"
    texts = {"the common ancestor": journal(A), "our version": journal(A), "their version": journal(A)}
    texts[version] = broken
    message = refusal(*texts.values())
    assert f"{version} cannot be read at line 8" in message and "this is not a transaction" in message


def test_an_entry_without_id_is_refused():
    no_id = entry(ulid("F")).replace(f"    ; id: {ulid('F')}\n", "")
    assert "has no id" in refusal(journal(A), journal(A), journal(A, no_id))


def test_the_same_id_twice_in_theirs_is_refused():
    message = refusal(journal(A), journal(A), journal(A, B, B))
    assert f"{ulid('B')} appears twice in their version" in message


def test_text_in_theirs_that_is_not_an_entry_is_refused_rather_than_dropped():
    message = refusal(journal(A), journal(A, B), journal(A) + "\n; a note someone added\n")
    assert "their version cannot be read at line 8: a comment outside an entry" in message and "a note someone added" in message


entry_ids = st.lists(st.text("0123456789ABCDEFGHJKMNPQRSTVWXYZ", min_size=25, max_size=25).map("0".__add__), min_size=0, max_size=14, unique=True)
words = st.text("abcdefghijklmnopqrstuvwxyzéàç ", min_size=1, max_size=30).map(lambda s: " ".join(s.split()) or "x")  # coop's form: single spaces


@given(
    ids_=entry_ids,
    descriptions=st.lists(words, min_size=14, max_size=14),
    hours=st.lists(st.integers(1, 2400), min_size=14, max_size=14),
    sides=st.lists(st.sampled_from(["ancestor", "ours", "theirs", "both"]), min_size=14, max_size=14),
    shuffle=st.randoms(use_true_random=False),
)
def test_the_merge_keeps_every_entry_of_both_sides_once(ids_, descriptions, hours, sides, shuffle):
    texts = {
        entry_id: entry(entry_id, descriptions[i], 1 + i, str(Decimal(hours[i]) / 100), *(("bernard", "claire") if i % 2 else ("claire", "agnes")))
        for i, entry_id in enumerate(ids_)
    }
    ancestor = [i for i, s in zip(ids_, sides) if s == "ancestor"]
    ours_new = [i for i, s in zip(ids_, sides) if s in ("ours", "both")]
    theirs_new = [i for i, s in zip(ids_, sides) if s in ("theirs", "both")]
    shuffle.shuffle(ours_new)
    shuffle.shuffle(theirs_new)
    ours = journal(*(texts[i] for i in ancestor + ours_new))
    theirs = journal(*(texts[i] for i in ancestor + theirs_new))

    merged = merge_journals(journal(*(texts[i] for i in ancestor)), ours, theirs, FILE)

    assert merged.startswith(ours)
    entries, problems = parse_journal(merged, FILE, "H")
    assert not problems
    assert sorted(e.id for e in entries) == sorted(set(ancestor + ours_new + theirs_new))
    assert all("".join(line + "\n" for line in e.lines) == texts[e.id] for e in entries)


# ---------------------------------------------------------------- the command git runs

def test_the_driver_writes_the_union_over_ours_without_a_coop(tmp_path):
    files = {"base": journal(A), "ours": journal(A, B), "theirs": journal(A, C)}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    done = run_coop("merge-driver", "--unit", "H", "base", "ours", "theirs", FILE, cwd=tmp_path, env=cli_env())
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "ours").read_text(encoding="utf-8") == journal(A, B, C)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base", "ours", "theirs"]
    unknown = run_coop("merge-driver", "base", "ours", "theirs", FILE, cwd=tmp_path, env=cli_env())
    assert unknown.returncode == 1 and unknown.stderr.startswith("error: no coop repository in ") and unknown.stderr.count("\n") == 1


def test_the_driver_reads_the_journals_in_the_unit_of_the_charter_where_git_runs_it(tmp_path):
    for name, text in book.new_books("X").items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text.replace("\nunit: H ", "\nunit: HR"), encoding="utf-8")
    in_hours = {"base": journal(A), "ours": journal(A, B), "theirs": journal(A, C)}
    for name, text in in_hours.items():
        (tmp_path / name).write_text(text.replace(" H\n", " HR\n"), encoding="utf-8")
    done = run_coop("merge-driver", "base", "ours", "theirs", FILE, cwd=tmp_path, env=cli_env())
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "ours").read_text(encoding="utf-8") == journal(A, B, C).replace(" H\n", " HR\n")
    for name, text in in_hours.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    done = run_coop("merge-driver", "base", "ours", "theirs", FILE, cwd=tmp_path, env=cli_env())
    assert done.returncode == 1 and "the amount is in 'H', not in HR, the charter's unit" in done.stderr


def test_the_driver_refuses_with_one_line_and_leaves_ours_alone(tmp_path):
    files = {"base": journal(A), "ours": journal(A, B), "theirs": journal(entry(ulid("A"), "Réécrit"), C)}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    done = run_coop("merge-driver", "--unit", "H", "base", "ours", "theirs", FILE, cwd=tmp_path, env=cli_env())
    assert done.returncode == 1
    assert done.stderr == f"error: cannot merge {FILE}: entry {ulid('A')} was edited in their version (line 1); entries are never changed, they are reversed\n"
    assert (tmp_path / "ours").read_text(encoding="utf-8") == files["ours"]
    missing = run_coop("merge-driver", "--unit", "H", "base", "ours", "nowhere", cwd=tmp_path, env=cli_env())
    assert missing.returncode == 1 and missing.stderr.startswith("error: cannot read nowhere")


# ---------------------------------------------------------------- two clones of one remote, as git runs the driver

GIT_ENV = cli_env(PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""), GIT_EDITOR="true")


def git(clone: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(["git", *args], cwd=clone, env=GIT_ENV, capture_output=True, text=True)
    if check:
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


class Clones:
    """A coop pushed to a bare remote and cloned twice, each clone set up as `coop init` sets a coop up."""

    def __init__(self, origin: CoopFixture, folder: Path):
        self.origin = origin
        remote = folder / "remote.git"
        subprocess.run(["git", "clone", "-q", "--bare", str(origin.root), str(remote)], check=True)
        self.a, self.b = folder / "a", folder / "b"
        for clone in (self.a, self.b):
            subprocess.run(["git", "clone", "-q", str(remote), str(clone)], check=True)
            book.configure(Coop(clone))
            git(clone, "config", "user.name", clone.name)
            git(clone, "config", "user.email", f"{clone.name}@example.org")

    def record(self, clone: Path, payer: str, earner: str, hours: str, description: str, day: int) -> str:
        env = dict(GIT_ENV, COOP_AS="agnes", COOP_KEY=str(self.origin.keys["agnes"]))
        done = run_coop("-C", str(clone), "record", payer, earner, hours, description, "--date", f"2026-03-{day:02d}", env=env)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()[0]

    def texts(self, clone: Path) -> dict[str, tuple[str, ...]]:
        return {e.id: e.lines for e in entries_of(clone)}


@pytest.fixture
def clones(coop_repo, tmp_path) -> Clones:
    return Clones(coop_repo, tmp_path)


def assert_books_whole(clone: Path, *sides: dict[str, tuple[str, ...]]) -> None:
    """Every entry of every side once, with its text as recorded; the file reads; coop's balances are hledger's."""
    entries = entries_of(clone)
    merged_ids = [e.id for e in entries]
    assert len(merged_ids) == len(set(merged_ids))
    expected = {entry_id: lines for side in sides for entry_id, lines in side.items()}
    assert {e.id: e.lines for e in entries} == expected
    done = run_coop("-C", str(clone), "balance", "--format", "json", env=GIT_ENV)
    assert done.returncode == 0, done.stderr
    balances = {row["account"]: Decimal(row["balance"]) for row in json.loads(done.stdout)}
    assert nonzero(balances) == hledger_balances(clone)
    assert git(clone, "status", "--porcelain").stdout == ""


def replay(operation: str, clone: Path) -> subprocess.CompletedProcess:
    """Bring the remote's new commits into `clone` the way a member might."""
    if operation == "merge":
        return git(clone, "pull", "-q", "--no-rebase", check=False)
    if operation == "pull --rebase":
        return git(clone, "pull", "-q", "--rebase", check=False)
    git(clone, "fetch", "-q")
    if operation == "rebase":
        return git(clone, "rebase", "origin/main", check=False)
    return git(clone, "cherry-pick", "HEAD..origin/main", check=False)  # theirs, one commit at a time, oldest first


OPERATIONS = ["merge", "pull --rebase", "rebase", "cherry-pick"]


@pytest.mark.parametrize("month_exists", [True, False], ids=["month-in-ancestor", "month-added-on-both-sides"])
@pytest.mark.parametrize("operation", OPERATIONS)
def test_records_of_the_same_month_in_two_clones_come_together(coop_repo, tmp_path, operation, month_exists):
    if month_exists:
        assert coop_repo.run("record", "claire", "agnes", "1", "Avant la séparation", "--date", "2026-03-01").returncode == 0
    clones = Clones(coop_repo, tmp_path)
    before = clones.texts(clones.a)
    clones.record(clones.a, "bernard", "claire", "1.5", "Couture", 2)
    clones.record(clones.a, "bernard", "agnes", "2", "Jardinage", 3)
    clones.record(clones.b, "claire", "bernard", "1", "Soutien scolaire", 4)
    clones.record(clones.b, "agnes", "bernard", "0.5", "Bricolage", 5)
    ours, theirs = clones.texts(clones.a), clones.texts(clones.b)
    git(clones.b, "push", "-q")

    done = replay(operation, clones.a)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "CONFLICT" not in done.stdout + done.stderr
    assert_books_whole(clones.a, before, ours, theirs)
    assert len(entries_of(clones.a)) == len(before) + 4
    if operation == "cherry-pick":  # the picked copies are new commits: merging the originals must keep each entry once
        git(clones.a, "pull", "-q", "--no-rebase")
        assert_books_whole(clones.a, before, ours, theirs)
    git(clones.a, "push", "-q")
    git(clones.b, "pull", "-q", "--ff-only")
    assert_books_whole(clones.b, ours, theirs)
    clones.record(clones.b, "claire", "agnes", "1", "Après la réunion", 6)  # the books still take new entries


def test_under_rebase_ours_is_the_upstream_and_theirs_the_replayed_commit(clones):
    clones.record(clones.a, "bernard", "claire", "1", "Couture", 2)
    clones.record(clones.b, "claire", "bernard", "1", "Soutien scolaire", 4)
    ours_before = clones.texts(clones.a)
    git(clones.a, "push", "-q")
    upstream_text = (clones.a / FILE).read_text(encoding="utf-8")

    assert git(clones.b, "pull", "-q", "--rebase", check=False).returncode == 0

    merged = (clones.b / FILE).read_text(encoding="utf-8")
    assert merged.startswith(upstream_text)  # the remote's entries first, the replayed commit's after
    assert list(clones.texts(clones.b)) == [*ours_before, *(k for k in clones.texts(clones.b) if k not in ours_before)]


def test_cherry_picking_a_later_commit_alone_stops_because_its_ancestor_holds_an_entry_head_lacks(clones):
    # The ancestor git gives the driver is the picked commit's parent: its entries look deleted in ours.
    clones.record(clones.a, "bernard", "claire", "1", "Couture", 2)
    first = clones.record(clones.b, "claire", "bernard", "1", "Soutien scolaire", 4)
    clones.record(clones.b, "agnes", "bernard", "0.5", "Bricolage", 5)
    git(clones.b, "push", "-q")
    git(clones.a, "fetch", "-q")
    head, text = git(clones.a, "rev-parse", "HEAD").stdout, (clones.a / FILE).read_bytes()

    done = git(clones.a, "cherry-pick", "origin/main", check=False)

    assert done.returncode != 0 and "CONFLICT" in done.stdout + done.stderr
    assert f"entry {first} of the common ancestor is missing from our version" in done.stderr
    git(clones.a, "cherry-pick", "--abort")
    assert git(clones.a, "rev-parse", "HEAD").stdout == head and (clones.a / FILE).read_bytes() == text


def test_an_entry_changed_differently_on_both_sides_stops_the_merge(coop_repo, tmp_path):
    assert coop_repo.run("record", "bernard", "agnes", "2", "Jardinage", "--date", "2026-03-01").returncode == 0
    clones = Clones(coop_repo, tmp_path)
    for clone, description in ((clones.a, "Jardinage et taille"), (clones.b, "Jardinage, arrosage")):
        path = clone / FILE
        path.write_text(path.read_text(encoding="utf-8").replace("* Jardinage", f"* {description}", 1), encoding="utf-8")
        git(clone, "commit", "-q", "-am", f"edit by hand in {clone.name}")
    git(clones.b, "push", "-q")
    head, text = git(clones.a, "rev-parse", "HEAD").stdout, (clones.a / FILE).read_bytes()

    done = git(clones.a, "pull", "--no-rebase", check=False)

    assert done.returncode != 0
    assert f"CONFLICT (content): Merge conflict in {FILE}" in done.stdout
    assert f"error: cannot merge {FILE}: entry" in done.stderr and "was edited in our version" in done.stderr
    assert (clones.a / FILE).read_bytes() == text  # the driver left ours as git gave it
    git(clones.a, "merge", "--abort")
    assert git(clones.a, "rev-parse", "HEAD").stdout == head
    assert (clones.a / FILE).read_bytes() == text
    assert git(clones.a, "status", "--porcelain").stdout == ""


def test_git_union_merge_fuses_two_entries_that_share_a_line_and_coops_driver_does_not(clones):
    # Both new entries end with the same posting line: bernard pays one hour.
    clones.record(clones.a, "bernard", "claire", "1", "Couture", 2)
    clones.record(clones.b, "bernard", "agnes", "1", "Jardinage", 3)
    ours, theirs = clones.texts(clones.a), clones.texts(clones.b)
    shared = "    members:bernard              -1.00 H"
    git(clones.b, "push", "-q")
    git(clones.a, "fetch", "-q")
    attributes = clones.a / ".git" / "info" / "attributes"
    attributes.parent.mkdir(exist_ok=True)

    attributes.write_text("ledger/*.journal merge=union\n")
    assert git(clones.a, "merge", "-q", "--no-edit", "origin/main", check=False).returncode == 0  # union never conflicts
    fused = (clones.a / FILE).read_text(encoding="utf-8")
    assert fused.count(shared) == 1  # one posting line for two entries
    fused_entries = {e.id: e.lines for e in parse_journal(fused, FILE, "H")[0]}
    assert fused_entries != {**ours, **theirs}
    assert subprocess.run(["hledger", "-f", str(clones.a / FILE), "bal"], capture_output=True).returncode != 0

    git(clones.a, "reset", "-q", "--hard", "ORIG_HEAD")
    attributes.unlink()
    assert git(clones.a, "merge", "-q", "--no-edit", "origin/main", check=False).returncode == 0
    kept = (clones.a / FILE).read_text(encoding="utf-8")
    assert kept.count(shared) == 2
    assert_books_whole(clones.a, ours, theirs)
