"""The rules of the trust model (SPEC, "Trust model"), each a small function judging one change against the state it changes.

Each returns its findings as values; verify.py's replay only orders the work, keeps the states and says which commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Callable

from coop_cli import checks
from coop_cli import charter as charter_format
from coop_cli import meetings as meetings_format
from coop_cli import members as members_format
from coop_cli import needs as needs_format
from coop_cli.errors import CoopError
from coop_cli.i18n import _
from coop_cli.journal import unbalanced_message
from coop_cli.members import Register
from coop_cli.model import COOP_ACCOUNT, Charter, Entry, Meeting, Member, Need, account_member, format_hours

CLOCK_SKEW = 3600  # seconds: how far a commit may seem older than its ancestors, or newer than now
LEDGER = "ledger"
GITATTRIBUTES = ".gitattributes"
RULES_FILES = (charter_format.FILE, members_format.FILE, GITATTRIBUTES, needs_format.FILE)
KEEP_FILE = f"{LEDGER}/meetings/.gitkeep"  # what `coop init` writes so the folder exists: empty, nothing else
EMPTY_BLOB = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
REGULAR = "100644"
JOURNAL_NAME = re.compile(r"ledger/[0-9]{4}-(?:0[1-9]|1[0-2])\.journal", re.ASCII)
MINUTES_NAME = re.compile(r"ledger/meetings/" + meetings_format.SLUG.pattern + r"\.md", re.ASCII)
DECISION_LINE = re.compile(r"^Decision: (D-[0-9]{4}-[0-9]{3,})$", re.MULTILINE | re.ASCII)


@dataclass(frozen=True)
class Finding:
    """One problem in the books: a plain sentence, and where an auditor can see it for themselves."""

    message: str
    commit: str | None = None
    where: str | None = None
    entry: str | None = None

    def __str__(self) -> str:
        place = " ".join(p for p in (self.where, f"commit {self.commit[:10]}" if self.commit else None) if p)
        return f"{place}: {self.message}" if place else self.message


# ---------------------------------------------------------------- the shape of the history and of the books

def extra_root(commit: str) -> list[Finding]:
    """An honest history grows from one first commit: another commit without parents is another history merged in."""
    return [Finding(_("the commit {id} has no parent: it begins another history, which was merged into the books").format(id=commit[:10]))]


def book_path_allowed(path: str, mode: str, blob: str) -> bool:
    """The books are a fixed set of regular files: the rules files, the needs, month journals, minutes, and init's empty keep file."""
    if mode != REGULAR:
        return False
    if path in RULES_FILES or JOURNAL_NAME.fullmatch(path) or MINUTES_NAME.fullmatch(path):
        return True
    return path == KEEP_FILE and blob == EMPTY_BLOB


def shape(tree: dict[str, tuple[str, str]], changed: set[str]) -> list[Finding]:
    """Every book path this commit adds or changes is a regular file with a name the books may hold."""
    found = []
    for path in sorted(changed):
        if path not in tree:
            continue
        mode, blob = tree[path]
        if not book_path_allowed(path, mode, blob):
            what = _kind_of(mode)
            found.append(Finding(_("{file} is {what}, which the books may not hold (only regular files: charter.md, members.yaml, "
                                   ".gitattributes, ledger/needs.yaml, ledger/YYYY-MM.journal and ledger/meetings/YYYY-MM-DD-slug.md)").format(
                file=path, what=what), where=path))
    return found


def _kind_of(mode: str) -> str:
    return {
        "120000": _("a symbolic link"), "160000": _("a submodule"), "40000": _("a folder"), "100755": _("an executable file"),
    }.get(mode, _("a file with a name outside the books"))


def books_present(files: dict[str, str]) -> list[Finding]:
    """charter.md and members.yaml exist in every commit of the books after the first."""
    return [Finding(_("{file} was deleted; the books cannot go on without it").format(file=path), where=path)
            for path in (charter_format.FILE, members_format.FILE) if path not in files]


# ---------------------------------------------------------------- time

def commit_time(time: int, latest: int, now: float) -> list[Finding]:
    """No older than the latest commit among its ancestors, nor newer than now, each by more than the clock skew."""
    found = []
    if time + CLOCK_SKEW < latest:
        found.append(Finding(_("the commit is dated {date}, before {latest}, the latest of its ancestors: it was backdated").format(
            date=when(time), latest=when(latest))))
    if time > now + CLOCK_SKEW:
        found.append(Finding(_("the commit is dated {date}, in the future").format(date=when(time))))
    return found


def commit_day(time: int, offset: str) -> date:
    """The commit's calendar day where it was made (its own time zone), the latest day an entry it adds may carry."""
    try:
        sign = -1 if offset.startswith("-") else 1
        zone = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
    except (ValueError, IndexError):
        zone = timezone.utc
    return datetime.fromtimestamp(time, zone).date()


def when(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


# ---------------------------------------------------------------- authority

def manages(signer: Member | None, register: Register) -> bool:
    """The commit's signer is an active treasurer or secretary of `register` (the parent's)."""
    return signer is not None and any(m.id == signer.id and m.manages for m in register.members)


def cited_decisions(message: str) -> list[str]:
    """The decisions a commit cites for a change to the charter: `Decision: D-YYYY-NNN` lines of its message."""
    return DECISION_LINE.findall(message)


def adopted_decisions(meetings: list[Meeting]) -> set[str]:
    """Decisions adopted in these minutes whose id names one decision only (two offline copies may number alike)."""
    return set(meetings_format.decided_on(meetings))


def is_bootstrap(before: Register, after: Register, signer: Member | None) -> bool:
    """The one change judged by the register it creates: the founder, a treasurer or secretary, registering themselves."""
    return (
        not before.members and not before.groups and len(after.members) == 1 and not after.groups
        and after.members[0].manages and after.members[0].status == "active" and not after.members[0].decisions
        and signer is not None and signer.id == after.members[0].id
    )


def register_change(before: Register, after: Register, signer: Member | None, adopted: set[str], same_keys: Callable[[str, str], bool],
                    cited: list[str] | tuple[str, ...] = ()) -> list[Finding]:
    """members.yaml changed in a commit of one parent: by an officer of the parent register, citing decisions where needed.

    A member may add a key of their own, and change their own offers and wants; status and roles change only citing a
    decision adopted in the parent state, and a status change keeps the status it ends in `history`; members are never
    removed; groups are set up by an adopted decision, and removed or renamed only by a commit that cites one (`cited`:
    its `Decision:` lines).
    """
    if before.text == after.text or is_bootstrap(before, after, signer):
        return []  # every byte counts: a comment or a duplicated key is a change only an officer signs
    if signer is not None and (adds_own_key(before, after, signer.id, same_keys) or changes_own_services(before, after, signer.id)):
        return []
    if not manages(signer, before):
        return [Finding(_("{file} was changed by a commit that no treasurer or secretary signed").format(file=members_format.FILE), where=members_format.FILE)]
    found = []
    for old in before.members:
        if after.get(old.id) is None:
            found.append(Finding(_("{id} was removed from the register; members are never removed, they leave").format(id=old.id), where=members_format.FILE))
    for member in after.members:
        old = before.get(member.id)
        if old is not None and (old.id, old.since) != (member.id, member.since):
            found.append(Finding(_("{id}'s date of joining was changed").format(id=member.id), where=members_format.FILE))
        if not _change_cites_decision(old, member, adopted):
            found.append(Finding(
                _("{id}'s status or roles changed without citing an adopted decision of the minutes").format(id=member.id), where=members_format.FILE))
    for group in after.groups:
        old_group = next((g for g in before.groups if g.name == group.name), None)
        if old_group is None and group.decision not in adopted:
            found.append(Finding(_("the group {name} was set up without an adopted decision").format(name=group.name), where=members_format.FILE))
        elif old_group is not None and old_group.decision != group.decision:
            found.append(Finding(_("the decision that set up the group {name} was changed").format(name=group.name), where=members_format.FILE))
    for group in before.groups:
        if all(g.name != group.name for g in after.groups) and not set(cited) & adopted:
            found.append(Finding(_("the group {name} was removed or renamed without citing an adopted decision (a line 'Decision: D-YYYY-NNN' "
                                   "in the commit message)").format(name=group.name), where=members_format.FILE))
    return found


def _change_cites_decision(old: Member | None, new: Member, adopted: set[str]) -> bool:
    """A new member with roles, another status than active, or a changed status or roles, cites new adopted decisions."""
    if old is None:
        plain = not new.roles and new.status == "active"
        return not new.history and (plain and not new.decisions or bool(new.decisions) and set(new.decisions) <= adopted)
    if (old.status, old.roles) == (new.status, new.roles):
        return (new.decisions, new.history) == (old.decisions, old.history)
    cited = new.decisions[len(old.decisions):]  # coop appends the decision, even one cited before
    if not (new.decisions[: len(old.decisions)] == old.decisions and bool(cited) and set(cited) <= adopted):
        return False
    return new.history == history_after(old, new.status, cited[-1]) or old.status == "active" and not old.history and not new.history


def history_after(old: Member, status: str, decision: str) -> tuple[str, ...]:
    """A member's `history` after `decision` changed their status: the status it ended is kept, with that decision.

    A register from before `history` may take an active member's status away without it: `checks.status_on` then reads
    the member as active before the last decision they cite, which is what the item would have said.
    """
    return old.history + (f"{old.status} until {decision}",) if status != old.status else old.history


def adds_own_key(before: Register, after: Register, signer: str, same_keys: Callable[[str, str], bool]) -> bool:
    """The one register change a member may sign without a role: an active member adding a key of their own, nobody's yet."""
    mine, now = before.get(signer), after.get(signer)
    if mine is None or now is None or not mine.active or after.groups != before.groups or len(after.members) != len(before.members):
        return False
    added = now.keys[len(mine.keys):]
    if not added or now.keys[: len(mine.keys)] != mine.keys or replace(now, keys=()) != replace(mine, keys=()):
        return False
    if any(same_keys(new, old) for new in added for m in before.members for old in m.keys):
        return False  # a key already registered, to them or to anyone else
    return all(new == old for old, new in zip(before.members, after.members) if old.id != signer)


def changes_own_services(before: Register, after: Register, signer: str) -> bool:
    """The other register change a member may sign without a role: an active member changing their own offers and wants,
    and nothing else of anyone's."""
    mine, now = before.get(signer), after.get(signer)
    if mine is None or now is None or not mine.active or after.groups != before.groups or len(after.members) != len(before.members):
        return False
    if (now.offers, now.wants) == (mine.offers, mine.wants) or replace(now, offers=(), wants=()) != replace(mine, offers=(), wants=()):
        return False  # a change of nothing but comments is an officer's to sign, as every byte of the register is
    return all(new == old for old, new in zip(before.members, after.members) if old.id != signer)


def charter_change(before: Charter | None, after: Charter | None, signer_manages: bool, cited: list[str], adopted: set[str], has_entries: bool) -> list[Finding]:
    """charter.md changed in a commit of one parent: by an officer; a change to its rules cites an adopted decision."""
    where = charter_format.FILE
    if not signer_manages:
        return [Finding(_("{file} was changed by a commit that no treasurer or secretary signed").format(file=where), where=where)]
    if after is None or before is None:
        return []  # an unreadable charter is its own finding
    found = []
    if before != after and not set(cited) & adopted:
        found.append(Finding(_("the charter's rules were changed without citing an adopted decision (a line 'Decision: D-YYYY-NNN' in the commit message)"), where=where))
    if before.unit != after.unit and has_entries:
        found.append(Finding(_("the charter's unit was changed after entries were recorded in {unit}").format(unit=before.unit), where=where))
    return found


def needs_change(before: tuple[Need, ...] | None, after: tuple[Need, ...] | None, signer_manages: bool, adopted: set[str],
                 cited: list[str]) -> list[Finding]:
    """ledger/needs.yaml changed in a commit of one parent: by an officer; a need placed or moved carries, as its `decision`,
    a decision adopted in the parent's minutes other than the one it carried before; a need removed, by a commit citing
    one in a `Decision:` line (a removed need leaves nothing to cite it in, as a removed group does)."""
    where = needs_format.FILE
    if not signer_manages:
        return [Finding(_("{file} was changed by a commit that no treasurer or secretary signed").format(file=where), where=where)]
    if before is None or after is None:
        return []  # needs that cannot be read are their own finding
    found = []
    placed = {need.name: need for need in before}
    for need in after:
        was = placed.get(need.name)
        if need != was and (need.decision not in adopted or was is not None and need.decision == was.decision):
            found.append(Finding(_("the need {name} was placed without citing a new adopted decision of the minutes").format(name=need.name), where=where))
    for need in before:
        if all(n.name != need.name for n in after) and not set(cited) & adopted:
            found.append(Finding(_("the need {name} was removed without citing an adopted decision (a line 'Decision: D-YYYY-NNN' "
                                   "in the commit message)").format(name=need.name), where=where))
    return found


def officer_file_change(path: str, signer_manages: bool) -> list[Finding]:
    """.gitattributes (and any rules file) changes only in a commit an officer signed."""
    if signer_manages:
        return []
    return [Finding(_("{file} was changed by a commit that no treasurer or secretary signed").format(file=path), where=path)]


# ---------------------------------------------------------------- minutes

def minutes_change(path: str, old_text: str | None, new_text: str | None, old: Meeting | None, new: Meeting | None, signer_manages: bool) -> list[Finding]:
    """Minutes in a commit of one parent: written by an officer, never deleted, closed ones never changed, open ones only grow."""
    if new_text is None:
        return [Finding(_("{file} was deleted; minutes are kept for good").format(file=path), where=path)]
    if old_text is not None and meetings_format.is_closed(old_text):
        return [Finding(_("{file} was changed after the meeting was closed").format(file=path), where=path)]
    found = []
    if not signer_manages:
        found.append(Finding(_("{file} was changed by a commit that no treasurer or secretary signed").format(file=path), where=path))
    if old is not None and new is not None and not grows(old, new):
        found.append(Finding(_("{file}: open minutes may only gain attendees, notes and decisions").format(file=path), where=path))
    return found


def grows(old: Meeting, new: Meeting) -> bool:
    """Open minutes keep their heading, attendees, notes and decisions, and may add to each."""
    heading = (old.title, old.date, old.duration, old.place)
    return (
        heading == (new.title, new.date, new.duration, new.place)
        and set(old.attendees) <= set(new.attendees)
        and new.notes[: len(old.notes)] == old.notes
        and new.decisions[: len(old.decisions)] == old.decisions
    )


def decisions_follow_votes(path: str, old: Meeting | None, new: Meeting, charter: Charter, register: Register) -> list[Finding]:
    """Each decision new here carries the outcome its vote gives under the parent's charter and register."""
    active = sum(1 for m in register.members if m.active)
    known = {d.id for d in old.decisions} if old else set()
    found = []
    for decision in (d for d in new.decisions if d.id not in known):
        due = meetings_format.outcome(charter, len(new.attendees), active, decision.votes_for, decision.against, decision.abstain, decision.consensus)
        if decision.outcome != due:
            found.append(Finding(_("{file}: the decision {id} is written {written}, but its vote gives {due}").format(
                file=path, id=decision.id, written=decision.outcome, due=due), where=path))
    return found


def closing_follows(path: str, meeting: Meeting, charter: Charter, register: Register, credited: list[str]) -> list[Finding]:
    """What a closing writes in the minutes is what it did: the attendees against the parent's active members and quorum,
    and who earned the meeting credit in the closing commit (`credited`). Minutes closed before this summary have none."""
    if meeting.closing is None:
        return []
    active = sum(1 for m in register.members if m.active)
    if meeting.closing != meetings_format.closing_for(meeting, charter, active, credited):
        return [Finding(_("{file}: the closing's summary (quorum, credited, not credited) is not what the closing did").format(file=path), where=path)]
    return []


def closed_here(old: Meeting | None, new: Meeting | None) -> bool:
    """The change that closes a meeting: open minutes in the parent, closed ones here."""
    return old is not None and new is not None and old.status == "open" and new.status == "closed"


# ---------------------------------------------------------------- entries

def appended(old: str, new: str) -> bool:
    """Journals are only appended to: the committed text is a prefix of the new one."""
    return new.startswith(old)


def first_difference(old: str, new: str) -> int:
    for number, (a, b) in enumerate(zip(old.split("\n"), new.split("\n")), start=1):
        if a != b:
            return number
    return min(old.count("\n"), new.count("\n")) + 1


def entry_rules(entry: Entry, path: str, charter: Charter, register: Register, balances: dict[str, Decimal],
                known: Callable[[str], bool], reversed_ids: set[str], day: date,
                decided_on: checks.DecidedOn = checks.UNKNOWN, closing: Meeting | None = None) -> list[str]:
    """Every rule a new entry meets, under the parent's charter and register, with the parent's balances.

    Each party's status is judged at the entry's date, by the parent's decisions (`decided_on`); `closing` is the
    meeting this commit closes that the entry credits, if it is the first credit of that attendee here: an officer
    may sign it (and only that).
    """
    problems = []
    if not entry.id:
        problems.append(_("an entry has no id"))
    elif known(entry.id):
        return [_("the id {id} appears twice: an entry was replayed").format(id=entry.id)]
    if path != f"{LEDGER}/{entry.date:%Y-%m}.journal":
        problems.append(_("the entry dated {date} is not in the file of its month").format(date=entry.date))
    if entry.date > day:
        problems.append(_("the entry is dated {date}, after the commit that added it ({day})").format(date=entry.date, day=day))
    if entry.imbalance != 0:
        problems.append(unbalanced_message(entry.imbalance))
    recorder = register.get(entry.recorder or "")
    if recorder is None:
        problems.append(_("the entry was recorded by {id!r}, who is not in the register of that commit").format(id=entry.recorder))
    elif not entry.sig:
        problems.append(_("the entry is not signed"))
    if len(entry.postings) != 2:
        problems.append(_("an entry must have two postings, the payer's and the earner's"))
    elif recorder is not None and entry.imbalance == 0:
        problems += checks.entry_problems(entry, charter, register, balances, recorder, day, decided_on, closing)
    reverses = entry.tag("reverses")
    if reverses and (not known(reverses) or reverses in reversed_ids):
        problems.append(_("the entry reverses {id}, which does not exist or was already reversed").format(id=reverses))
    return problems


def beyond_limits(balances: dict[str, Decimal], charter: Charter) -> list[tuple[str, Decimal]]:
    """Members whose balance is past a limit of the charter: after concurrent offline entries, to settle, not a forgery."""
    return [(account_member(account) or account, amount) for account, amount in sorted(balances.items())
            if account != COOP_ACCOUNT and (amount < charter.min_balance or amount > charter.max_balance)]


def settle_message(member: str, balance: Decimal, charter: Charter) -> str:
    limit = charter.min_balance if balance < charter.min_balance else charter.max_balance
    return _("{id}'s balance is {balance} h, past the charter's limit of {limit} h, after entries recorded apart; to settle").format(
        id=member, balance=format_hours(balance), limit=limit)


def sums_to_zero(balances: dict[str, Decimal]) -> list[Finding]:
    total = sum(balances.values(), Decimal(0))
    return [] if total == 0 else [Finding(_("the balances sum to {total}, not zero").format(total=total))]


# ---------------------------------------------------------------- merges

CONFLICT = object()


def join(base, ours, theirs):
    """What joining two sides gives for one value: a side's change since the base, or CONFLICT when both changed it apart."""
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    return CONFLICT


def file_join(path: str, base: str | None, ours: str | None, theirs: str | None, merged: str | None) -> list[Finding]:
    """A merge takes each file as joining gives it: a change of either side kept, nothing undone, nothing of its own."""
    expected = join(base, ours, theirs)
    if expected is CONFLICT:
        return [Finding(_("{file} was changed on both sides of the merge; a merge cannot join them: settle it at a meeting, "
                          "then record the result in a commit of its own").format(file=path), where=path)]
    if merged != expected:
        return [Finding(_("{file} in the merge is not what joining its parents gives: it undoes a change of one side or adds its own").format(file=path), where=path)]
    return []


def minutes_join(path: str, base: str | None, ours: str | None, theirs: str | None, merged: str | None) -> list[Finding]:
    """Minutes in a merge: what joining both sides' changes gives (meetings.join: attendees, notes and decisions of both)."""
    if ours is None or theirs is None or join(base, ours, theirs) is not CONFLICT:
        return file_join(path, base, ours, theirs, merged)
    try:
        expected = meetings_format.join(base, ours, theirs, path)
    except CoopError as conflict:
        return [Finding(_("{problem}: a merge cannot join them; settle it at a meeting").format(problem=conflict.message), where=path)]
    if merged != expected:
        return [Finding(_("{file} in the merge is not what joining its parents gives: it undoes a change of one side or adds its own").format(file=path), where=path)]
    return []


def register_join(base: Register, ours: Register, theirs: Register, merged: Register) -> list[Finding]:
    """members.yaml in a merge: each member and group as joining both sides' changes gives, nothing else."""
    found = []
    for get in (lambda r: {m.id: m for m in r.members}, lambda r: {g.name: g for g in r.groups}):
        b, o, t, m = get(base), get(ours), get(theirs), get(merged)
        for name in sorted(set(b) | set(o) | set(t) | set(m)):
            expected = join(b.get(name), o.get(name), t.get(name))
            if expected is CONFLICT:
                found.append(Finding(_("{name} was changed on both sides of the merge in {file}; a merge cannot join them: settle it "
                                       "at a meeting").format(name=name, file=members_format.FILE), where=members_format.FILE))
            elif m.get(name) != expected:
                found.append(Finding(_("{name} in {file} is not what joining the merge's parents gives: it undoes a change of one side "
                                       "or adds its own").format(name=name, file=members_format.FILE), where=members_format.FILE))
    return found
