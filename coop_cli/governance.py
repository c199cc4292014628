"""Meetings and what they decide: minutes, votes, meeting credits, and the changes a decision authorises.

Status and role changes, charter amendments and working groups each cite an adopted decision, or are refused.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import replace
from datetime import date
from typing import Iterator

from coop_cli import book, checks, reports
from coop_cli import charter as charter_format
from coop_cli import meetings as meetings_format
from coop_cli import members as members_format
from coop_cli import needs as needs_format
from coop_cli.errors import BadInput, CoopError
from coop_cli.i18n import _, word
from coop_cli.model import COOP_ACCOUNT, ROLES, STATUSES, Decision, Meeting, Need, check_text, folded, parse_date, parse_hours, party
from coop_cli.repo import Coop

RULE_TYPES = {
    "unit": str, "step": "number", "max_exchange": "number", "min_balance": "number", "max_balance": "number",
    "recorders": "roles", "meeting_credit": bool, "quorum": "number", "majority": str, "signed_commits": str, "language": str, "name": str,
    "categories": "words", "bulletin_balances": bool,
}


@contextlib.contextmanager
def _managing(coop: Coop, identity: book.Identity, what: str | None = None) -> Iterator[book.Recorder]:
    """Under the coop's lock, the recorder, who must be an active treasurer or secretary."""
    signer = book.load_signer(coop, identity)
    with coop.writing():
        recorder = book.recorder_for(coop, identity, coop.register(), signer)
        book.require_manager(recorder.member, what)
        yield recorder


def _minutes(coop: Coop, identity: book.Identity) -> contextlib.AbstractContextManager[book.Recorder]:
    return _managing(coop, identity, _("the minutes"))


def _names(coop: Coop) -> dict[str, str]:
    return {m.id: m.name for m in coop.register().members}


def find_meeting(coop: Coop, slug: str) -> Meeting:
    meetings_format.check_slug(slug)
    for meeting in coop.meetings():
        if meeting.slug == slug:
            return meeting
    raise CoopError(_("there is no meeting {slug} (see coop meeting list)").format(slug=slug))


def _open_meeting(coop: Coop, slug: str) -> Meeting:
    meeting = find_meeting(coop, slug)
    if meeting.status == "closed":
        raise CoopError(_("the meeting {slug} is closed; its minutes never change").format(slug=slug))
    return meeting


def _save(coop: Coop, meeting: Meeting, message: str, recorder: book.Recorder, extra: dict[str, str] | None = None) -> str:
    text = meetings_format.render(meeting, _names(coop))
    changes = {meetings_format.path_of(meeting.slug): text, **(extra or {})}
    return coop.commit(changes, message, recorder.author, recorder.signer)


# ---------------------------------------------------------------- minutes

def new_meeting(coop: Coop, identity: book.Identity, title: str, when: str, duration: str, place: str | None) -> tuple[Meeting, str]:
    title = check_text(title, _("the title"))
    day = parse_date(when)
    hours = parse_hours(duration)
    place = check_text(place, _("the place")) if place else ""
    with _minutes(coop, identity) as recorder:
        charter = coop.charter()
        meeting = meetings_format.Meeting(meetings_format.slug_for(day, title), title, day, hours, place, language=charter.language)
        problems = checks.amount_problems(hours, charter) if charter.meeting_credit else []
        if problems:  # found now, not when closing the minutes credits each attendee the duration
            raise CoopError(_("the duration cannot be credited: {problem}").format(problem=problems[0]))
        if any(m.slug == meeting.slug for m in coop.meetings()):
            raise CoopError(_("the meeting {slug} already exists").format(slug=meeting.slug))
        return meeting, _save(coop, meeting, f"meeting new: {meeting.slug}\n", recorder)


def attend(coop: Coop, identity: book.Identity, slug: str, member_ids: list[str]) -> tuple[Meeting, str]:
    member_ids = list(dict.fromkeys(member_ids))  # each once, in the order given
    with _minutes(coop, identity) as recorder:
        meeting = _open_meeting(coop, slug)
        register = coop.register()
        decided_on = checks.decided_on(coop.meetings)
        for member_id in member_ids:
            member = register.require(member_id)
            status = checks.status_on(member, meeting.date, decided_on)  # minutes may be written after the meeting
            if status != "active":
                raise CoopError(_("{id} is {status} and cannot attend as a member").format(id=member.id, status=word(status)))
            if member.since > meeting.date:
                raise CoopError(_("{id} joined on {since}, after the meeting").format(id=member.id, since=member.since))
        if all(m in meeting.attendees for m in member_ids):
            raise CoopError(_("the minutes of {slug} already list {members} among the attendees").format(members=", ".join(member_ids), slug=slug))
        meeting = meetings_format.with_attendees(meeting, member_ids)
        return meeting, _save(coop, meeting, f"meeting attend: {slug}: {' '.join(member_ids)}\n", recorder)


def note(coop: Coop, identity: book.Identity, slug: str, text: str) -> tuple[Meeting, str]:
    text = meetings_format.check_note(text)
    with _minutes(coop, identity) as recorder:
        meeting = _open_meeting(coop, slug)
        meeting = replace(meeting, notes=meeting.notes + (text,))
        return meeting, _save(coop, meeting, f"meeting note: {slug}\n", recorder)


def decide(
    coop: Coop, identity: book.Identity, slug: str, text: str, votes_for: int, against: int, abstain: int, consensus: bool
) -> tuple[Decision, str]:
    text = check_text(text, _("the decision"))
    if min(votes_for, against, abstain) < 0:
        raise BadInput(_("votes cannot be negative"))
    if consensus and (votes_for or against or abstain):
        raise BadInput(_("a decision is taken either by consensus or by a vote, not both"))
    if not consensus and not (votes_for or against or abstain):
        raise BadInput(_("give the vote (--for, --against, --abstain) or --consensus"))
    with _minutes(coop, identity) as recorder:
        meeting = _open_meeting(coop, slug)
        if meeting.date > date.today():
            raise CoopError(_("the meeting {slug} has not happened yet ({date}); decisions are recorded when it is held").format(slug=slug, date=meeting.date))
        present = len(meeting.attendees)
        if votes_for + against + abstain > present:
            raise CoopError(
                _("{n} members voted or abstained but only {present} attend {slug}").format(n=votes_for + against + abstain, present=present, slug=slug)
            )
        active = sum(1 for m in coop.register().members if m.active)
        result = meetings_format.outcome(coop.charter(), present, active, votes_for, against, abstain, consensus)
        decision = Decision(meetings_format.next_decision_id(meeting.date.year, coop.meetings()), text, votes_for, against, abstain, consensus, result)
        meeting = replace(meeting, decisions=meeting.decisions + (decision,))
        return decision, _save(coop, meeting, f"decide: {decision.id} ({result}) at {slug}\n\n{text}\n", recorder)


def close(coop: Coop, identity: book.Identity, slug: str, today: date | None = None) -> tuple[Meeting, list, list[str], str]:
    """Close the minutes; with meeting_credit, each attendee earns the duration from the coop account, in the same commit.

    A treasurer or a secretary closes, and signs the credits. The minutes end with what the closing did: the attendees
    against the active members and the quorum, who was credited and who was not (and the commit message says why).
    """
    today = today or date.today()
    signer = book.load_signer(coop, identity)
    with coop.writing():
        charter, register = coop.charter(), coop.register()
        recorder = book.recorder_for(coop, identity, register, signer)
        book.require_manager(recorder.member, _("the minutes"))
        meeting = _open_meeting(coop, slug)
        if meeting.date > today:
            raise CoopError(_("the meeting {slug} has not happened yet ({date})").format(slug=slug, date=meeting.date))
        entries, uncredited = [], []
        if charter.meeting_credit:
            # What would refuse every credit refuses the close: closed minutes never change, credits lost would stay lost.
            refused = checks.amount_problems(meeting.duration, charter) + checks.recorder_problems(recorder.member, COOP_ACCOUNT, charter, True)
            if refused:
                raise CoopError(_("cannot close {slug} with its credits: {problem}").format(slug=slug, problem=refused[0]))
            balances = coop.balances()
            decided_on = checks.decided_on(coop.meetings)
            for attendee in meeting.attendees:
                exchange = book.Exchange("coop", attendee, str(meeting.duration), meeting.title, meeting.date.isoformat())
                entry = book.recorded_by(book.draft(exchange, today, "meeting", (("meeting", slug),)), recorder.member.id)
                problems = checks.entry_problems(entry, charter, register, balances, recorder.member, today, decided_on, meeting)
                if problems:
                    # Say who is not credited and why (suspended since, say), rather than leave minutes that never close.
                    uncredited.append(_("{id} is not credited: {problem}").format(id=attendee, problem=problems[0]))
                    continue
                reports.post(entry, balances)
                entries.append(entry)
        active = sum(1 for m in register.members if m.active)
        closing = meetings_format.closing_for(meeting, charter, active, [party(e.earner) for e in entries])
        closed = replace(meeting, status="closed", closing=closing)
        journals = book.signed_journal_changes(coop, recorder, entries, charter.unit)
        message = f"meeting close: {slug}, {len(entries)} credits of {meeting.duration} {charter.unit}\n"
        message += "".join(f"\n{line}" for line in uncredited)
        return closed, entries, uncredited, _save(coop, closed, message, recorder, journals)


def all_decisions(coop: Coop, search: str | None = None) -> list[tuple[Meeting, Decision]]:
    found = [(meeting, decision) for meeting in coop.meetings() for decision in meeting.decisions]
    if search:
        needle = folded(search)
        found = [(m, d) for m, d in found if needle in folded(d.text) or needle in folded(d.id)]
    return found


def adopted(coop: Coop, decision_id: str) -> Decision:
    """The decision a governance change cites: it must exist and have been adopted."""
    if not meetings_format.DECISION_ID.fullmatch(decision_id):
        raise BadInput(_("{id!r} is not a decision id (they are written D-2026-001)").format(id=decision_id))
    found = [(meeting, decision) for meeting, decision in all_decisions(coop) if decision.id == decision_id]
    if not found:
        raise CoopError(_("there is no decision {id} in the minutes (see coop decisions)").format(id=decision_id))
    if len(found) > 1:  # two copies numbered a decision each while apart, then synced
        raise CoopError(
            _("{id} names {n} decisions (in {meetings}); record the change again under a new decision").format(
                id=decision_id, n=len(found), meetings=", ".join(m.slug for m, _d in found)
            )
        )
    decision = found[0][1]
    if decision.outcome != "adopted":
        raise CoopError(_("the decision {id} was not adopted ({outcome})").format(id=decision_id, outcome=word(decision.outcome)))
    return decision


# ---------------------------------------------------------------- changes a decision authorises

def set_status(coop: Coop, identity: book.Identity, member_id: str, status: str, decision_id: str) -> str:
    if status not in STATUSES:
        raise BadInput(_("status must be one of {choices}, got {value!r}").format(choices=", ".join(STATUSES), value=status))
    with _managing(coop, identity) as recorder:
        adopted(coop, decision_id)
        register = coop.register()
        if register.require(member_id).status == status:
            raise CoopError(_("{id} is already {status}").format(id=member_id, status=word(status)))
        text = members_format.with_changes(register, member_id, {"status": status}, decision_id)
        _keep_a_manager(text, member_id)
        return book.commit_register(coop, text, f"member status: {member_id} {status} ({decision_id})\n", recorder)


def change_role(coop: Coop, identity: book.Identity, member_id: str, change: str, decision_id: str) -> str:
    match = re.fullmatch(r"([+-])([a-z]+)", change)
    if not match or match[2] not in ROLES:
        raise BadInput(_("write the change as +ROLE or -ROLE with a role among {choices}, got {value!r}").format(choices=", ".join(ROLES), value=change))
    with _managing(coop, identity) as recorder:
        adopted(coop, decision_id)
        register = coop.register()
        member = register.require(member_id)
        roles = list(member.roles)
        if match[1] == "+" and match[2] in roles:
            raise CoopError(_("{id} already has the role {role}").format(id=member_id, role=match[2]))
        if match[1] == "+" and not member.active:
            raise CoopError(_("{id} is {status} and cannot take on a role").format(id=member.id, status=word(member.status)))
        if match[1] == "-" and match[2] not in roles:
            raise CoopError(_("{id} does not have the role {role}").format(id=member_id, role=match[2]))
        roles = roles + [match[2]] if match[1] == "+" else [r for r in roles if r != match[2]]
        text = members_format.with_changes(register, member_id, {"roles": roles}, decision_id)
        _keep_a_manager(text, member_id)
        return book.commit_register(coop, text, f"member role: {member_id} {change} ({decision_id})\n", recorder)


def _keep_a_manager(text: str, member_id: str) -> None:
    """Without an active treasurer or secretary nobody could ever change the register or the minutes again."""
    if not any(m.manages for m in members_format.parse(text).members):
        raise CoopError(_("{id} is the last active treasurer or secretary; give the role to someone else first").format(id=member_id))


def set_rule(coop: Coop, identity: book.Identity, key: str, value: str, decision_id: str) -> str:
    if key not in RULE_TYPES:
        raise BadInput(_("unknown rule {key!r} (rules are {choices})").format(key=key, choices=", ".join(RULE_TYPES)))
    with _managing(coop, identity) as recorder:
        adopted(coop, decision_id)
        if key == "unit" and any(coop.read(journal).strip() for journal in coop.journal_files()):
            raise CoopError(_("the unit cannot change once the books hold exchanges: hledger would count the old and the new unit apart"))
        text = charter_format.with_rule(coop.read(charter_format.FILE), key, value, decision_id)
        if charter_format.parse(text) == coop.charter():  # the amended charter must hold together, and differ
            raise CoopError(_("the charter already says {key}: {value}").format(key=key, value=value))
        return coop.commit({charter_format.FILE: text}, f"charter: {key} = {value} ({decision_id})\n\nDecision: {decision_id}\n", recorder.author, recorder.signer)


def add_group(coop: Coop, identity: book.Identity, name: str, decision_id: str) -> str:
    name = check_text(name, _("a group's name"))
    with _managing(coop, identity) as recorder:
        adopted(coop, decision_id)
        register = coop.register()
        if any(g.name == name for g in register.groups):
            raise CoopError(_("the group {name!r} already exists").format(name=name))
        text = members_format.with_group(register, name, decision_id)
        return book.commit_register(coop, text, f"group add: {name} ({decision_id})\n", recorder)


def join_group(coop: Coop, identity: book.Identity, name: str, member_ids: list[str]) -> str:
    with _managing(coop, identity) as recorder:
        register = coop.register()
        _require_group(register, name)
        group = next(g for g in register.groups if g.name == name)
        for member_id in member_ids:
            if not register.require(member_id).active:
                raise CoopError(_("{id} is not active and cannot join a group").format(id=member_id))
        if all(m in group.members for m in member_ids):
            raise CoopError(_("the group {name!r} already has {members}").format(members=", ".join(member_ids), name=name))
        text = members_format.with_group_members(register, name, member_ids)
        return book.commit_register(coop, text, f"group join: {name}: {' '.join(member_ids)}\n", recorder)



def rename_group(coop: Coop, identity: book.Identity, name: str, new_name: str, decision_id: str) -> str:
    """A working group under a new name, its members and founding decision kept; the commit cites the decision."""
    new_name = check_text(new_name, _("a group's name"))
    with _managing(coop, identity) as recorder:
        adopted(coop, decision_id)
        register = coop.register()
        _require_group(register, name)
        if any(g.name == new_name for g in register.groups):
            raise CoopError(_("the group {name!r} already exists").format(name=new_name))
        text = members_format.with_group_renamed(register, name, new_name)
        return book.commit_register(coop, text, f"group rename: {name} -> {new_name} ({decision_id})\n\nDecision: {decision_id}\n", recorder)


def remove_group(coop: Coop, identity: book.Identity, name: str, decision_id: str) -> str:
    """A working group removed from the register (its members stay members); the commit cites the decision."""
    with _managing(coop, identity) as recorder:
        adopted(coop, decision_id)
        register = coop.register()
        _require_group(register, name)
        text = members_format.without_group(register, name)
        return book.commit_register(coop, text, f"group remove: {name} ({decision_id})\n\nDecision: {decision_id}\n", recorder)


def _require_group(register: members_format.Register, name: str) -> None:
    if not any(g.name == name for g in register.groups):
        raise CoopError(_("there is no group {name!r} (see coop group list)").format(name=name))


# ---------------------------------------------------------------- the needs matrix

def place_need(coop: Coop, identity: book.Identity, name: str, urgency: str | int, difficulty: str | int, categories: list[str],
               decision_id: str) -> tuple[Need, str]:
    """Place a need on the matrix, or move it, citing the adopted decision that does; its categories (the charter's) say
    which offers and wants touch it, and a need moved keeps its categories unless others are given."""
    name = check_text(name, _("a need's name"))
    urgency, difficulty = needs_format.level(urgency, "--urgency"), needs_format.level(difficulty, "--difficulty")
    with _managing(coop, identity, _("the needs")) as recorder:
        adopted(coop, decision_id)
        charter = coop.charter()
        cats = tuple(dict.fromkeys(charter_format.require_category(charter, cat) for cat in categories))
        was = next((need for need in coop.needs() if need.name == name), None)
        need = Need(name, urgency, difficulty, cats or (was.categories if was else ()), decision_id)
        if was is not None and (was.urgency, was.difficulty, was.categories) == (need.urgency, need.difficulty, need.categories):
            raise CoopError(_("the need {name!r} is already placed so (by {id})").format(name=name, id=was.decision))
        if was is not None and was.decision == decision_id:
            raise CoopError(_("the need {name!r} was placed by {id}; moving it takes another decision").format(name=name, id=decision_id))
        current = coop.read(needs_format.FILE) if (coop.root / needs_format.FILE).is_file() else None
        text = needs_format.with_need(current, need)
        message = f"needs: {name} urgency {urgency} difficulty {difficulty} ({decision_id})\n\nDecision: {decision_id}\n"
        return need, coop.commit({needs_format.FILE: text}, message, recorder.author, recorder.signer)


def remove_need(coop: Coop, identity: book.Identity, name: str, decision_id: str) -> str:
    """A need taken off the matrix (answered, or given up), by an adopted decision that the commit cites."""
    with _managing(coop, identity, _("the needs")) as recorder:
        adopted(coop, decision_id)
        if all(need.name != name for need in coop.needs()):
            raise CoopError(_("there is no need {name!r} on the matrix (see coop needs)").format(name=name))
        text = needs_format.without_need(coop.read(needs_format.FILE), name)
        return coop.commit({needs_format.FILE: text}, f"needs: remove {name} ({decision_id})\n\nDecision: {decision_id}\n", recorder.author, recorder.signer)
