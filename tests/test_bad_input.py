"""Every bad input gets one sentence on stderr, exit 1 or 2, no traceback, and leaves the books and git log untouched."""

from __future__ import annotations

import subprocess

import pytest

from conftest import cli_env, run_coop

RECORD = ("record", "bernard", "agnes")


def assert_refused(done, before, after, *words: str, status: tuple[int, ...] = (1, 2)) -> None:
    assert done.returncode in status, (done.returncode, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in done.stderr + done.stdout
    for word in words:
        assert word in lines[0], lines[0]
    assert after == before, "a refused command changed the books"


CASES = {
    "negative hours": ((*RECORD, "-2", "Jardinage"), ("positive",), 2),
    "zero hours": ((*RECORD, "0", "Jardinage"), ("positive",), 2),
    "zero hours written 0.00": ((*RECORD, "0.00", "Jardinage"), ("positive",), 2),
    "minutes that are not hundredths": ((*RECORD, "1h05", "Jardinage"), ("multiple of 3",), 2),
    "not a multiple of the step": ((*RECORD, "0.3", "Jardinage"), ("multiple", "0.25"), 1),
    "over max_exchange": ((*RECORD, "25", "Jardinage"), ("max_exchange",), 1),
    "unparseable hours": ((*RECORD, "deux", "Jardinage"), ("'deux'",), 2),
    "minutes past 59": ((*RECORD, "1h75", "Jardinage"), ("minutes",), 2),
    "payer is earner": (("record", "agnes", "agnes", "1", "Jardinage"), ("different",), 1),
    "unknown member": (("record", "zoe", "agnes", "1", "Jardinage"), ("'zoe'",), 1),
    "a name that is no member's id": (("record", "Zoé", "agnes", "1", "Jardinage"), ("'Zoé' is not a member",), 1),
    "balance below min_balance": ((*RECORD, "20.25", "Jardinage"), ("bernard", "min_balance"), 1),
    "date in the future": ((*RECORD, "1", "Jardinage", "--date", "2999-01-01"), ("future",), 1),
    "date before joining": ((*RECORD, "1", "Jardinage", "--date", "2019-01-01"), ("joined",), 1),
    "unparseable date": ((*RECORD, "1", "Jardinage", "--date", "1er mars"), ("YYYY-MM-DD",), 2),
    "a day the calendar lacks": ((*RECORD, "1", "Jardinage", "--date", "2026-02-30"), ("no day 2026-02-30",), 2),
    "the coop's account as a member id": (("member", "add", "coop", "--name", "Coop"), ("coop's own account",), 2),
    "log of a stranger": (("log", "--member", "zoe"), ("'zoe'",), 1),
    "description with a newline": ((*RECORD, "1", "Jardinage\n    members:agnes  100 H"), ("U+000A",), 2),
    "description with a control character": ((*RECORD, "1", "Jardinage\x07"), ("U+0007",), 2),
    "description with a line separator": ((*RECORD, "1", "Jardinage\u2028fin"), ("U+2028",), 2),
    "description with a bidi override": ((*RECORD, "1", "Jardinage \u202e02 H"), ("U+202E",), 2),
    "description reading as a tag": ((*RECORD, "1", "x ; id: 01ABC"), ("';'",), 2),
    "description reading as a comment": ((*RECORD, "1", "; payé"), ("';'",), 2),
    "description reading as a posting": ((*RECORD, "1", "members:agnes  100 H"), ("two spaces",), 2),
    "description reading as a code": ((*RECORD, "1", "(42) Jardinage"), ("'('",), 2),
    "description reading as a status": ((*RECORD, "1", "! Jardinage"), ("'!'",), 2),
    "empty description": ((*RECORD, "1", ""), ("empty",), 2),
    "description with spaces around": ((*RECORD, "1", " Jardinage "), ("space",), 2),
    "category with a comma": ((*RECORD, "1", "Jardinage", "--cat", "a, b:c"), ("category",), 2),
    "missing description": ((*RECORD, "1"), ("DESCRIPTION",), 2),
    "unknown option": ((*RECORD, "1", "x", "--dat", "2026-01-01"), (), 2),
    "revert of an unknown id": (("revert", "01NOPE", "--reason", "x"), ("01NOPE",), 1),
    "statement of a stranger": (("statement", "zoe"), ("'zoe'",), 1),
    "statement ending before it starts": (("statement", "agnes", "--from", "2026-06-01", "--to", "2026-01-01"), ("--to", "before"), 2),
    "balance for a stranger": (("balance", "--member", "zoe"), ("'zoe'",), 1),
    "member added twice": (("member", "add", "bernard", "--name", "Bernard"), ("already",), 1),
    "member with a bad key": (("member", "add", "dora", "--name", "Dora", "--pubkey", "ssh-ed25519 AAAAnotakey"), ("key",), 2),
    "member with a key file that does not exist": (("member", "add", "dora", "--name", "Dora", "--pubkey", "nowhere/dora.pub"), ("no such file",), 2),
    "member with a private key": (("member", "add", "dora", "--name", "Dora", "--pubkey", "PRIVATE"), ("private",), 2),
    "unknown language": (("--lang", "de", "balance"), ("--lang",), 2),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input_is_refused_in_one_line(coop_repo, case):
    args, words, status = CASES[case]
    if "PRIVATE" in args:
        args = tuple(str(coop_repo.keys["claire"]) if a == "PRIVATE" else a for a in args)
    before = coop_repo.snapshot()
    done = coop_repo.run(*args)
    assert_refused(done, before, coop_repo.snapshot(), *words, status=(status,))


def test_a_recorder_without_the_role_cannot_record_for_others(coop_repo):
    before = coop_repo.snapshot()
    done = coop_repo.run("record", "claire", "agnes", "1", "Jardinage", as_="bernard")
    assert_refused(done, before, coop_repo.snapshot(), "bernard", "treasurer", status=(1,))


def test_a_key_that_is_not_the_recorders_is_refused(coop_repo):
    before = coop_repo.snapshot()
    done = coop_repo.run("record", "bernard", "agnes", "1", "Jardinage", as_="agnes", key=str(coop_repo.keys["bernard"]))
    assert_refused(done, before, coop_repo.snapshot(), "not one of agnes's keys", status=(1,))


def test_a_non_member_cannot_add_members(coop_repo):
    before = coop_repo.snapshot()
    done = coop_repo.run("member", "add", "dora", "--name", "Dora", as_="bernard")
    assert_refused(done, before, coop_repo.snapshot(), "treasurer or secretary", status=(1,))


def _commit_by_hand(coop_repo, relative: str, text: str) -> None:
    (coop_repo.root / relative).write_text(text)
    coop_repo.git("-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qam", "hand edit")


def test_a_suspended_member_cannot_take_part(coop_repo):
    members = (coop_repo.root / "members.yaml").read_text()
    _commit_by_hand(coop_repo, "members.yaml", members.replace("name: Bernard\n    since: 2020-03-10\n    status: active", "name: Bernard\n    since: 2020-03-10\n    status: suspended"))
    before = coop_repo.snapshot()
    done = coop_repo.run("record", "bernard", "agnes", "1", "Jardinage")
    assert_refused(done, before, coop_repo.snapshot(), "bernard is suspended", status=(1,))


@pytest.mark.parametrize(
    "broken, words",
    [
        ("members:\n  - id: agnes\n    name: [unclosed\n", ("members.yaml:4", "not valid YAML")),
        ("members:\n  - id: agnes\n    name: Agnès\n    since: 2020-03-10\n    status: asleep\n", ("members.yaml:2", "status")),
        ("members: 12\n", ("members.yaml", "list")),
        ("members:\n  - {id: agnes, name: A, since: 2020-01-01}\n  - {id: agnes, name: B, since: 2020-01-01}\n", ("twice",)),
        ("members:\n  - !!python/object/apply:os.system ['echo pwned']\n", ("members.yaml",)),
    ],
)
def test_a_malformed_register_is_named(coop_repo, broken, words):
    _commit_by_hand(coop_repo, "members.yaml", broken)
    before = coop_repo.snapshot()
    for args in (("balance",), ("record", "bernard", "agnes", "1", "Jardinage")):
        done = coop_repo.run(*args)
        assert_refused(done, before, coop_repo.snapshot(), *words, status=(1,))


@pytest.mark.parametrize(
    "broken, words",
    [
        ("no front matter\n", ("front matter",)),
        ("---\nname: X\nstep: [1\n---\n", ("charter.md", "YAML")),
        ("---\nname: X\nmax_exchnage: 3\n---\n", ("unknown rule 'max_exchnage'",)),
        ("---\nname: X\nstep: quarter\n---\n", ("step",)),
        ("---\nname: X\nunit: h\n---\n", ("unit",)),
        ("---\nname: X\nstep: 0.25\n", ("never closed",)),
    ],
)
def test_a_malformed_charter_is_named(coop_repo, broken, words):
    _commit_by_hand(coop_repo, "charter.md", broken)
    before = coop_repo.snapshot()
    done = coop_repo.run("record", "bernard", "agnes", "1", "Jardinage")
    assert_refused(done, before, coop_repo.snapshot(), *words, status=(1,))


def test_outside_any_coop(tmp_path):
    done = run_coop("balance", cwd=tmp_path, env=cli_env())
    assert done.returncode == 1 and done.stderr.startswith("error: no coop repository")
    assert len(done.stderr.splitlines()) == 1
    done = run_coop("-C", str(tmp_path / "nowhere"), "balance", env=cli_env())
    assert done.returncode == 1 and done.stderr == f"error: {tmp_path / 'nowhere'}: no such folder\n"


def test_an_entry_that_does_not_balance_is_named_not_summed(coop_repo):
    """hledger refuses such a journal; coop's balance, statement and report must not show figures that do not add up."""
    coop_repo.run("record", "bernard", "agnes", "2", "Jardinage", "--date", "2026-03-10")
    journal = coop_repo.root / "ledger" / "2026-03.journal"
    journal.write_text(journal.read_text().replace("-2.00 H", "-3.00 H"))
    _commit_by_hand(coop_repo, "ledger/2026-03.journal", journal.read_text())
    before = coop_repo.snapshot()
    for args in (("balance",), ("balance", "--member", "claire"), ("statement", "agnes"), ("report",)):
        done = coop_repo.run(*args, as_=None)
        assert_refused(done, before, coop_repo.snapshot(), "ledger/2026-03.journal:1", "do not balance", "-1.00", status=(1,))
    hledger = subprocess.run(["hledger", "-f", str(journal), "bal"], capture_output=True, text=True)
    assert hledger.returncode != 0  # the oracle agrees that these books cannot be read


def test_two_hand_edits_that_cancel_out_are_still_named(coop_repo):
    """The file still sums to zero, but two entries do not: the quick scan must not take it for coop's own."""
    for description in ("Jardinage", "Couture"):
        coop_repo.run("record", "bernard", "agnes", "2", description, "--date", "2026-03-10")
    journal = coop_repo.root / "ledger" / "2026-03.journal"
    text = journal.read_text()
    first, second = text.split("\n\n")
    _commit_by_hand(coop_repo, "ledger/2026-03.journal", first.replace("-2.00 H", "-3.00 H") + "\n\n" + second.replace("-2.00 H", "-1.00 H"))
    before = coop_repo.snapshot()
    done = coop_repo.run("balance", as_=None)
    assert_refused(done, before, coop_repo.snapshot(), "ledger/2026-03.journal:1", "do not balance", status=(1,))


def test_uncommitted_hand_edits_block_writing(coop_repo):
    coop_repo.run("record", "bernard", "agnes", "1", "Jardinage", "--date", "2026-03-10")
    journal = coop_repo.root / "ledger" / "2026-03.journal"
    journal.write_text(journal.read_text().replace("1.00 H", "9.00 H"))
    before = coop_repo.snapshot()
    done = coop_repo.run("record", "bernard", "agnes", "1", "Jardinage")
    assert_refused(done, before, coop_repo.snapshot(), "ledger/2026-03.journal", "not committed", status=(1,))


def test_init_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "notes.txt").write_text("mine")
    done = run_coop("init", str(tmp_path / "x"), "--name", "X", env=cli_env())
    assert done.returncode == 1 and "not an empty folder" in done.stderr
    assert not (tmp_path / "x" / ".git").exists()
    assert subprocess.run(["ls", tmp_path / "x"], capture_output=True, text=True).stdout == "notes.txt\n"


@pytest.mark.parametrize("name", ["", " X", "X\nY"])
def test_init_with_a_bad_name_creates_nothing(tmp_path, name):
    done = run_coop("init", str(tmp_path / "x"), "--name", name, env=cli_env())
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1 and "name" in done.stderr
    assert not (tmp_path / "x").exists()
    assert run_coop("init", str(tmp_path / "x"), "--name", "X", env=cli_env()).returncode == 0


def test_brackets_in_what_members_write_are_text_not_markup(coop_repo):
    done = coop_repo.run("record", "bernard", "agnes", "1", "Jardinage [urgent] [/bold]", "--date", "2026-03-10")
    assert done.returncode == 0, done.stderr
    for args in (("statement", "agnes"), ("log",), ("balance",), ("report",)):
        shown = coop_repo.run(*args, as_=None)
        assert shown.returncode == 0, (args, shown.stderr)
    assert "[urgent]" in coop_repo.run("statement", "agnes", as_=None).stdout
