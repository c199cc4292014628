"""A pile of slips typed one field at a time: each field and each slip checked as `coop record` would check it,
and the whole pile kept as a draft in .git/coop, so that a session killed or interrupted loses nothing typed.

The terminal dialogue is `cli/guided.py`; the commit at the end is `book.record`, with every check made again.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields, replace
from functools import cached_property
from datetime import date, datetime
from decimal import Decimal

from coop_cli import book, checks
from coop_cli import charter as charter_format
from coop_cli.errors import CoopError
from coop_cli.i18n import _
from coop_cli.model import COOP_ACCOUNT, Entry, Exchange, Member, check_text, folded, parse_hours, party_account
from coop_cli.repo import Coop
from coop_cli.slips import read_day

FILE = "draft.json"  # in .git/coop: this copy's own, never committed
LOCK = "guided"  # .git/coop/guided.lock, held by the one guided session of a copy
VERSION = 1
FIELDS = ("payer", "earner", "hours", "description", "cat", "date")  # in the order they are asked
RECENT_JOURNALS = 12  # categories are offered from the newest months' journals (and the members' offers and wants)


@dataclass(frozen=True)
class Slip:
    """One slip as typed and accepted field by field: member ids, hours as written, an ISO date; "" until given."""

    payer: str = ""
    earner: str = ""
    hours: str = ""
    description: str = ""
    cat: str = ""
    date: str = ""

    def exchange(self) -> Exchange:
        return Exchange(self.payer, self.earner, self.hours, self.description, self.date or None, self.cat or None)

    @property
    def blank(self) -> bool:
        return self == Slip()


@dataclass
class Draft:
    """The state of a guided session, enough to take it up again exactly where it stopped.

    `slips` are complete and checked; `slip` is the one being typed, a new one or the correction of slip `number`;
    `field` is the field being typed and `text` what is typed in it so far.
    """

    slips: list[Slip] = field(default_factory=list)
    slip: Slip = Slip()
    number: int | None = None
    field: str = FIELDS[0]
    text: str = ""
    recorder: str = ""
    started: str = ""

    @property
    def position(self) -> int:
        """The index the slip being typed takes in the pile."""
        return len(self.slips) if self.number is None else self.number - 1

    @property
    def empty(self) -> bool:
        return not self.slips and self.slip.blank and not self.text

    def placed(self) -> list[Slip]:
        """The pile with the slip being typed in its place."""
        pile = list(self.slips)
        if self.number is None:
            return pile + [self.slip]
        pile[self.number - 1] = self.slip
        return pile

    def accept(self, name: str, value: str) -> None:
        self.slip = replace(self.slip, **{name: value})

    def place(self) -> None:
        """The slip being typed goes into the pile (a correction replaces its slip), and a new blank one begins."""
        self.slips = self.placed()
        self.drop()

    def drop(self) -> None:
        """Give up the slip being typed (a correction leaves its slip as it was)."""
        self.slip, self.number, self.field, self.text = Slip(), None, FIELDS[0], ""

    def correct(self, number: int) -> None:
        """Take slip `number` (1 is the first) up again, to be typed over."""
        self.slip, self.number, self.field, self.text = self.slips[number - 1], number, FIELDS[0], ""

    def remove(self, number: int) -> Slip:
        return self.slips.pop(number - 1)

    # ------------------------------------------------------------ the file

    def text_of(self) -> str:
        document = {
            "version": VERSION, "recorder": self.recorder, "started": self.started, "slips": [asdict(s) for s in self.slips],
            "slip": asdict(self.slip), "number": self.number, "field": self.field, "text": self.text,
        }
        return json.dumps(document, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_text(cls, text: str) -> "Draft":
        document = json.loads(text)
        if not isinstance(document, dict) or document.get("version") != VERSION:
            raise ValueError("not a version 1 draft")
        names = {f.name for f in fields(Slip)}

        def slip(value) -> Slip:
            if not isinstance(value, dict) or set(value) - names or not all(isinstance(v, str) for v in value.values()):
                raise ValueError("a slip is a mapping of its fields to text")
            return Slip(**value)

        number = document.get("number")
        slips = [slip(s) for s in document.get("slips", [])]
        if document.get("field") not in FIELDS or (number is not None and not (isinstance(number, int) and 1 <= number <= len(slips))):
            raise ValueError("the slip being typed is out of place")
        return cls(slips, slip(document.get("slip", {})), number, document["field"], str(document.get("text", "")),
                   str(document.get("recorder", "")), str(document.get("started", "")))


def load(coop: Coop) -> Draft | None:
    """The draft a guided session left in this copy, or None; one that cannot be read is refused, never dropped."""
    text = coop.read_own(FILE)
    if text is None:
        return None
    try:
        return Draft.from_text(text)
    except (ValueError, TypeError) as problem:
        where = coop.git_dir() / "coop" / FILE
        raise CoopError(
            _("the draft of a guided session, {file}, cannot be read ({problem}); move it away to start afresh").format(file=where, problem=problem)
        ) from None


def save(coop: Coop, draft: Draft, durable: bool = True) -> None:
    coop.write_own(FILE, draft.text_of(), durable)


def discard(coop: Coop) -> None:
    coop.remove_own(FILE)


# ---------------------------------------------------------------- the checks, as each field and slip is typed

class Pile:
    """What a session checks slips against: the charter, the register and the balances of the books when it began,
    and the member who records. Each slip is judged on the balances the slips before it leave, as `book.record`
    judges the rows of a batch."""

    def __init__(self, coop: Coop, recorder: Member, today: date, *, when: str | None = None, cat: str | None = None, allow_duplicates: bool = False,
                 new_cat: bool = False):
        self.coop, self.recorder, self.today, self.allow_duplicates, self.new_cat = coop, recorder, today, allow_duplicates, new_cat
        self.charter, self.register, self.balances = coop.charter(), coop.register(), coop.balances()
        self.first_date = self.read("date", when, Slip()) if when else today.isoformat()
        self.first_cat = self.read("cat", cat, Slip()) if cat else ""

    @classmethod
    def open(cls, coop: Coop, identity: book.Identity, today: date, **defaults) -> "Pile":
        """The pile of the member `identity` names, refused at once if they may not record (before anything is typed)."""
        register = coop.register()
        recorder = book.recorder_for(coop, identity, register, book.load_signer(coop, identity)).member
        problems = checks.recorder_problems(recorder, recorder.account, coop.charter())
        if problems:
            raise CoopError(problems[0])
        return cls(coop, recorder, today, **defaults)

    def prefill(self, draft: Draft, name: str) -> str:
        """What a field's prompt starts with: the slip's own value when it is typed over, else the date of the slip
        before it (or today) and the session's category."""
        value = getattr(draft.slip, name)
        if value:
            return value
        if name == "date":
            before = draft.slips[: draft.position]
            return before[-1].date if before else self.first_date
        return self.first_cat if name == "cat" else ""

    def read(self, name: str, text: str, slip: Slip, before: list[Slip] = ()) -> str:
        """The value a field keeps from what was typed in it, or a CoopError saying, in one sentence, what is wrong.

        Names are member ids (anything else is answered with the members it may mean); hours are checked against the
        charter's step, its max_exchange and the balance limits after the slips `before`; the date must not be ahead.
        """
        text = text.strip()
        if name in ("payer", "earner"):
            member_id = self.register.require_party(text)
            if name == "payer" and not checks.may_record(self.recorder, party_account(member_id), self.charter):
                raise CoopError(checks.recorder_problems(self.recorder, party_account(member_id), self.charter)[0])
            if name == "earner" and member_id == slip.payer:
                raise CoopError(_("the payer and the earner must be two different accounts"))
            return member_id
        if name == "hours":
            hours = parse_hours(text)
            balances = self.check(list(before))[1]
            problems = checks.amount_problems(hours, self.charter) or checks.limit_problems(
                party_account(slip.payer), party_account(slip.earner), hours, self.charter, balances)
            if problems:
                raise CoopError(problems[0])
            return text
        if name == "description":
            return check_text(text, _("the description"))
        if name == "cat":
            return charter_format.require_category(self.charter, text, self.new_cat) if text else ""
        day = read_day(text)
        if day > self.today:
            raise CoopError(_("the date {date} is in the future").format(date=day))
        return day.isoformat()

    def check(self, slips: list[Slip]) -> tuple[list[list[str]], dict[str, Decimal]]:
        """The problems of each slip, in order, as `coop record` would find them now; and the balances after the pile."""
        balances = dict(self.balances)
        entries: list[Entry] = []
        unread: dict[int, str] = {}
        for index, slip in enumerate(slips):
            try:
                unsigned = book.draft(book.named(slip.exchange(), self.register), self.today)
                entries.append(book.recorded_by(unsigned, self.recorder.id))
            except CoopError as problem:
                unread[index] = problem.message
        numbers = [index + 1 for index in range(len(slips)) if index not in unread]
        alike = {} if self.allow_duplicates else book.recorded_alike(self.coop, entries)
        same_as = None if self.allow_duplicates else (
            lambda index: _("the same exchange as slip {number} (if it happened twice, give --allow-duplicates)").format(number=numbers[index]))
        found = iter(book.check_in_order(entries, self.charter, self.register, balances, self.recorder, self.today, alike, same_as,
                                        checks.decided_on(self.coop.meetings)))
        return [[unread[index]] if index in unread else next(found) for index in range(len(slips))], balances

    # ------------------------------------------------------------ what completion offers

    def members_like(self, text: str) -> list[tuple[str, str]]:
        """(id, name) of the members `text` may be the start of (an id's, or a word of a name, without case or accents);
        when none, the ones it may be a typo of. The coop's own account too, as `coop`."""
        wanted = folded(text.strip())
        everyone = [(m.id, m.name, m.status) for m in self.register.members] + [(COOP_ACCOUNT, _("the coop account"), "active")]
        starting = [
            (member_id, name, status) for member_id, name, status in everyone
            if member_id.startswith(wanted) or any(word.startswith(wanted) for word in re.split(r"[\s'-]+", folded(name)))
        ]
        if not starting and wanted:
            starting = [(m.id, m.name, m.status) for m in self.register.similar(text)]
        starting.sort(key=lambda found: found[2] != "active")  # members who may take part first
        return [(member_id, name if status == "active" else f"{name} ({status})") for member_id, name, status in starting]

    @cached_property
    def categories(self) -> list[str]:
        """The charter's categories; a charter without a list: those of the newest months' exchanges and the members' offers
        and wants, each once, sorted."""
        if self.charter.categories:
            return sorted(self.charter.categories, key=lambda cat: (folded(cat), cat))
        found = {service.cat or service.text for member in self.register.members for service in (*member.offers, *member.wants)}
        for relative in self.coop.journal_files()[-RECENT_JOURNALS:]:
            found.update(re.findall(r"^    ; cat: (.+)$", self.coop.read(relative), re.MULTILINE))
        return sorted(found, key=lambda cat: (folded(cat), cat))

    def categories_like(self, text: str) -> list[str]:
        wanted = folded(text.strip())
        return [cat for cat in self.categories if any(word.startswith(wanted) for word in [folded(cat), *re.split(r"[\s'-]+", folded(cat))])]


def started_now() -> str:
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
