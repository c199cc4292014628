"""`coop record` with no arguments, typed at a real terminal: tmux runs coop in a 120x40 pane, keys go in with
send-keys and the screen is read back with capture-pane. Nothing is mocked: the slips end in a signed commit that
hledger and `coop verify` read, or in a draft that a killed or interrupted session leaves for the next one.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from coop_cli import draft
from coop_cli.errors import CoopError
from helpers import entries_of, hledger_balances
from conftest import CoopFixture, cli_env

DEADLINE = 90  # seconds for coop to show what a test waits for: generous, the machine is shared and slow
TODAY = date.today().isoformat()


class Terminal:
    """One tmux server of a test's own, running `coop record ARGS` in a pane as a person at a terminal would."""

    def __init__(self, folder: Path, coop: CoopFixture):
        self.folder = folder
        self.socket = ""
        self.coop = coop
        self.seen = -1  # where in the pane's text the last prompt answered begins

    def tmux(self, *args: str, check: bool = True) -> str:
        return subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True, text=True, check=check).stdout

    def start(self, *args: str, member: str = "agnes", session: str = "coop") -> None:
        """A new tmux server for each run of coop: one that is still shutting down cannot take a new session."""
        self.stop()
        self.socket = str(self.folder / f"tmux-{len(list(self.folder.glob('tmux-*')))}")
        env = cli_env(COOP_AS=member, COOP_KEY=str(self.coop.keys[member]))
        for name in ("TERM", "COLUMNS", "TMUX"):  # the pane is the terminal: tmux says what it is and how wide
            env.pop(name, None)
        command = shlex.join([sys.executable, "-m", "coop_cli", "-C", str(self.coop.root), "record", *args])
        subprocess.run(["tmux", "-S", self.socket, "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                        f'{command}; echo "[exit $?]"; sleep 3600'], env=env, check=True)
        self.seen = -1

    def screen(self, session: str = "coop") -> str:
        """Everything the pane shows or scrolled past, long lines joined."""
        return self.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", session)

    def expect(self, text: str, session: str = "coop") -> str:
        """Wait for `text` to appear since the last prompt answered (lines are redrawn in place, so not only below
        what was seen last); returns the screen."""
        return self._wait(text, self.seen, session)[0]

    def _wait(self, text: str, start: int, session: str = "coop") -> tuple[str, int]:
        text = text.rstrip(" ")  # tmux drops the spaces that end a line
        deadline = time.monotonic() + DEADLINE
        while True:
            screen = self.screen(session)
            found = screen.find(text, start)
            if found >= 0:
                return screen, found
            if time.monotonic() > deadline:
                pytest.fail(f"{text!r} did not appear within {DEADLINE} s; the pane shows:\n{screen}")
            time.sleep(0.1)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "coop", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "coop", "-l", "--", text)

    def answer(self, prompt: str, text: str = "", replace: bool = False) -> None:
        """At the prompt `prompt`, type `text` (after clearing what the prompt offers, if `replace`) and press Enter."""
        self.seen = self._wait(prompt, self.seen + 1)[1]  # each prompt comes after the one answered before it
        if replace:
            self.keys("C-u")
        if text:
            self.type(text)
            self.expect(text)
        self.keys("Enter")

    def slip(self, number: int, payer: str, earner: str, hours: str, description: str, cat: str = "", day: str | None = None) -> None:
        for field, text in (("payer", payer), ("earner", earner), ("hours", hours), ("description", description), ("category", cat)):
            self.answer(f"Slip {number}, {field}: ", text)
        self.answer(f"Slip {number}, date: ", day or "", replace=day is not None)

    def stop(self) -> None:
        if self.socket:
            self.tmux("kill-server", check=False)


@pytest.fixture
def terminal(tmp_path, coop_repo):
    found = Terminal(tmp_path, coop_repo)
    yield found
    found.stop()


def kept(coop: CoopFixture) -> dict | None:
    path = coop.root / ".git" / "coop" / draft.FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def test_a_pile_of_slips_typed_checked_and_recorded_in_one_signed_commit(terminal, coop_repo):
    before = coop_repo.git("rev-parse", "HEAD").strip()
    terminal.start()
    # A name mistyped is answered with the member it may mean, and Tab takes the suggestion.
    terminal.answer("Slip 1, payer: ", "bernrad")
    terminal.expect("'bernrad' is not a member of this coop; did you mean bernard (Bernard)?")
    terminal.keys("Tab")
    terminal.expect("Slip 1, payer: bernard")
    terminal.keys("Enter")
    terminal.answer("Slip 1, earner: ", "agnes")
    terminal.answer("Slip 1, hours: ", "1h30")
    terminal.answer("Slip 1, description: ", "Jardinage chez Bernard")
    terminal.answer("Slip 1, category: ", "jardinage")
    terminal.answer("Slip 1, date: ")  # today, as offered
    terminal.expect("1 slip")
    # More than the charter's max_exchange is refused at the hours, and corrected there.
    terminal.answer("Slip 2, payer: ", "claire")
    terminal.answer("Slip 2, earner: ", "bernard")
    terminal.answer("Slip 2, hours: ", "30")
    terminal.expect("30.0 h is more than the charter's max_exchange of 24 h")
    terminal.keys("BSpace", "BSpace")
    terminal.type("2,5")
    terminal.keys("Enter")
    terminal.answer("Slip 2, description: ", "Couture")
    terminal.answer("Slip 2, category: ")
    terminal.answer("Slip 2, date: ", "12/03/2025", replace=True)
    terminal.expect("2 slips")
    terminal.slip(3, "agnes", "claire", "90m", "Réparation vélo")  # its date: the one of the slip before it
    table = terminal.expect("3 slips")
    assert "│ 3 │ 2025-03-12 │ agnes   │ claire  │  1.50 │ Réparation vélo" in table
    assert kept(coop_repo)["slips"][2] == {"payer": "agnes", "earner": "claire", "hours": "90m", "description": "Réparation vélo", "cat": "", "date": "2025-03-12"}
    terminal.answer("Slip 4, payer: ")  # empty: the pile is complete
    terminal.expect("claire (Claire): 0.00 -> -1.00 H")
    terminal.answer("Record these 3 exchanges (5.50 H) in one signed commit? (yes/no) ", "yes")
    terminal.expect("Recorded 3 exchanges in commit")
    terminal.expect("[exit 0]")

    assert coop_repo.git("rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert coop_repo.git("log", "-1", "--format=%s") == "record: 3 exchanges, 5.50 H\n"
    assert 'Good "git" signature for agnes' in coop_repo.git("log", "-1", "--show-signature", "--format=%G?")
    entries = entries_of(coop_repo.root)
    assert [(e.date.isoformat(), e.payer, e.earner, e.hours, e.description, e.tag("cat")) for e in entries] == [
        ("2025-03-12", "members:claire", "members:bernard", Decimal("2.5"), "Couture", None),
        ("2025-03-12", "members:agnes", "members:claire", Decimal("1.5"), "Réparation vélo", None),
        (TODAY, "members:bernard", "members:agnes", Decimal("1.5"), "Jardinage chez Bernard", "jardinage"),
    ]
    assert hledger_balances(coop_repo.root) == {"members:bernard": Decimal(1), "members:claire": Decimal(-1)}
    verified = coop_repo.run("verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert kept(coop_repo) is None


def test_a_killed_session_and_an_interrupted_one_are_taken_up_with_nothing_lost(terminal, coop_repo):
    head = coop_repo.git("rev-parse", "HEAD")
    terminal.start()
    terminal.slip(1, "bernard", "agnes", "2", "Jardinage")
    terminal.answer("Slip 2, payer: ", "claire")
    terminal.answer("Slip 2, earner: ", "bernard")
    terminal.expect("Slip 2, hours: ")
    terminal.type("1h")
    terminal.expect("Slip 2, hours: 1h")
    terminal.tmux("kill-session", "-t", "coop")  # the terminal goes away: coop is hung up on, mid-word
    assert kept(coop_repo)["field"] == "hours" and kept(coop_repo)["text"] == "1h"

    terminal.start()
    terminal.answer("A draft of 2 slips, begun by agnes on ", "yes")
    terminal.expect("Slip 2, being typed: payer claire, earner bernard")
    terminal.expect("Slip 2, hours: 1h")
    terminal.type("30")
    terminal.keys("Enter")
    terminal.answer("Slip 2, description: ", "Couture")
    terminal.answer("Slip 2, category: ", "couture")
    terminal.answer("Slip 2, date: ")
    terminal.answer("Slip 3, payer: ", "agnes")
    terminal.answer("Slip 3, earner: ", "claire")
    terminal.answer("Slip 3, hours: ", "0:45")
    terminal.expect("Slip 3, description: ")
    terminal.type("Répar")
    terminal.expect("Slip 3, description: Répar")
    terminal.keys("C-c")
    terminal.expect("everything typed is kept as a draft")
    terminal.expect("[exit 130]")
    assert coop_repo.git("rev-parse", "HEAD") == head

    terminal.start()
    terminal.answer("A draft of 3 slips", "yes")
    terminal.expect("Slip 3, description: Répar")
    terminal.type("ation vélo")
    terminal.keys("Enter")
    terminal.answer("Slip 3, category: ")
    terminal.answer("Slip 3, date: ")
    terminal.answer("Slip 4, payer: ")
    terminal.answer("Record these 3 exchanges (4.25 H) in one signed commit? (yes/no) ", "yes")
    terminal.expect("Recorded 3 exchanges in commit")
    terminal.expect("[exit 0]")
    entries = entries_of(coop_repo.root)
    assert [(e.payer, e.earner, e.hours, e.description, e.tag("cat")) for e in entries] == [
        ("members:bernard", "members:agnes", Decimal(2), "Jardinage", None),
        ("members:claire", "members:bernard", Decimal("1.5"), "Couture", "couture"),
        ("members:agnes", "members:claire", Decimal("0.75"), "Réparation vélo", None),
    ]
    assert kept(coop_repo) is None
    assert coop_repo.run("verify").returncode == 0


def test_declining_or_a_dry_run_writes_nothing_and_the_draft_can_be_discarded(terminal, coop_repo):
    before = coop_repo.snapshot()
    terminal.start()
    terminal.slip(1, "claire", "agnes", "1", "Couture")
    terminal.slip(2, "bernard", "agnes", "2", "Jardinage")
    terminal.answer("Slip 3, payer: ", "-1")  # the first slip was a mistake
    terminal.expect("Slip 1 is removed.")
    terminal.answer("Slip 2, payer: ")
    terminal.answer("Record this exchange (2.00 H) in one signed commit? (yes/no) ", "no")
    terminal.expect("Nothing was written. The slip is kept as a draft")
    terminal.expect("[exit 0]")
    assert coop_repo.snapshot() == before
    assert [slip["description"] for slip in kept(coop_repo)["slips"]] == ["Jardinage"]

    terminal.start("--dry-run")
    terminal.answer("A draft of 1 slip", "yes")
    terminal.answer("Slip 2, payer: ")
    terminal.expect("bernard (Bernard): 0.00 -> -2.00 H")
    terminal.expect("Dry run: 1 exchange would be recorded; nothing was written.")
    terminal.expect("[exit 0]")
    assert coop_repo.snapshot() == before
    assert len(kept(coop_repo)["slips"]) == 1

    terminal.start()
    terminal.answer("A draft of 1 slip", "no")
    terminal.answer("Discard the draft's slip for good? (yes/no) ", "yes")
    terminal.answer("Slip 1, payer: ")
    terminal.expect("No slip was entered; nothing was written.")
    terminal.expect("[exit 0]")
    assert coop_repo.snapshot() == before
    assert kept(coop_repo) is None


def test_a_slip_refused_as_a_whole_comes_back_to_be_corrected_and_a_second_session_is_refused(terminal, coop_repo):
    terminal.start()
    terminal.answer("Slip 1, payer: ", "bernard")
    terminal.answer("Slip 1, earner: ", "agnes")
    terminal.answer("Slip 1, hours: ", "2")
    terminal.expect("Slip 1, description: ")
    terminal.type("Claire")
    terminal.keys("Tab")  # names are completed where a member is named, and nowhere else
    terminal.answer("Slip 1, description: Claire")
    terminal.answer("Slip 1, category: ")
    terminal.answer("Slip 1, date: ", "01/01/2019", replace=True)  # before bernard joined the coop
    terminal.expect("Slip 1: bernard joined on 2020-03-10, after the exchange's date 2019-01-01")
    # The same slip comes back field by field; Enter keeps each field, and only the date is typed over.
    for field in ("payer", "earner", "hours", "description", "category"):
        terminal.answer(f"Slip 1, {field}: ")
    terminal.answer("Slip 1, date: 2019-01-01", "2025-01-10", replace=True)
    terminal.expect("1 slip")
    # The same exchange again is refused, naming the slip it repeats; an emptied payer drops it.
    terminal.slip(2, "bernard", "agnes", "2", "Claire")
    terminal.expect("Slip 2: the same exchange as slip 1")
    terminal.answer("Slip 2, payer: ", replace=True)
    # Meanwhile a second session on the same copy is refused, and leaves this one's draft alone.
    subprocess.run(["tmux", "-S", terminal.socket, "new-window", "-d", "-t", "coop", "-n", "other",
                    shlex.join([sys.executable, "-m", "coop_cli", "-C", str(coop_repo.root), "record"]) + '; echo "[exit $?]"; sleep 3600'],
                   env={**cli_env(COOP_AS="agnes", COOP_KEY=str(coop_repo.keys["agnes"])), "TERM": "screen"}, check=True)
    deadline = time.monotonic() + DEADLINE
    while "[exit 1]" not in terminal.tmux("capture-pane", "-p", "-t", "coop:other") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "error: another guided session is open on this copy of the books" in terminal.tmux("capture-pane", "-p", "-J", "-t", "coop:other")
    assert len(kept(coop_repo)["slips"]) == 1
    terminal.answer("Slip 2, payer: ")
    terminal.answer("Record this exchange", "yes")
    terminal.expect("Recorded 1 exchange in commit")
    [entry] = entries_of(coop_repo.root)
    assert (entry.date, entry.description) == (date(2025, 1, 10), "Claire")


def test_without_a_terminal_record_still_needs_its_arguments(coop_repo):
    done = coop_repo.run("record")
    assert done.returncode == 2
    assert "missing argument PAYER" in done.stderr
    assert not (coop_repo.root / ".git" / "coop" / draft.FILE).exists()


# ---------------------------------------------------------------- the core, without a terminal

def test_each_field_is_read_as_record_reads_it_and_each_slip_checked_in_order(coop_repo):
    pile = draft.Pile(coop_repo.coop, coop_repo.coop.register().require("agnes"), date(2026, 3, 20))
    slip = draft.Slip(payer="bernard")
    assert pile.read("payer", " bernard ", draft.Slip()) == "bernard"
    with pytest.raises(CoopError, match=r"did you mean agnes \(Agnès\)"):
        pile.read("earner", "Agnès", slip)
    with pytest.raises(CoopError, match="two different accounts"):
        pile.read("earner", "bernard", slip)
    slip = draft.Slip(payer="bernard", earner="agnes")
    assert [pile.read("hours", typed, slip) for typed in ("2", "1,5", "1h30", "90m")] == ["2", "1,5", "1h30", "90m"]
    with pytest.raises(CoopError, match="below the charter's min_balance"):
        pile.read("hours", "12", slip, [draft.Slip("bernard", "claire", "10", "Couture", "", "2026-03-01")])
    assert pile.read("date", "12/03/2026", slip) == "2026-03-12"
    with pytest.raises(CoopError, match="in the future"):
        pile.read("date", "21/03/2026", slip)
    one = draft.Slip("bernard", "agnes", "2", "Jardinage", "", "2026-03-10")
    problems, balances = pile.check([one, one, draft.Slip("claire", "bernard", "1", "Couture", "", "2026-03-10")])
    assert problems[0] == [] and problems[2] == []
    assert problems[1] == ["the same exchange as slip 1 (if it happened twice, give --allow-duplicates)"]
    assert balances["members:bernard"] == Decimal(-1)
    assert [member_id for member_id, _name in pile.members_like("CL")] == ["claire"]
    assert [member_id for member_id, _name in pile.members_like("bernadr")] == ["bernard"]


def test_a_draft_is_kept_whole_and_one_that_cannot_be_read_is_refused(coop_repo):
    coop = coop_repo.coop
    state = draft.Draft([draft.Slip("bernard", "agnes", "2", "Jardinage", "", "2026-03-10")], draft.Slip(payer="claire"),
                        None, "earner", "ber", "agnes", "2026-03-20 18:00")
    draft.save(coop, state)
    assert draft.load(coop) == state
    assert draft.load(coop).placed()[1] == draft.Slip(payer="claire")
    (coop.git_dir() / "coop" / draft.FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(CoopError, match="cannot be read"):
        draft.load(coop)
    with coop.alone(draft.LOCK, "busy"), pytest.raises(CoopError, match="busy"):
        with coop.alone(draft.LOCK, "busy"):
            pass
