"""Time a pile of slips entered two ways on the same book: typed in `coop record`'s guided session, driven through
tmux, and read from a French spreadsheet's CSV. `python bench/guided.py [--size 10000] [--slips 20]`.

The book is made by make_book.py (cached in bench/out/SIZE, as run.py does) and copied afresh for each way, so both
start from the same books. Prints the machine and markdown tables.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from make_book import DEFAULT_KEY, WORK, treasurer_key
from run import COOP, ENV, book

from coop_cli.repo import Coop

POLL = 0.01  # seconds between two reads of the screen
DEADLINE = 120


class Pane:
    """coop in a tmux pane of its own server; `answer` types a field and returns how long coop took to ask the next."""

    def __init__(self, folder: Path, command: list[str]):
        self.socket = str(folder / "tmux.socket")
        env = {k: v for k, v in ENV.items() if k not in ("TERM", "COLUMNS", "TMUX")}
        subprocess.run(["tmux", "-S", self.socket, "new-session", "-d", "-x", "120", "-y", "40",
                        shlex.join(command) + '; echo "[exit $?]"; sleep 3600'], env=env, check=True)
        self.seen = -1

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True)

    def screen(self) -> str:
        return subprocess.run(["tmux", "-S", self.socket, "capture-pane", "-p", "-J", "-S", "-"], capture_output=True, text=True).stdout

    def wait(self, text: str) -> float:
        """Wait until `text` appears after the last prompt waited for; the moment it was seen."""
        deadline = time.monotonic() + DEADLINE
        while True:
            screen = self.screen()
            found = screen.find(text.rstrip(), self.seen + 1)
            if found >= 0:
                self.seen = found
                return time.perf_counter()
            if time.monotonic() > deadline:
                raise SystemExit(f"{text!r} did not appear; the pane shows:\n{screen}")
            time.sleep(POLL)

    def answer(self, text: str, next_prompt: str) -> float:
        """Type `text` and Enter; the seconds until `next_prompt` shows."""
        if text:
            subprocess.run(["tmux", "-S", self.socket, "send-keys", "-l", text], check=True)
        subprocess.run(["tmux", "-S", self.socket, "send-keys", "Enter"], check=True)
        start = time.perf_counter()
        return self.wait(next_prompt) - start


def slips(count: int, books: Path, day: date) -> list[dict[str, str]]:
    """`count` slips between members of the book, each within the charter's limits after the ones before it."""
    balances = {account.removeprefix("members:"): amount for account, amount in Coop(books).balances().items()}
    members = [f"m{n:02d}" for n in range(2, 41)]
    rng = random.Random(count)
    pile = []
    for number in range(count):
        hours = rng.choice(["1", "1,5", "2", "0,75", "3", "2,25"])
        amount = Decimal(hours.replace(",", "."))
        while True:
            payer, earner = rng.sample(members, 2)
            if balances.get(payer, 0) - amount >= -20 and balances.get(earner, 0) + amount <= 100:
                break
        balances[payer] = balances.get(payer, Decimal(0)) - amount
        balances[earner] = balances.get(earner, Decimal(0)) + amount
        cat, what = rng.choice(WORK)
        pile.append({"payer": payer, "earner": earner, "hours": hours,
                     "description": f"{what} (fiche {number + 1})", "cat": cat, "date": day.isoformat()})
    return pile


FIELDS = ("payer", "earner", "hours", "description", "cat", "date")
PROMPTS = ("payer", "earner", "hours", "description", "category", "date")


def guided(books: Path, pile: list[dict[str, str]], folder: Path, key: Path) -> tuple[list[list[float]], float, float]:
    """Per slip, the seconds coop took to ask for the next field after each of its six (after the date: the whole
    slip checked and the table drawn); then the final commit's seconds, and the whole session's."""
    command = ["env", "LANGUAGE=en", "COOP_AS=m01", f"COOP_KEY={key}", *COOP, "-C", str(books), "record"]
    pane = Pane(folder, command)
    try:
        began = time.perf_counter()
        pane.wait("Slip 1, payer: ")
        times = []
        for number, slip in enumerate(pile, 1):
            following = [f"Slip {number}, {prompt}: " for prompt in PROMPTS[1:]] + [f"Slip {number + 1}, payer: "]
            # The date is left as offered (today): the slips are those of one meeting.
            times.append([pane.answer("" if name == "date" else slip[name], then) for name, then in zip(FIELDS, following)])
        pane.answer("", "in one signed commit? (yes/no)")
        commit = pane.answer("yes", "[exit 0]")
        return times, commit, time.perf_counter() - began
    finally:
        pane.close()


def french_csv(pile: list[dict[str, str]], path: Path) -> None:
    lines = ["date;payeur;bénéficiaire;heures;description;catégorie"]
    for slip in pile:
        day = date.fromisoformat(slip["date"])
        lines.append(";".join([day.strftime("%d/%m/%Y"), slip["payer"], slip["earner"], slip["hours"], slip["description"], slip["cat"]]))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


def copy(source: Path, books: Path) -> None:
    """A copy of the book as a copy in daily use is: git's index and coop's cache up to date with its files."""
    shutil.copytree(source, books, symlinks=True)
    timed([*COOP, "-C", str(books), "balance"])


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{shlex.join(command)} failed: {done.stderr.strip()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10000, help="exchanges in the book (default 10000)")
    parser.add_argument("--slips", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each CSV command (default 3)")
    parser.add_argument("--key", type=Path, default=DEFAULT_KEY)
    options = parser.parse_args()
    key = treasurer_key(options.key)
    source = book(options.size, key)
    pile = slips(options.slips, source, date.today())  # the day the guided session offers
    print(f"{platform.processor() or platform.machine()}, {platform.platform()}, Python {platform.python_version()}; "
          f"book of {options.size} exchanges; {options.slips} slips\n")
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        typed = work / "typed"
        copy(source, typed)
        times, commit, session = guided(typed, pile, work, key)
        print("| slip | payer | earner | hours | description | category | date: slip checked, table drawn | total |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for number, spent in enumerate(times, 1):
            print(f"| {number} | " + " | ".join(f"{t:.3f}" for t in spent) + f" | {sum(spent):.3f} |")
        columns = list(zip(*times))
        print("| median | " + " | ".join(f"{statistics.median(c):.3f}" for c in columns) + f" | {statistics.median(map(sum, times)):.3f} |")
        print(f"\nfinal commit (from `yes` to the exit): {commit:.3f} s; whole session, typing by tmux included: {session:.1f} s")
        print(f"load average: {' '.join(f'{n:.2f}' for n in os.getloadavg())} on {os.cpu_count()} processors\n")

        csv = work / "fiches.csv"
        french_csv(pile, csv)
        runs = {"dry": [], "real": [], "start": []}
        for attempt in range(options.repeat):
            runs["start"].append(timed([*COOP, "--version"]))
            for kind, extra in (("dry", ["--dry-run"]), ("real", [])):
                books = work / f"csv-{kind}-{attempt}"
                copy(source, books)
                runs[kind].append(timed([*COOP, "-C", str(books), "--lang", "fr", "record", "--batch", str(csv), "--as", "m01", "--key", str(key), *extra]))
        print(f"| French CSV, {len(pile)} rows ({options.repeat} runs, each on a fresh copy) | median s | min s |\n|---|---:|---:|")
        for kind, what in (("start", "`coop --version` (starting coop, for comparison)"), ("dry", "`coop record --batch fiches.csv --dry-run` (read and check every row)"),
                           ("real", "`coop record --batch fiches.csv` (read, check, sign and commit)")):
            print(f"| {what} | {statistics.median(runs[kind]):.3f} | {min(runs[kind]):.3f} |")
        print(f"\nload average at the end: {' '.join(f'{n:.2f}' for n in os.getloadavg())} on {os.cpu_count()} processors")


if __name__ == "__main__":
    sys.exit(main())
