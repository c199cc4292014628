"""Meeting minutes as plain markdown under ledger/meetings/: parse and write, and judge decisions by the charter.

The text is canonical: writing what was read gives the same bytes, so an unchanged meeting never shows a diff.
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import replace
from datetime import date
from decimal import Decimal

from coop_cli.errors import BadInput, CoopError
from coop_cli.i18n import _
from coop_cli.model import Charter, Closing, Decision, Meeting, check_line, check_member_id, check_text, format_hours, parse_date, parse_hours

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


def decided_on(meetings: list[Meeting]) -> dict[str, date]:
    """Each adopted decision whose id names one decision only (two offline copies may number alike), with its meeting's date."""
    seen: dict[str, int] = {}
    for meeting in meetings:
        for decision in meeting.decisions:
            seen[decision.id] = seen.get(decision.id, 0) + 1
    return {d.id: m.date for m in meetings for d in m.decisions if d.outcome == "adopted" and seen[d.id] == 1}


def next_decision_id(year: int, meetings: list[Meeting]) -> str:
    """`D-YYYY-NNN`, one more than the highest of that year in the whole coop."""
    numbers = [int(m[2]) for meeting in meetings for d in meeting.decisions if (m := DECISION_ID.fullmatch(d.id)) and int(m[1]) == year]
    return f"D-{year}-{max(numbers, default=0) + 1:03d}"


# ---------------------------------------------------------------- the words of the minutes

# The minutes are written in the coop's language (the charter's `language`), with these words and no others: they are
# part of the file format, like the journal's tags, so every copy writes the same bytes whatever its locale or the
# version of its translations, and reads the minutes of every language, old and new.
WORDS = {
    "en": {
        ":": ":", "Date": "Date", "Duration": "Duration", "Place": "Place", "Status": "Status", "open": "open", "closed": "closed",
        "Attendees": "Attendees", "Notes": "Notes", "Decisions": "Decisions", "Vote": "Vote", "consensus": "consensus",
        "For": "For", "Against": "Against", "Abstain": "Abstain", "Outcome": "Outcome",
        "adopted": "adopted", "rejected": "rejected", "no quorum": "no quorum", NONE: NONE,
        "Closing": "Closing", "present": "- Present: {present} of {active} active members (quorum {quorum}: {met})",
        "met": "met", "not met": "not met", "credited": "- Credited {hours} h: {members}", "uncredited": "- Not credited: {members}",
        "nobody": "nobody",
    },
    "fr": {
        ":": " :", "Date": "Date", "Duration": "Durée", "Place": "Lieu", "Status": "Statut", "open": "ouverte", "closed": "close",
        "Attendees": "Présents", "Notes": "Notes", "Decisions": "Décisions", "Vote": "Vote", "consensus": "consensus",
        "For": "Pour", "Against": "Contre", "Abstain": "Abstention", "Outcome": "Résultat",
        "adopted": "adoptée", "rejected": "rejetée", "no quorum": "quorum non atteint", NONE: "_Rien pour l'instant._",
        "Closing": "Clôture", "present": "- Présents : {present} sur {active} membres actifs (quorum {quorum} : {met})",
        "met": "atteint", "not met": "non atteint", "credited": "- Crédités {hours} h : {members}", "uncredited": "- Non crédités : {members}",
        "nobody": "personne",
    },
}
LANGUAGES = tuple(WORDS)


def _field(language: str, label: str, value: str) -> str:
    words = WORDS[language]
    return f"- {words[label]}{words[':']} {value}"


def is_closed(text: str) -> bool:
    """Whether minutes say they are closed, read from their status line (the sixth) whatever their language.

    By position, not by searching the text: a note may say anything, and never closes a meeting.
    """
    lines = text.split("\n")
    return len(lines) > 5 and lines[5] in {_field(language, "Status", WORDS[language]["closed"]) for language in LANGUAGES}


# ---------------------------------------------------------------- writing

def render(meeting: Meeting, names: dict[str, str]) -> str:
    """The minutes as markdown that any git host renders, in their language; `names` puts each attendee's name beside their id."""
    language = meeting.language
    words = WORDS[language]
    lines = [
        f"# {meeting.title}",
        "",
        _field(language, "Date", meeting.date.isoformat()),
        _field(language, "Duration", f"{format_hours(meeting.duration)} h"),
        _field(language, "Place", meeting.place or "-"),
        _field(language, "Status", words[meeting.status]),
        "",
        f"## {words['Attendees']}",
        "",
    ]
    lines += [f"- {a} ({names[a]})" if a in names else f"- {a}" for a in meeting.attendees] or [words[NONE]]
    lines += ["", f"## {words['Notes']}", ""]
    lines += [f"- {note}" for note in meeting.notes] or [words[NONE]]
    lines += ["", f"## {words['Decisions']}", ""]
    if not meeting.decisions:
        lines += [words[NONE], ""]
    for decision in meeting.decisions:
        lines += [f"### {decision.id}", "", f"> {decision.text}", ""]
        if decision.consensus:
            lines += [_field(language, "Vote", words["consensus"])]
        else:
            lines += [_field(language, label, str(n)) for label, n in (("For", decision.votes_for), ("Against", decision.against), ("Abstain", decision.abstain))]
        lines += [_field(language, "Outcome", words[decision.outcome]), ""]
    if meeting.closing is not None:
        lines += [f"## {words['Closing']}", ""] + _closing_lines(meeting.closing, language)
    return "\n".join(lines).rstrip("\n") + "\n"


def _closing_lines(closing: Closing, language: str) -> list[str]:
    words = WORDS[language]
    listed = lambda members: ", ".join(members) or words["nobody"]  # noqa: E731
    return [
        words["present"].format(present=closing.present, active=closing.active, quorum=closing.quorum, met=words["met" if closing.met else "not met"]),
        words["credited"].format(hours=format_hours(closing.hours), members=listed(closing.credited)),
        words["uncredited"].format(members=listed(closing.uncredited)),
    ]


def closing_for(meeting: Meeting, charter: Charter, active_members: int, credited: list[str]) -> Closing:
    """What the closing writes: the attendees against the active members and the quorum, and who earned the credit."""
    present = len(meeting.attendees)
    met = active_members > 0 and Decimal(present) / Decimal(active_members) >= charter.quorum
    uncredited = tuple(a for a in meeting.attendees if a not in credited)
    return Closing(present, active_members, charter.quorum, met, meeting.duration, tuple(a for a in meeting.attendees if a in credited), uncredited)


# ---------------------------------------------------------------- reading

def parse(text: str, slug: str) -> Meeting:
    """Minutes as coop writes them, in any of its languages; anything else is named with its line, never guessed."""
    reader = _Lines(text, f"{FOLDER}/{slug}.md")
    title = reader.expect(r"# (.+)")[1]
    reader.blank()
    language = next((lang for lang in LANGUAGES if (reader.peek() or "").startswith(_field(lang, "Date", ""))), "en")
    words = WORDS[language]
    field = lambda label, value: re.escape(_field(language, label, "")) + value  # noqa: E731
    choice = lambda *keys: "(" + "|".join(re.escape(words[k]) for k in keys) + ")"  # noqa: E731
    meaning = {words[k]: k for k in ("open", "closed", "adopted", "rejected", "no quorum")}
    when = parse_date(reader.expect(field("Date", "(.+)"))[1], "Date")
    duration = parse_hours(reader.expect(field("Duration", r"([0-9.]+) h"))[1])
    place = reader.expect(field("Place", "(.+)"))[1]
    status = meaning[reader.expect(field("Status", choice("open", "closed")))[1]]
    reader.blank()
    reader.expect(re.escape(f"## {words['Attendees']}"))
    reader.blank()
    attendees = tuple(check_member_id(m[1]) for m in reader.items(r"- ([a-z][a-z0-9_-]*)(?: \(.*\))?", words[NONE]))
    reader.expect(re.escape(f"## {words['Notes']}"))
    reader.blank()
    notes = tuple(m[1] for m in reader.items(r"- (.+)", words[NONE]))
    reader.expect(re.escape(f"## {words['Decisions']}"))
    reader.blank()
    closing_heading = f"## {words['Closing']}"
    decisions = []
    if reader.peek() == words[NONE]:
        reader.next()
        if not reader.done():
            reader.blank()
    while not reader.done() and reader.peek() != closing_heading:
        decision_id = reader.expect(r"### (D-[0-9]{4}-[0-9]{3,})")[1]
        reader.blank()
        decision_text = reader.expect(r"> (.+)")[1]
        reader.blank()
        if reader.peek() == _field(language, "Vote", words["consensus"]):
            reader.next()
            votes, consensus = (0, 0, 0), True
        else:
            votes = tuple(int(reader.expect(field(label, "([0-9]+)"))[1]) for label in ("For", "Against", "Abstain"))
            consensus = False
        result = meaning[reader.expect(field("Outcome", choice("adopted", "rejected", "no quorum")))[1]]
        if not reader.done():
            reader.blank()
        decisions.append(Decision(decision_id, decision_text, *votes, consensus, result))
    closing = None
    if not reader.done():
        reader.expect(re.escape(closing_heading))
        reader.blank()
        closing = _read_closing(reader, language)
        if not reader.done():
            reader.fail(_("the end of the minutes"))
    return Meeting(slug, title, when, duration, "" if place == "-" else place, status, attendees, notes, tuple(decisions), closing, language)


def _read_closing(reader: "_Lines", language: str) -> Closing:
    words = WORDS[language]
    met = "|".join(re.escape(words[k]) for k in ("met", "not met"))
    present = reader.expect(_line_pattern(words["present"], present="[0-9]+", active="[0-9]+", quorum=r"[0-9]+(?:\.[0-9]+)?", met=met))
    credited = reader.expect(_line_pattern(words["credited"], hours=r"[0-9]+\.[0-9]{2}", members=".+"))
    uncredited = reader.expect(_line_pattern(words["uncredited"], members=".+"))
    members = lambda text: () if text == words["nobody"] else tuple(check_member_id(m) for m in text.split(", "))  # noqa: E731
    return Closing(int(present[1]), int(present[2]), Decimal(present[3]), present[4] == words["met"], Decimal(credited[1]),
                   members(credited[2]), members(uncredited[1]))


def _line_pattern(template: str, **groups: str) -> str:
    """A line's template as a regular expression: its text as it is, each {field} the group given for it."""
    return "".join(re.escape(text) + (f"({groups[name]})" if name else "") for text, name, _spec, _conversion in string.Formatter().parse(template))


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

    def items(self, pattern: str, none: str) -> list[re.Match]:
        """A list section: the empty-section line or items, then an empty line."""
        if self.peek() == none:
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


MAX_NOTE = 500
# What markdown reads at the start of a line as something else than text: a heading, a quotation, a list item, a code
# fence (which would swallow the rest of the minutes), HTML.
_BLOCK_START = re.compile(r"#|>|[-*+](?:\s|$)|[0-9]{1,9}[.)](?:\s|$)|```|~~~|<", re.ASCII)


def check_note(text: str) -> str:
    """A note is one line of the minutes' notes, markdown and all; refused only if it would change the minutes' structure.

    It must stay one line, and must not start a heading, a list, a quotation, a code block or HTML, nor read as one of
    the minutes' own lines (`Status: closed`, in any language). `;`, `**bold**` and the rest are the secretary's to write.
    """
    text = check_line(text.strip(), _("the note"), MAX_NOTE)
    start = _BLOCK_START.match(text)
    if start:
        raise BadInput(_("the note must not start with {start!r}: markdown would read it as a heading, a list, a quotation, a code "
                         "block or HTML, not as a note").format(start=start[0].strip()))
    labels = {WORDS[language][label] for language in LANGUAGES for label in _LABELS}
    label = re.match(r"([^:]+?)\s*:", text)
    if label and label[1] in labels:
        raise BadInput(_("the note must not start with {label!r}, which reads as a line of the minutes' own").format(label=label[0]))
    return text


_LABELS = ("Date", "Duration", "Place", "Status", "Vote", "For", "Against", "Abstain", "Outcome")


# ---------------------------------------------------------------- joining two copies' minutes

def join(base: str | None, ours: str, theirs: str, path: str) -> str:
    """Minutes changed apart in two copies, joined as journals are; raises CoopError, saying why, when they cannot be.

    Each side's change since the merge base `base` (None: the meeting was opened on both sides) is kept: the attendees of
    both (ours, then theirs' new ones), the notes of both (ours, then the notes theirs added), the decisions of both
    (ours, then the ones theirs added, each id naming one decision). Minutes closed on one side and changed on the other,
    or whose heading differs, cannot be joined. The attendees keep the names each side wrote beside them.
    """
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    slug = path.rsplit("/", 1)[-1].removesuffix(".md")
    mine, other = parse(ours, slug), parse(theirs, slug)
    start = parse(base, slug) if base is not None else replace(mine, status="open", attendees=(), notes=(), decisions=(), closing=None)
    heading = lambda m: (m.title, m.date, m.duration, m.place, m.language)  # noqa: E731
    if not heading(start) == heading(mine) == heading(other):
        raise CoopError(_("{file}: the heading of the minutes (title, date, duration, place) differs between the two copies").format(file=path))
    if "closed" in (start.status, mine.status, other.status):
        raise CoopError(_("{file}: the meeting was closed in one copy while the other changed its minutes; closed minutes take "
                          "nothing more").format(file=path))
    for side in (mine, other):
        if not (set(start.attendees) <= set(side.attendees) and side.notes[: len(start.notes)] == start.notes
                and side.decisions[: len(start.decisions)] == start.decisions):
            raise CoopError(_("{file}: one copy took something out of the minutes; open minutes only grow").format(file=path))
    decided = {d.id: d for d in mine.decisions}
    added = other.decisions[len(start.decisions):]
    for decision in added:
        if decision.id in decided and decided[decision.id] != decision:
            raise CoopError(_("{file}: {id} names two different decisions, one taken in each copy").format(file=path, id=decision.id))
    joined = replace(
        mine,
        attendees=mine.attendees + tuple(a for a in other.attendees if a not in mine.attendees),
        notes=mine.notes + other.notes[len(start.notes):],
        decisions=mine.decisions + tuple(d for d in added if d.id not in decided),
    )
    return render(joined, {**_names_in(theirs), **_names_in(ours)})


def _names_in(text: str) -> dict[str, str]:
    """The names written beside the attendees' ids: the list that begins on the tenth line, up to an empty line."""
    names = {}
    for line in text.split("\n")[9:]:
        if not line:
            break
        found = re.fullmatch(r"- ([a-z][a-z0-9_-]*) \((.*)\)", line)
        if found:
            names[found[1]] = found[2]
    return names


_PLACEHOLDERS = {"(.+)": "...", "([0-9.]+)": "N", "([0-9]+)": "N", "(D-[0-9]{4}-[0-9]{3,})": "D-YYYY-NNN"}


def _readable(pattern: str) -> str:
    """A line pattern as a person reads it in an error: `- Duration: N h`, `- Status: open|closed`."""
    for regex, shown in _PLACEHOLDERS.items():
        pattern = pattern.replace(regex, shown)
    return pattern.replace("(", "").replace(")", "").replace("\\", "")
