"""Meeting minutes as plain markdown under ledger/meetings/: parse and write, and judge decisions by the charter.

The text is canonical: writing what was read gives the same bytes, so an unchanged meeting never shows a diff.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import date
from decimal import Decimal

from coop_cli.errors import BadInput, CoopError
from coop_cli.i18n import _
from coop_cli.model import Charter, Decision, Meeting, check_member_id, check_text, format_hours, parse_date, parse_hours

FOLDER = "ledger/meetings"
SLUG = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}-[a-z0-9]+(?:-[a-z0-9]+)*", re.ASCII)
DECISION_ID = re.compile(r"D-([0-9]{4})-([0-9]{3,})", re.ASCII)
OUTCOMES = ("adopted", "rejected", "no quorum")
NONE = "_None yet._"  # an empty section: not a list item, so no note or attendee can read as it


def slug_for(when: date, title: str) -> str:
    """`2026-03-10-assemblee-pleniere`: the date, then the title in lowercase ascii words."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_title)
    return f"{when.isoformat()}-{'-'.join(words)[:60].strip('-') or 'meeting'}"


def check_slug(text: str) -> str:
    """A meeting is named by its slug only: no path, so nothing typed can reach outside ledger/meetings/."""
    if not SLUG.fullmatch(text):
        raise BadInput(_("{slug!r} is not a meeting (meetings are named like 2026-03-10-assemblee-pleniere)").format(slug=text))
    return text


def path_of(slug: str) -> str:
    return f"{FOLDER}/{check_slug(slug)}.md"


# ---------------------------------------------------------------- judging a decision

def outcome(charter: Charter, attendees: int, active_members: int, votes_for: int, against: int, abstain: int, consensus: bool) -> str:
    """Adopted, rejected or no quorum, by the charter's `quorum` (share of active members present) and `majority`."""
    if active_members == 0 or Decimal(attendees) / Decimal(active_members) < charter.quorum:
        return "no quorum"
    if consensus:
        return "adopted"
    if charter.majority == "consensus":
        return "adopted" if against == 0 and votes_for > 0 else "rejected"
    if charter.majority == "two-thirds":
        return "adopted" if votes_for > 0 and 3 * votes_for >= 2 * (votes_for + against) else "rejected"
    return "adopted" if votes_for > against else "rejected"


def next_decision_id(year: int, meetings: list[Meeting]) -> str:
    """`D-YYYY-NNN`, one more than the highest of that year in the whole coop."""
    numbers = [int(m[2]) for meeting in meetings for d in meeting.decisions if (m := DECISION_ID.fullmatch(d.id)) and int(m[1]) == year]
    return f"D-{year}-{max(numbers, default=0) + 1:03d}"


# ---------------------------------------------------------------- writing

def render(meeting: Meeting, names: dict[str, str]) -> str:
    """The minutes as markdown that any git host renders; `names` puts each attendee's name beside their id."""
    lines = [
        f"# {meeting.title}",
        "",
        f"- Date: {meeting.date.isoformat()}",
        f"- Duration: {format_hours(meeting.duration)} h",
        f"- Place: {meeting.place or '-'}",
        f"- Status: {meeting.status}",
        "",
        "## Attendees",
        "",
    ]
    lines += [f"- {a} ({names[a]})" if a in names else f"- {a}" for a in meeting.attendees] or [NONE]
    lines += ["", "## Notes", ""]
    lines += [f"- {note}" for note in meeting.notes] or [NONE]
    lines += ["", "## Decisions", ""]
    if not meeting.decisions:
        lines += [NONE, ""]
    for decision in meeting.decisions:
        lines += [f"### {decision.id}", "", f"> {decision.text}", ""]
        if decision.consensus:
            lines += ["- Vote: consensus"]
        else:
            lines += [f"- For: {decision.votes_for}", f"- Against: {decision.against}", f"- Abstain: {decision.abstain}"]
        lines += [f"- Outcome: {decision.outcome}", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


# ---------------------------------------------------------------- reading

def parse(text: str, slug: str) -> Meeting:
    """Minutes as coop writes them; anything else is named with its line, never guessed."""
    reader = _Lines(text, f"{FOLDER}/{slug}.md")
    title = reader.expect(r"# (.+)")[1]
    reader.blank()
    when = parse_date(reader.expect(r"- Date: (.+)")[1], "Date")
    duration = parse_hours(reader.expect(r"- Duration: ([0-9.]+) h")[1])
    place = reader.expect(r"- Place: (.+)")[1]
    status = reader.expect(r"- Status: (open|closed)")[1]
    reader.blank()
    reader.expect(r"## Attendees")
    reader.blank()
    attendees = tuple(check_member_id(m[1]) for m in reader.items(r"- ([a-z][a-z0-9_-]*)(?: \(.*\))?"))
    reader.expect(r"## Notes")
    reader.blank()
    notes = tuple(m[1] for m in reader.items(r"- (.+)"))
    reader.expect(r"## Decisions")
    reader.blank()
    decisions = []
    if reader.peek() == NONE:
        reader.next()
    while not reader.done():
        decision_id = reader.expect(r"### (D-[0-9]{4}-[0-9]{3,})")[1]
        reader.blank()
        decision_text = reader.expect(r"> (.+)")[1]
        reader.blank()
        if reader.peek() == "- Vote: consensus":
            reader.next()
            votes, consensus = (0, 0, 0), True
        else:
            votes = tuple(int(reader.expect(rf"- {label}: ([0-9]+)")[1]) for label in ("For", "Against", "Abstain"))
            consensus = False
        result = reader.expect(r"- Outcome: (adopted|rejected|no quorum)")[1]
        if not reader.done():
            reader.blank()
        decisions.append(Decision(decision_id, decision_text, *votes, consensus, result))
    meeting = Meeting(slug, title, when, duration, "" if place == "-" else place, status, attendees, notes, tuple(decisions))
    return meeting


class _Lines:
    def __init__(self, text: str, where: str):
        self.lines = text.split("\n")
        if self.lines and self.lines[-1] == "":
            self.lines.pop()
        self.at = 0
        self.where = where

    def done(self) -> bool:
        return self.at >= len(self.lines)

    def peek(self) -> str | None:
        return None if self.done() else self.lines[self.at]

    def next(self) -> str:
        line = self.lines[self.at]
        self.at += 1
        return line

    def fail(self, expected: str):
        line = self.peek()
        raise CoopError(
            _("{file}:{line}: expected {expected}, found {found!r}").format(
                file=self.where, line=self.at + 1, expected=expected, found=line if line is not None else _("the end")
            )
        )

    def expect(self, pattern: str) -> re.Match:
        line = self.peek()
        found = re.fullmatch(pattern, line) if line is not None else None
        if not found:
            self.fail(_readable(pattern))
        self.next()
        return found

    def blank(self) -> None:
        if self.peek() != "":
            self.fail(_("an empty line"))
        self.next()

    def items(self, pattern: str) -> list[re.Match]:
        """A list section: NONE or items, then an empty line."""
        if self.peek() == NONE:
            self.next()
            self.blank()
            return []
        found = []
        while self.peek() not in (None, ""):
            found.append(self.expect(pattern))
        self.blank()
        return found


def with_attendees(meeting: Meeting, members: list[str]) -> Meeting:
    return replace(meeting, attendees=meeting.attendees + tuple(m for m in dict.fromkeys(members) if m not in meeting.attendees))


def check_note(text: str) -> str:
    return check_text(text.strip(), _("the note"))


_PLACEHOLDERS = {"(.+)": "...", "([0-9.]+)": "N", "([0-9]+)": "N", "(D-[0-9]{4}-[0-9]{3,})": "D-YYYY-NNN"}


def _readable(pattern: str) -> str:
    """A line pattern as a person reads it in an error: `- Duration: N h`, `- Status: open|closed`."""
    for regex, shown in _PLACEHOLDERS.items():
        pattern = pattern.replace(regex, shown)
    return pattern.replace("(", "").replace(")", "").replace("\\", "")
