"""The audit: walk the history of the books commit by commit and judge every change against the rules in force.

Problems are collected as values (what, where, which commit, which entry); nothing here trusts coop's own records.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from functools import lru_cache
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Callable

from coop_cli import charter as charter_format
from coop_cli import checks, reports
from coop_cli import meetings as meetings_format
from coop_cli import members as members_format
from coop_cli.errors import CoopError, SigningError
from coop_cli.i18n import _
from coop_cli.journal import parse_journal, signed_bytes, unbalanced_message
from coop_cli.members import Register
from coop_cli.model import Charter, Entry, Meeting, Member
from coop_cli.repo import LEDGER, Commit, Coop, Objects, git, parse_commit

CLOCK_SKEW = 3600  # seconds a commit may seem older than its parent before it counts as backdated
STATE_FILE = "verified.sqlite"
MINUTES = f"{LEDGER}/meetings/"
CLOSED = "\n- Status: closed\n"
AUDIT_TAGS = "refs/tags/audit/"


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


@dataclass(frozen=True)
class Recorded:
    """An entry as it entered the history: the commit that added it and whether its signature holds."""

    entry: Entry
    commit: str
    time: int
    signed_by: str | None  # the member whose registered key made the signature, None if it does not verify


class Ids:
    """Entry id -> digest of its text: what a saved verification holds (SQLite, read only as needed) under what this run adds.

    Copying one (at a branch of the history) copies only what this run added, never the saved million.
    """

    def __init__(self, base: sqlite3.Connection | None = None, base_count: int = 0, layer: dict[str, str] | None = None):
        self.base, self.base_count, self.layer = base, base_count, layer if layer is not None else {}

    def get(self, entry_id: str) -> str | None:
        found = self.layer.get(entry_id)
        if found is None and self.base is not None:
            row = self.base.execute("SELECT digest FROM ids WHERE id = ?", (entry_id,)).fetchone()
            found = row[0] if row else None
        return found

    def __contains__(self, entry_id: str) -> bool:
        return self.get(entry_id) is not None

    def __getitem__(self, entry_id: str) -> str:
        found = self.get(entry_id)
        if found is None:
            raise KeyError(entry_id)
        return found

    def __setitem__(self, entry_id: str, value: str) -> None:
        self.layer[entry_id] = value

    def __len__(self) -> int:
        return self.base_count + len(self.layer)

    def copy(self) -> "Ids":
        return Ids(self.base, self.base_count, dict(self.layer))


@dataclass
class Books:
    """The books as of one commit: which entry ids exist (with a digest of their text) and the balances."""

    ids: Ids = field(default_factory=Ids)
    balances: dict[str, Decimal] = field(default_factory=dict)
    reversed: set[str] = field(default_factory=set)
    hours: Decimal = Decimal(0)

    def copy(self) -> "Books":
        return Books(self.ids.copy(), dict(self.balances), set(self.reversed), self.hours)

    def add(self, entry: Entry) -> None:
        self.ids[entry.id or ""] = digest(entry)
        self.hours += entry.hours
        reports.post(entry, self.balances)
        if entry.tag("reverses"):
            self.reversed.add(entry.tag("reverses"))


def digest(entry: Entry) -> str:
    return hashlib.sha256("\n".join(entry.lines).encode("utf-8")).hexdigest()[:32]


@dataclass
class Report:
    findings: list[Finding]
    recorded: list[Recorded]
    commits: int
    head: str | None
    balances: dict[str, Decimal]
    genesis: str | None
    books: Books = field(default_factory=Books)

    def summary(self) -> "Summary":
        return summarise(self.books)


@dataclass(frozen=True)
class Summary:
    """What an audit tag attests: how many entries, how many hours exchanged, and a digest of every balance."""

    entries: int
    hours: Decimal
    digest: str


def summarise(books: Books) -> Summary:
    """The digest covers every non-zero balance as `account amount` lines, sorted: `coop balance` can recompute it."""
    from coop_cli.model import format_hours

    lines = "".join(f"{account} {format_hours(amount)}\n" for account, amount in sorted(books.balances.items()) if amount)
    return Summary(len(books.ids), books.hours, "sha256:" + hashlib.sha256(lines.encode("utf-8")).hexdigest())


# ---------------------------------------------------------------- the walk

class Auditor:
    """Judges each commit from the books as its parents left them, with the register and charter of that commit."""

    def __init__(self, coop: Coop, objects: Objects, keep_entries: bool = False):
        self.coop = coop
        self.objects = objects
        self.keep_entries = keep_entries  # `coop log` wants every entry; verify alone keeps none, so a million fit in memory
        self.findings: list[Finding] = []
        self.recorded: list[Recorded] = []
        self.signatures: list[PendingSignature] = []
        self._registers: dict[str, Register] = {}
        self._charters: dict[str, Charter] = {}
        self._files: dict[str, dict[str, str]] = {}
        self._times: dict[str, int] = {}

    def problem(self, message: str, commit: str | None = None, where: str | None = None, entry: str | None = None) -> None:
        self.findings.append(Finding(message, commit, where, entry))

    # -------------------------------------------------------- what a commit holds

    def files(self, commit: str) -> dict[str, str]:
        if commit not in self._files:
            self._files[commit] = self.objects.book_files(commit)
        return self._files[commit]

    def register(self, commit: str | None) -> Register:
        blob = self.files(commit).get(members_format.FILE) if commit else None
        if blob is None:
            return Register(())
        if blob not in self._registers:
            try:
                self._registers[blob] = members_format.parse(self.objects.text(blob))
            except CoopError as problem:
                self.problem(_("members.yaml cannot be read: {problem}").format(problem=problem.message), commit)
                self._registers[blob] = Register(())
        return self._registers[blob]

    def charter(self, commit: str | None) -> Charter:
        blob = self.files(commit).get(charter_format.FILE) if commit else None
        if blob is None:
            return Charter(name="?")
        if blob not in self._charters:
            try:
                self._charters[blob] = charter_format.parse(self.objects.text(blob))
            except CoopError as problem:
                self.problem(_("charter.md cannot be read: {problem}").format(problem=problem.message), commit)
                self._charters[blob] = Charter(name="?")
        return self._charters[blob]

    # -------------------------------------------------------- one commit

    def judge(self, commit: Commit, parents: list[Books]) -> Books:
        first = commit.parents[0] if commit.parents else None
        signer = self._check_signature(commit, first)
        self._check_time(commit)
        self._check_rules_files(commit, signer)
        books = parents[0].copy() if parents else Books()
        for path in sorted(set(self.files(commit.id)) | {p for parent in commit.parents for p in self.files(parent)}):
            if path.startswith(MINUTES):
                self._check_minutes(commit, path, signer)
            elif path.startswith(LEDGER + "/"):
                self._check_journal(commit, path, books, parents)
        return books

    def _check_signature(self, commit: Commit, first: str | None) -> Member | None:
        """The member whose registered key signed the commit (keys of the parent's register), or None."""
        charter = self.charter(first) if first else self.charter(commit.id)
        keys_from = self.register(first) if first and self.register(first).members else self.register(commit.id)
        member = None
        if commit.signature:
            member = self._signer(commit, keys_from)
        required = charter.signed_commits == "required" and first is not None
        if required and member is None and not commit.signature:
            self.problem(_("the commit is not signed, and the charter requires signed commits"), commit.id)
        if member is not None and required and not _is_committer(commit, member):
            self.problem(
                _("the commit is signed by {id} but its committer is {committer}").format(id=member.id, committer=commit.committer_name),
                commit.id,
            )
        return member

    def _signer(self, commit: Commit, register: Register) -> Member | None:
        from coop_cli.signing import dearmor, verify

        try:
            key = verify(commit.payload, dearmor(commit.signature or ""), "git")
        except SigningError as problem:
            self.problem(_("the commit's signature does not verify: {problem}").format(problem=problem.message), commit.id)
            return None
        for member in register.members:
            if any(_key(k) == key for k in member.keys):
                return member
        self.problem(_("the commit is signed by the key {key}, which belongs to no member").format(key=key.fingerprint()), commit.id)
        return None

    def _check_time(self, commit: Commit) -> None:
        self._times[commit.id] = commit.time
        latest = max((self._times.get(p, 0) for p in commit.parents), default=0)
        if commit.time + CLOCK_SKEW < latest:
            self.problem(
                _("the commit is dated {date}, before its parent: it was backdated").format(date=_when(commit.time)), commit.id
            )

    def _check_rules_files(self, commit: Commit, signer: Member | None) -> None:
        """charter.md and members.yaml change only in commits signed by a treasurer or secretary of the parent's register."""
        first = commit.parents[0] if commit.parents else None
        for path in (members_format.FILE, charter_format.FILE):
            blob = self.files(commit.id).get(path)
            if any(self.files(parent).get(path) == blob for parent in commit.parents):
                continue
            if first is None:
                if self.register(commit.id).members:
                    self.problem(_("the first commit of the books already lists members"), commit.id, path)
                continue
            before = self.register(first)
            managers = before.members or self.register(commit.id).members  # the first member registers themselves
            allowed = _manages(signer, managers)
            if not allowed and path == members_format.FILE and signer is not None:
                allowed = _adds_own_key(before, self.register(commit.id), signer.id)
            if not allowed and path == members_format.FILE and len(commit.parents) > 1:
                # A merge brings each side's register changes, already judged in their own commits, and adds none.
                allowed = _brings_only(self.register(commit.id), [self.register(parent) for parent in commit.parents])
            if not allowed:
                self.problem(
                    _("{file} was changed by a commit that no treasurer or secretary signed").format(file=path), commit.id, path
                )
            elif path == members_format.FILE and before.members:
                self._check_changes_cite_decisions(commit, before, self.register(commit.id))

    def _check_changes_cite_decisions(self, commit: Commit, before: Register, after: Register) -> None:
        """A member's status or roles change only by an adopted decision, added to their `decisions` in the same commit."""
        adopted = None
        for member in after.members:
            old = before.get(member.id)
            if old is None or (old.status, old.roles) == (member.status, member.roles):
                continue
            if adopted is None:
                adopted = {d.id for m in self._meetings(commit.id) for d in m.decisions if d.outcome == "adopted"}
            cited = member.decisions[len(old.decisions):]  # coop appends the decision, even one cited before
            if member.decisions[: len(old.decisions)] != old.decisions or not cited or not set(cited) <= adopted:
                self.problem(
                    _("{id}'s status or roles changed without citing an adopted decision of the minutes").format(id=member.id),
                    commit.id,
                    members_format.FILE,
                )

    def _meetings(self, commit: str) -> list[Meeting]:
        found = (self._meeting(blob, path) for path, blob in self.files(commit).items() if path.startswith(MINUTES) and path.endswith(".md"))
        return [m for m in found if m is not None]

    def _check_minutes(self, commit: Commit, path: str, signer: Member | None) -> None:
        """Minutes only grow, judged against every parent, as journals are.

        Closed minutes never change again; open ones only gain attendees, notes and decisions, and only by a commit
        a treasurer or secretary signed. New minutes must read back, and a new decision's outcome must be what its
        vote gives under the charter, with the attendees listed and the members active at that commit.
        """
        if not path.endswith(".md"):
            return
        now = self.files(commit.id).get(path)
        changed = [blob for blob in (self.files(parent).get(path) for parent in commit.parents) if blob != now]
        if not changed and commit.parents:
            return
        for blob in filter(None, changed):
            if CLOSED in self.objects.text(blob):
                self.problem(_("{file} was changed after the meeting was closed").format(file=path), commit.id, path)
                return
        if now is None:
            self.problem(_("{file} was deleted; minutes are kept for good").format(file=path), commit.id, path)
            return
        written_here = len(changed) == len(commit.parents)  # a merge that takes one side's minutes adds nothing
        if written_here and not _manages(signer, self.register(commit.parents[0] if commit.parents else commit.id).members):
            self.problem(_("{file} was changed by a commit that no treasurer or secretary signed").format(file=path), commit.id, path)
        meeting = self._meeting(now, path, commit.id if written_here else None)
        if meeting is None:
            return
        earlier = [m for m in (self._meeting(blob, path) for blob in filter(None, changed)) if m is not None]
        for old in earlier:
            if not _grows(old, meeting):
                self.problem(_("{file}: open minutes may only gain attendees, notes and decisions").format(file=path), commit.id, path)
        if not written_here:
            return
        first = commit.parents[0] if commit.parents else commit.id
        active = sum(1 for m in self.register(first).members if m.active)
        known = {d.id for m in earlier for d in m.decisions}
        for decision in (d for d in meeting.decisions if d.id not in known):
            due = meetings_format.outcome(
                self.charter(first), len(meeting.attendees), active, decision.votes_for, decision.against, decision.abstain, decision.consensus
            )
            if decision.outcome != due:
                self.problem(
                    _("{file}: the decision {id} is written {written}, but its vote gives {due}").format(
                        file=path, id=decision.id, written=decision.outcome, due=due
                    ),
                    commit.id,
                    path,
                )

    def _meeting(self, blob: str, path: str, commit: str | None = None) -> Meeting | None:
        """Minutes as coop reads them; with `commit`, minutes that cannot be read are a problem of that commit."""
        try:
            return meetings_format.parse(self.objects.text(blob), Path(path).stem)
        except CoopError as problem:
            if commit is not None:
                self.problem(_("{file} cannot be read: {problem}").format(file=path, problem=problem.message), commit, path)
            return None

    def _check_journal(self, commit: Commit, path: str, books: Books, parents: list[Books]) -> None:
        """Append-only, judged against every parent; each entry that is new here is checked in full."""
        now = self.files(commit.id).get(path)
        before = [self.files(parent).get(path) for parent in commit.parents]
        if now is None:
            if any(before):
                self.problem(_("{file} was deleted; journals are append-only").format(file=path), commit.id, path)
            return
        if len(commit.parents) <= 1:
            old_blob = before[0] if before else None
            if now == old_blob:
                return
            text, old = self.objects.text(now), self.objects.text(old_blob) if old_blob else ""
            if text.startswith(old):
                tail, problems = parse_journal(text[len(old):], path, first_line=old.count("\n") + 1)
                self._unreadable(commit, problems)
                for entry in tail:
                    self._new_entry(commit, path, entry, books)
                return
            line = _first_difference(old, text)
            self.problem(
                _("{file} lost or changed lines already committed (from line {line}); journals are append-only").format(file=path, line=line),
                commit.id, f"{path}:{line}",
            )
        self._reconcile(commit, path, [b for b in before if b], books, parents)

    def _reconcile(self, commit: Commit, path: str, parent_blobs: list[str], books: Books, parents: list[Books]) -> None:
        """Entry by entry, for a merge or an edited file: nothing a parent had may be missing or different."""
        entries, problems = parse_journal(self.objects.text(self.files(commit.id)[path]), path)
        self._unreadable(commit, problems)
        present: dict[str, Entry] = {}
        for entry in entries:
            entry_id = entry.id or ""
            if entry_id in present:
                self.problem(_("the id {id} appears twice: an entry was replayed").format(id=entry_id), commit.id, str(entry.where), entry_id)
                continue
            present[entry_id] = entry
            if entry_id in books.ids:
                if books.ids[entry_id] != digest(entry):
                    self.problem(_("entry {id} was changed after it was committed").format(id=entry_id), commit.id, str(entry.where), entry_id)
            elif any(other.ids.get(entry_id) == digest(entry) for other in parents[1:]):
                books.add(entry)  # merged in from another parent; it was judged on its own branch
            else:
                if len(commit.parents) > 1:
                    self.problem(_("entry {id} was added by a merge commit instead of a commit of its own").format(id=entry_id), commit.id, str(entry.where), entry_id)
                self._new_entry(commit, path, entry, books)
        for blob in dict.fromkeys(parent_blobs):
            for old in parse_journal(self.objects.text(blob), path)[0]:
                if old.id not in present:
                    self.problem(_("entry {id} was removed from {file}").format(id=old.id, file=path), commit.id, path, old.id)
                elif digest(present[old.id]) != digest(old) and old.id not in books.ids:
                    self.problem(_("entry {id} was changed after it was committed").format(id=old.id), commit.id, path, old.id)

    def _unreadable(self, commit: Commit, problems) -> None:
        for problem in problems:
            self.problem(problem.message, commit.id, str(problem.where))

    def _new_entry(self, commit: Commit, path: str, entry: Entry, books: Books) -> None:
        if entry.id and entry.id in books.ids:
            self.problem(_("the id {id} appears twice: an entry was replayed").format(id=entry.id), commit.id, str(entry.where), entry.id)
            return
        self._check_new_entry(commit, path, entry, books)

    def _check_new_entry(self, commit: Commit, path: str, entry: Entry, books: Books) -> None:
        """Every rule an entry must meet, with the register and charter of the commit that added it."""
        where, entry_id = str(entry.where), entry.id
        say = lambda message: self.problem(message, commit.id, where, entry_id)  # noqa: E731
        register, charter = self.register(commit.id), self.charter(commit.id)
        if not entry_id:
            say(_("an entry has no id"))
        if path != f"{LEDGER}/{entry.date:%Y-%m}.journal":
            say(_("the entry dated {date} is not in the file of its month").format(date=entry.date))
        total = entry.imbalance
        if total != 0:
            say(unbalanced_message(total))
        recorder = register.get(entry.recorder or "")
        signed_by = self._check_entry_signature(entry, recorder, charter, say)
        if signed_by is not None:
            kept = len(self.recorded) if self.keep_entries else None
            self.signatures.append(PendingSignature(signed_bytes(entry, charter.unit), entry.sig or "", recorder.keys, recorder.id, commit.id, where, entry_id, kept))
        if recorder is not None and len(entry.postings) == 2 and total == 0:
            committed_on = datetime.fromtimestamp(commit.time, timezone.utc).date()
            for message in checks.entry_problems(entry, charter, register, books.balances, recorder, committed_on):
                say(message)
        elif len(entry.postings) != 2:
            say(_("an entry must have two postings, the payer's and the earner's"))
        reverses = entry.tag("reverses")
        if reverses and (reverses not in books.ids or reverses in books.reversed):
            say(_("the entry reverses {id}, which does not exist or was already reversed").format(id=reverses))
        books.add(entry)
        if self.keep_entries:
            self.recorded.append(Recorded(entry, commit.id, commit.time, signed_by))

    def _check_entry_signature(self, entry: Entry, recorder: Member | None, charter: Charter, say: Callable[[str], None]) -> str | None:
        """Queue the signature for checking on every core at the end of the walk; say at once what needs no key."""
        if recorder is None:
            say(_("the entry was recorded by {id!r}, who is not in the register of that commit").format(id=entry.recorder))
            return None
        if not entry.sig:
            say(_("the entry is not signed"))
            return None
        return recorder.id

    def check_signatures(self, progress: Callable[[str, int, int], None] | None = None) -> None:
        """Every queued entry signature, verified on every core; a failure is reported with its commit, place and entry."""
        results = _verify_all([(p.data, p.sig, p.keys, p.member) for p in self.signatures], progress)
        for pending, problem in zip(self.signatures, results):
            if problem is None:
                continue
            self.problem(problem, pending.commit, pending.where, pending.entry)
            if pending.recorded is not None:
                self.recorded[pending.recorded] = replace(self.recorded[pending.recorded], signed_by=None)


@dataclass(frozen=True)
class PendingSignature:
    data: bytes
    sig: str
    keys: tuple[str, ...]
    member: str
    commit: str
    where: str
    entry: str | None
    recorded: int | None  # its place in Auditor.recorded, when entries are kept


PARALLEL_SIGNATURES = 2000


def _verify_all(items: list[tuple[bytes, str, tuple[str, ...], str]], progress=None) -> list[str | None]:
    if len(items) < PARALLEL_SIGNATURES or (os.cpu_count() or 1) < 2:
        return [_verify_one(item) for item in items]
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    results: list[str | None] = []
    with ProcessPoolExecutor(min(os.cpu_count() or 2, 8), mp_context=get_context("fork")) as pool:
        for result in pool.map(_verify_one, items, chunksize=500):
            results.append(result)
            if progress and len(results) % 5000 == 0:
                progress("signatures", len(results), len(items))
    return results


def _verify_one(item: tuple[bytes, str, tuple[str, ...], str]) -> str | None:
    """None when the signature holds and was made with one of the recorder's keys; else the problem, in words."""
    from coop_cli.signing import signature_from_line, verify

    data, sig, keys, member = item
    try:
        key = verify(data, signature_from_line(sig))
    except SigningError as problem:
        return _("the entry's signature does not verify: {problem}").format(problem=problem.message)
    if not any(_key(k) == key for k in keys):
        return _("the entry is signed by the key {key}, which {id} did not have when it was added").format(key=key.fingerprint(), id=member)
    return None


@lru_cache(maxsize=4096)
def _key(text: str):
    """A register's key line as a PublicKey (None if it cannot be read), parsed once however many entries it signed."""
    from coop_cli.signing import PublicKey

    try:
        return PublicKey.parse(text)
    except SigningError:
        return None


def _grows(old: Meeting, new: Meeting) -> bool:
    """Open minutes keep their heading, attendees, notes and decisions, and may add to each."""
    heading = (old.title, old.date, old.duration, old.place)
    return (
        heading == (new.title, new.date, new.duration, new.place)
        and set(old.attendees) <= set(new.attendees)
        and new.notes[: len(old.notes)] == old.notes
        and new.decisions[: len(old.decisions)] == old.decisions
    )


def _manages(signer: Member | None, members: tuple[Member, ...]) -> bool:
    """The commit's signer is an active treasurer or secretary in `members` (the register it is judged by)."""
    return signer is not None and any(m.id == signer.id and m.manages for m in members)


def _brings_only(merged: Register, parents: list[Register]) -> bool:
    """Every member and group of a merged register is as one of the parents has it, and none is lost."""
    ids = {m.id for parent in parents for m in parent.members}
    groups = {g.name for parent in parents for g in parent.groups}
    return (
        {m.id for m in merged.members} == ids
        and all(any(parent.get(m.id) == m for parent in parents) for m in merged.members)
        and {g.name for g in merged.groups} == groups
        and all(any(g in parent.groups for parent in parents) for g in merged.groups)
    )


def _adds_own_key(before: Register, after: Register, signer: str) -> bool:
    """The one change to the register a member may sign without a role: an active member adding a key of their own."""
    mine = before.get(signer)
    if mine is None or not mine.active or after.groups != before.groups or len(after.members) != len(before.members):
        return False
    taken = {_key(k) for m in before.members for k in m.keys}
    now = after.get(signer)
    if now is None or any(_key(k) in taken for k in now.keys[len(mine.keys):]):
        return False  # a key already registered, to them or to anyone else
    for old, new in zip(before.members, after.members):
        if old.id == signer:
            if replace(new, keys=()) != replace(old, keys=()) or new.keys[: len(old.keys)] != old.keys or len(new.keys) <= len(old.keys):
                return False
        elif new != old:
            return False
    return True


def _is_committer(commit: Commit, member: Member) -> bool:
    return commit.committer_email == f"{member.id}@coop.invalid" or commit.committer_name == member.name


def _when(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _first_difference(old: str, new: str) -> int:
    for number, (a, b) in enumerate(zip(old.split("\n"), new.split("\n")), start=1):
        if a != b:
            return number
    return min(old.count("\n"), new.count("\n")) + 1


# ---------------------------------------------------------------- running it

def genesis(coop: Coop, head: str) -> str | None:
    """Where the books begin: the latest first-parent commit that created charter.md (the commit of `coop init`)."""
    out = git(coop.root, "log", "--first-parent", "--diff-filter=A", "--format=%H", "-1", head, "--", charter_format.FILE).strip()
    return out or None


def audit(
    coop: Coop,
    full: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    head: str = "HEAD",
    remember: bool = True,
    keep_entries: bool = False,
) -> Report:
    """Verify the history of the books from their genesis (or from the last verified commit) to `head`.

    With `remember`, a clean result is kept in .git/coop so that the next run starts from it; with
    `keep_entries`, the report lists every entry with the commit that added it (for `coop log`).
    """
    head = git(coop.root, "rev-parse", "--verify", "-q", head, check=False).strip()
    if not head:
        raise CoopError(_("the coop has no commits yet"))
    start = genesis(coop, head)
    if start is None:
        raise CoopError(_("charter.md was never committed here: these are not a coop's books"))
    saved = None if full else _load_state(coop, head)
    try:
        return _walk(coop, head, start, saved, progress, remember, keep_entries)
    finally:
        if saved:
            saved[1].ids.base.close()


def _walk(coop: Coop, head: str, start: str, saved, progress, remember: bool, keep_entries: bool) -> Report:
    exclude = [f"^{saved[0]}"] if saved else [f"^{p}" for p in _parents(coop, start)]
    listing = git(coop.root, "rev-list", "--topo-order", "--reverse", "--parents", head, *exclude).split("\n")
    order = [line.split() for line in listing if line.strip()]
    with Objects(coop.root) as objects:
        auditor = Auditor(coop, objects, keep_entries)
        states: dict[str, Books] = {saved[0]: saved[1]} if saved else {}
        listed = {line[0] for line in order}
        if saved is None:
            for parent in _parents(coop, start):
                states[parent] = Books()
        elif any(p not in states and p not in listed for line in order for p in line[1:]):
            return _walk(coop, head, start, None, progress, remember, keep_entries)  # a branch forked before the saved state
        waiting = _children_count(order)
        tags_by_commit = set(git(coop.root, "for-each-ref", "--format=%(*objectname)", AUDIT_TAGS).split())
        attested: dict[str, Summary] = {}
        for done, (commit_id, *parent_ids) in enumerate(order, start=1):
            found = objects.read(commit_id)
            commit = parse_commit(commit_id, found[1] if found else b"")
            if commit_id == start:  # the books begin here: what came before is not theirs to answer for
                commit, parent_ids = replace(commit, parents=()), []
            parents = [states.get(p, Books()) for p in parent_ids]
            states[commit_id] = auditor.judge(commit, parents)
            if commit_id in tags_by_commit:
                attested[commit_id] = summarise(states[commit_id])
            for parent in parent_ids:
                waiting[parent] = waiting.get(parent, 1) - 1
                if waiting[parent] <= 0 and parent != head:
                    states.pop(parent, None)
            if progress:
                progress("history", done, len(order))
        books = states.get(head) or (saved[1] if saved else Books())
        auditor.check_signatures(progress)
        _check_audit_tags(coop, objects, auditor, attested, start, head)
        total = sum(books.balances.values(), Decimal(0))
        if total != 0:
            auditor.problem(_("the balances sum to {total}, not zero").format(total=total))
        report = Report(auditor.findings, auditor.recorded, len(order), head, books.balances, start, books)
    if remember and not report.findings:
        _save_state(coop, head, books, saved[0] if saved else None)
    return report


# ---------------------------------------------------------------- audit tags

def tag_message(commit: str, summary: Summary, auditor: str) -> str:
    """The text an auditor signs: the commit attested and what the books held there."""
    from coop_cli.model import format_hours

    return (
        f"audit: the books verify at {commit[:12]}\n\n"
        f"commit: {commit}\n"
        f"entries: {summary.entries}\n"
        f"hours exchanged: {format_hours(summary.hours)}\n"
        f"balances: {summary.digest}\n"
        f"auditor: {auditor}\n"
    )


def parse_tag(raw: bytes) -> tuple[dict[str, str], str, bytes, str | None]:
    """A tag object's headers, its message, the signed payload and the armoured signature (git appends it to the message)."""
    text = raw.decode("utf-8", "replace")
    head, _blank, body = text.partition("\n\n")
    headers = dict(line.split(" ", 1) for line in head.split("\n") if " " in line)
    marker = body.find("-----BEGIN SSH SIGNATURE-----")
    if marker < 0:
        return headers, body, raw, None
    payload = (head + "\n\n" + body[:marker]).encode("utf-8")
    return headers, body[:marker], payload, body[marker:]


def _check_audit_tags(coop: Coop, objects: Objects, auditor: Auditor, attested: dict[str, "Summary"], start: str, head: str) -> None:
    """Each audit tag must be signed by an auditor of the register it attests, and say what the books held there."""
    from coop_cli.signing import dearmor, verify

    listing = git(coop.root, "for-each-ref", "--format=%(refname) %(objecttype) %(objectname) %(*objectname)", AUDIT_TAGS)
    for line in filter(None, listing.split("\n")):
        name, kind, tag_id, *target = line.split()
        short = name[len("refs/tags/"):]
        if kind != "tag":
            auditor.problem(_("the audit tag {tag} is not a signed annotated tag").format(tag=short))
            continue
        found = objects.read(tag_id)
        headers, message, payload, signature = parse_tag(found[1] if found else b"")
        commit = headers.get("object", "")
        if f"commit: {commit}\n" not in message:
            auditor.problem(_("the audit tag {tag} points to {commit}, not to the commit it attests").format(tag=short, commit=commit[:12]), commit)
            continue
        if git(coop.root, "merge-base", "--is-ancestor", commit, head, check=False, status=True) != 0:
            auditor.problem(_("the audit tag {tag} attests a commit that is not in the history of the books").format(tag=short), commit)
            continue
        if git(coop.root, "merge-base", "--is-ancestor", start, commit, check=False, status=True) != 0:
            auditor.problem(_("the audit tag {tag} attests books that were later removed and begun anew").format(tag=short), commit)
            continue
        if signature is None:
            auditor.problem(_("the audit tag {tag} is not signed").format(tag=short), commit)
            continue
        try:
            key = verify(payload, dearmor(signature), "git")
        except SigningError as problem:
            auditor.problem(_("the audit tag {tag}'s signature does not verify: {problem}").format(tag=short, problem=problem.message), commit)
            continue
        register = auditor.register(commit)
        if not any("auditor" in m.roles and any(_key(k) == key for k in m.keys) for m in register.members):
            auditor.problem(_("the audit tag {tag} is signed by a key that no auditor had").format(tag=short), commit)
            continue
        summary = attested.get(commit)
        if summary is not None and f"balances: {summary.digest}\n" not in message:
            auditor.problem(_("the audit tag {tag} does not describe the books at the commit it attests").format(tag=short), commit)


def _parents(coop: Coop, commit: str) -> list[str]:
    return git(coop.root, "rev-list", "--parents", "-n", "1", commit).split()[1:]


def _children_count(order: list[list[str]]) -> dict[str, int]:
    count: dict[str, int] = {}
    for _commit, *parents in order:
        for parent in parents:
            count[parent] = count.get(parent, 0) + 1
    return count


def _state_path(coop: Coop) -> Path:
    return coop.git_dir() / "coop" / STATE_FILE


def _load_state(coop: Coop, head: str) -> tuple[str, Books] | None:
    """The last verified commit and its books, if `head` descends from it: never trusted across a rewrite.

    The ids stay in SQLite and are looked up one by one, so one new commit costs little however long the history.
    """
    path = _state_path(coop)
    if not path.exists():
        return None
    try:
        base = sqlite3.connect(path)
        meta = dict(base.execute("SELECT key, value FROM meta"))
        commit, count = meta["commit"], int(meta["count"])
        balances = {a: Decimal(b) for a, b in json.loads(meta["balances"]).items()}
        books = Books(Ids(base, count), balances, set(json.loads(meta["reversed"])), Decimal(meta["hours"]))
    except (sqlite3.Error, KeyError, ValueError, TypeError):
        return None
    if git(coop.root, "merge-base", "--is-ancestor", commit, head, check=False, status=True) != 0:
        base.close()
        return None
    return commit, books


def _save_state(coop: Coop, head: str, books: Books, extends: str | None) -> None:
    """Keep what this clean run established: added to the saved state it started from, or written afresh."""
    path = _state_path(coop)
    path.parent.mkdir(exist_ok=True)
    meta = {
        "commit": head,
        "count": str(len(books.ids)),
        "balances": json.dumps({a: str(b) for a, b in books.balances.items()}),
        "reversed": json.dumps(sorted(books.reversed)),
        "hours": str(books.hours),
    }
    if extends and books.ids.base is not None:
        target, database = path, books.ids.base
    else:
        target = path.with_suffix(f".{os.getpid()}.tmp")
        target.unlink(missing_ok=True)
        database = sqlite3.connect(target)
        database.execute("CREATE TABLE ids (id TEXT PRIMARY KEY, digest TEXT) WITHOUT ROWID")
        database.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    with database:
        database.executemany("INSERT OR REPLACE INTO ids VALUES (?, ?)", books.ids.layer.items())
        database.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
    if target != path:
        database.close()
        target.replace(path)
