"""The secretary's evening (issue 11, items 5-11), on real coops through the installed `coop`, and the forgeries each new
rule of verify refuses: late slips judged at their date, minutes in the coop's language, notes that are markdown, the
secretary closing her meeting, minutes joined across copies, groups renamed and removed, and what a closing writes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from coop_cli import book, meetings
from coop_cli.journal import append_text, format_entry, signed_bytes
from coop_cli.model import Entry, Posting, namespace_for
from coop_cli.signing import load_signer, signature_to_line
from conftest import cli_env, run_coop
from helpers import entries_of
from test_trust import caught, messages

DAY = date(2026, 3, 10)  # the date of CoopFixture.decision()'s meetings


def open_meeting(fixture, title: str, *attendees: str, when: str = "2026-03-10", **env: str) -> str:
    done = fixture.run("meeting", "new", title, "--date", when, "--duration", "2", **env)
    assert done.returncode == 0, done.stderr
    slug = meetings.slug_for(date.fromisoformat(when), title)
    if attendees:
        done = fixture.run("meeting", "attend", slug, *attendees)
        assert done.returncode == 0, done.stderr
    return slug


def minutes(fixture, slug: str, root: Path | None = None) -> str:
    return ((root or fixture.root) / meetings.path_of(slug)).read_text(encoding="utf-8")


def signed(fixture, by: str, payer: str, earner: str, hours: str, when: date, tags: tuple = (), description: str = "Forgé") -> str:
    """An entry written and signed as coop writes it, by `by`'s key, with any tags after `kind`."""
    kind = dict(tags).get("kind", "exchange")
    entry = Entry(when, description, (("id", book.new_id()), ("by", by), ("kind", kind), *[t for t in tags if t[0] != "kind"]),
                  (Posting(earner, Decimal(hours)), Posting(payer, -Decimal(hours))))
    signature = load_signer(fixture.keys[by]).sign(signed_bytes(entry, "H"), namespace_for(fixture.coop.fingerprint()))
    return format_entry(replace(entry, sig=signature_to_line(signature)), "H")


def commit_as(fixture, member: str, changes: dict[str, str], message: str) -> None:
    """A commit signed by a member's key, as coop would make it, of files written by hand."""
    signer = load_signer(fixture.keys[member])
    recorder = book.Recorder(fixture.coop.register().require(member), signer)
    with fixture.coop.writing():
        fixture.coop.commit(changes, message, recorder.author, signer)


def appended(fixture, relative: str, text: str) -> str:
    path = fixture.root / relative
    return append_text(path.read_text() if path.exists() else "", [text])


def make_secretary(fixture, member: str = "bernard") -> None:
    decision = fixture.decision(f"{member} secrétaire")
    done = fixture.run("member", "role", member, "+secretary", "--decision", decision)
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------- 5. late slips

def test_5_a_late_slip_is_judged_at_the_exchanges_date_in_record_and_verify(coop_repo):
    decision = coop_repo.decision("Suspendre Bernard")  # a meeting of 2026-03-10
    assert coop_repo.run("member", "status", "bernard", "suspended", "--decision", decision).returncode == 0
    assert f"history: [active until {decision}]" in (coop_repo.root / "members.yaml").read_text()
    before = coop_repo.run("record", "bernard", "agnes", "2", "Jardinage, avant la suspension", "--date", "2026-03-09")
    assert before.returncode == 0, before.stderr
    after = coop_repo.run("record", "bernard", "agnes", "2", "Jardinage", "--date", "2026-03-10")
    assert after.returncode == 1 and "bernard is suspended" in after.stderr, after.stderr
    assert messages(coop_repo) == []


def test_5_reactivated_a_slip_from_the_suspension_is_still_refused(coop_repo, tmp_path):
    suspended = coop_repo.decision("Suspendre Bernard")
    assert coop_repo.run("member", "status", "bernard", "suspended", "--decision", suspended).returncode == 0
    slug = open_meeting(coop_repo, "Retour", "agnes", "claire", when="2026-04-10")
    done = coop_repo.run("meeting", "decide", slug, "Bernard revient", "--consensus")
    assert done.returncode == 0, done.stderr
    back = done.stdout.split(":")[0]
    assert coop_repo.run("member", "status", "bernard", "active", "--decision", back).returncode == 0
    assert f"history: [active until {suspended}, suspended until {back}]" in (coop_repo.root / "members.yaml").read_text()
    during = coop_repo.run("record", "bernard", "agnes", "1", "Pendant", "--date", "2026-03-20")
    assert during.returncode == 1 and f"bernard was suspended on 2026-03-20" in during.stderr, during.stderr
    for day in ("2026-03-01", "2026-04-11"):
        done = coop_repo.run("record", "bernard", "agnes", "1", f"Le {day}", "--date", day)
        assert done.returncode == 0, done.stderr
    assert messages(coop_repo) == []
    # verify judges an entry at its date too: one of the suspension, signed by the treasurer, is refused.
    commit_as(coop_repo, "agnes", {"ledger/2026-03.journal": appended(coop_repo, "ledger/2026-03.journal",
                                                                    signed(coop_repo, "agnes", "members:bernard", "members:agnes", "1", date(2026, 3, 21)))},
              "record by hand\n")
    caught(coop_repo, "bernard was suspended on 2026-03-21")


def test_5_the_history_of_statuses_cannot_be_rewritten(coop_repo):
    decision = coop_repo.decision("Suspendre Bernard")
    assert coop_repo.run("member", "status", "bernard", "suspended", "--decision", decision).returncode == 0
    path = coop_repo.root / "members.yaml"
    # The treasurer moves the start of the suspension to a later decision, to let older slips through: refused.
    later = coop_repo.decision("Autre chose", ("agnes", "claire"))
    commit_as(coop_repo, "agnes", {"members.yaml": path.read_text().replace(f"active until {decision}", f"active until {later}")}, "history\n")
    caught(coop_repo, "bernard's status or roles changed without citing an adopted decision")


def test_5_a_status_change_must_keep_the_status_it_ends(coop_repo):
    decision = coop_repo.decision("Suspendre Bernard")
    assert coop_repo.run("member", "status", "bernard", "suspended", "--decision", decision).returncode == 0
    again = coop_repo.decision("Bernard part", ("agnes", "claire"))
    path = coop_repo.root / "members.yaml"
    text = path.read_text().replace("status: suspended", "status: left").replace(f"decisions: [{decision}]", f"decisions: [{decision}, {again}]")
    commit_as(coop_repo, "agnes", {"members.yaml": text}, "bernard leaves, the suspension forgotten\n")
    caught(coop_repo, "bernard's status or roles changed without citing an adopted decision")


# ---------------------------------------------------------------- 6. the coop's language

def test_6_minutes_are_written_in_the_coops_language_whatever_the_locale(coop_repo):
    english = open_meeting(coop_repo, "Avant", "agnes", when="2026-03-01", LANGUAGE="fr")  # an English coop, a French secretary
    assert "- Duration: 2.00 h" in minutes(coop_repo, english)
    decision = coop_repo.decision("Le procès-verbal en français")
    done = coop_repo.run("charter", "set", "language", "fr", "--decision", decision)
    assert done.returncode == 0, done.stderr
    first = open_meeting(coop_repo, "Bureau un", "agnes", "bernard", when="2026-03-20", LANGUAGE="en")
    second = open_meeting(coop_repo, "Bureau deux", "agnes", "bernard", when="2026-03-20", LANGUAGE="fr")
    for slug in (first, second):
        assert coop_repo.run("meeting", "note", slug, "Tour de table").returncode == 0
        assert coop_repo.run("meeting", "decide", slug, "Une décision", "--for", "2").returncode == 0
    one, two = minutes(coop_repo, first), minutes(coop_repo, second)
    assert one.replace("Bureau un", "X").replace("D-2026-002", "D") == two.replace("Bureau deux", "X").replace("D-2026-003", "D")
    for line in ("- Durée : 2.00 h", "- Statut : ouverte", "## Présents", "## Décisions", "- Pour : 2", "- Résultat : adoptée"):
        assert line in one, one
    assert coop_repo.run("meeting", "close", first).returncode == 0
    closed = minutes(coop_repo, first)
    assert "- Statut : close" in closed and "## Clôture" in closed and "- Crédités 2.00 h : agnes, bernard" in closed, closed
    assert "- Duration: 2.00 h" in minutes(coop_repo, english)  # an open meeting keeps its language as it grows
    assert coop_repo.run("meeting", "note", english, "Encore").returncode == 0
    assert "- Status: open" in minutes(coop_repo, english)
    listed = coop_repo.run("decisions", "--format", "csv")
    assert listed.returncode == 0 and "D-2026-002" in listed.stdout and "D-2026-001" in listed.stdout
    assert messages(coop_repo) == []


# ---------------------------------------------------------------- 7. notes are markdown

@pytest.mark.parametrize("note", ["Tour de table ; chacun se présente", "**Important** : la cotisation", "12 présents", "Date limite: mardi"])
def test_7_notes_may_hold_what_markdown_holds(coop_repo, note):
    slug = open_meeting(coop_repo, "Notes", "agnes")
    done = coop_repo.run("meeting", "note", slug, note)
    assert done.returncode == 0, done.stderr
    assert f"\n- {note}\n" in minutes(coop_repo, slug)
    assert messages(coop_repo) == []


@pytest.mark.parametrize("note, words", [
    ("# Titre", "heading"), ("* une liste", "list"), ("1. premier", "list"), ("> citation", "quotation"), ("```", "code"),
    ("Status: closed", "minutes' own"), ("Résultat : adoptée", "minutes' own"), ("deux\nlignes", "U+000A"),
])
def test_7_a_note_that_would_change_the_minutes_structure_is_refused(coop_repo, note, words):
    slug = open_meeting(coop_repo, "Notes", "agnes")
    before = coop_repo.snapshot()
    done = coop_repo.run("meeting", "note", slug, note)
    assert done.returncode == 2 and words in done.stderr and "journal" not in done.stderr, done.stderr
    assert coop_repo.snapshot() == before


# ---------------------------------------------------------------- 8. the secretary closes her meeting

def test_8_a_secretary_closes_her_meeting_and_signs_its_credits(coop_repo):
    make_secretary(coop_repo)
    slug = open_meeting(coop_repo, "À clore", "agnes", "bernard", "claire")
    done = coop_repo.run("meeting", "close", slug, as_="bernard")
    assert done.returncode == 0, done.stderr
    credits = [e for e in entries_of(coop_repo.root) if e.tag("meeting") == slug]
    assert [(e.recorder, e.payer, e.hours) for e in credits] == [("bernard", "coop", Decimal(2))] * 3
    assert messages(coop_repo) == []
    assert "secretary" in coop_repo.run("meeting", "close", "--help").stdout
    refused = coop_repo.run("record", "coop", "bernard", "2", "Réunion", as_="bernard")
    assert refused.returncode == 1 and "bernard may only record" in refused.stderr


def test_8_a_secretary_may_sign_meeting_credits_only_in_the_closing_of_that_meeting(coop_repo):
    make_secretary(coop_repo)
    slug = open_meeting(coop_repo, "Close", "agnes", "bernard")
    journal = "ledger/2026-03.journal"
    credit = lambda earner, hours="2": signed(coop_repo, "bernard", "coop", f"members:{earner}", hours, DAY,  # noqa: E731
                                             (("kind", "meeting"), ("meeting", slug)), "Close")
    # Outside the closing commit, a meeting credit she signs is an exchange she may not record.
    commit_as(coop_repo, "bernard", {journal: appended(coop_repo, journal, credit("bernard"))}, "a credit before the close\n")
    caught(coop_repo, "bernard may only record")
    coop_repo.git("reset", "-q", "--hard", "HEAD~1")
    # In the closing commit: each attendee once, the meeting's duration, nothing more.
    closed = minutes(coop_repo, slug).replace("- Status: open", "- Status: closed")
    for extra, words in ((credit("bernard") + "\n" + credit("bernard"), "may only record"), (credit("bernard", "5"), "may only record"),
                         (credit("claire"), "may only record")):
        commit_as(coop_repo, "bernard", {journal: appended(coop_repo, journal, credit("agnes") + "\n" + extra), meetings.path_of(slug): closed},
                  "meeting close by hand\n")
        caught(coop_repo, words)
        coop_repo.git("reset", "-q", "--hard", "HEAD~1")
    commit_as(coop_repo, "bernard", {journal: appended(coop_repo, journal, credit("agnes") + "\n" + credit("bernard")), meetings.path_of(slug): closed},
              "meeting close by hand\n")
    assert messages(coop_repo) == []


# ---------------------------------------------------------------- 9. minutes joined across copies

def env_as(fixture, member: str = "agnes") -> dict[str, str]:
    return cli_env(COOP_AS=member, COOP_KEY=str(fixture.keys[member]), PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])


@pytest.fixture
def copies(coop_repo, tmp_path):
    """An open meeting, a bare remote, and two copies made by `coop clone`."""
    slug = open_meeting(coop_repo, "Assemblée", "agnes")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(coop_repo.root), str(remote)], check=True)
    found = []
    for name in ("a", "b"):
        done = run_coop("clone", str(remote), str(tmp_path / name), env=env_as(coop_repo))
        assert done.returncode == 0, done.stderr
        found.append(tmp_path / name)
    return coop_repo, slug, found


def in_copy(fixture, root: Path, *args: str):
    return run_coop("-C", str(root), *args, env=env_as(fixture))


def test_9_notes_and_attendees_added_in_two_copies_are_joined(copies):
    fixture, slug, (a, b) = copies
    for root, note, member in ((a, "Note de A", "bernard"), (b, "Note de B", "claire")):
        assert in_copy(fixture, root, "meeting", "note", slug, note).returncode == 0
        assert in_copy(fixture, root, "meeting", "attend", slug, member).returncode == 0
    for root in (a, b, a):
        done = in_copy(fixture, root, "sync")
        assert done.returncode == 0, done.stderr
    text = minutes(fixture, slug, a)
    assert text == minutes(fixture, slug, b)
    # b joined a's changes to its own: its attendees and notes first, then a's new ones.
    assert "- agnes (Agnès)\n- claire (Claire)\n- bernard (Bernard)\n" in text and "- Note de B\n- Note de A\n" in text, text
    assert in_copy(fixture, a, "verify", "--full").returncode == 0


def test_9_a_meeting_closed_in_one_copy_and_changed_in_the_other_is_refused_with_the_way_out(copies):
    fixture, slug, (a, b) = copies
    assert in_copy(fixture, a, "meeting", "close", slug).returncode == 0
    assert in_copy(fixture, a, "sync").returncode == 0
    assert in_copy(fixture, b, "meeting", "note", slug, "Trop tard").returncode == 0
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=b, capture_output=True, text=True).stdout
    done = in_copy(fixture, b, "sync")
    assert done.returncode == 1 and len(done.stderr.splitlines()) == 1, done.stderr
    for words in ("closed in one copy", "nothing was merged", "git branch aside && git reset --hard"):
        assert words in done.stderr, done.stderr
    assert subprocess.run(["git", "rev-parse", "HEAD"], cwd=b, capture_output=True, text=True).stdout == head


def test_9_verify_accepts_the_join_and_nothing_else(coop_repo):
    slug = open_meeting(coop_repo, "Jointe", "agnes")
    start = coop_repo.git("rev-parse", "HEAD").strip()
    coop_repo.git("branch", "side", start)
    assert coop_repo.run("meeting", "note", slug, "Ici").returncode == 0
    coop_repo.git("checkout", "-q", "side")
    assert coop_repo.run("meeting", "note", slug, "Là-bas").returncode == 0
    assert coop_repo.run("meeting", "attend", slug, "bernard").returncode == 0
    coop_repo.git("checkout", "-q", "main")
    env = {"PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    coop_repo.signed_git("agnes", "merge", "-q", "--no-edit", "side", env=env)  # git runs coop's minutes driver
    assert "- Ici\n- Là-bas\n" in minutes(coop_repo, slug)
    assert messages(coop_repo) == []
    # The same merge, keeping only our notes: refused.
    ours = coop_repo.git("show", "HEAD~1:" + meetings.path_of(slug))
    (coop_repo.root / meetings.path_of(slug)).write_text(ours.replace("## Attendees\n\n- agnes (Agnès)", "## Attendees\n\n- agnes (Agnès)\n- bernard (Bernard)"))
    coop_repo.signed_git("agnes", "commit", "-q", "-a", "--amend", "--no-edit")
    caught(coop_repo, "not what joining its parents gives")


# ---------------------------------------------------------------- 10. groups renamed and removed

def test_10_groups_are_renamed_and_removed_by_decision(coop_repo):
    decision = coop_repo.decision("Groupes")
    assert coop_repo.run("group", "add", "comunication", "--decision", decision).returncode == 0
    assert coop_repo.run("group", "add", "jardin", "--decision", decision).returncode == 0
    assert coop_repo.run("group", "join", "comunication", "bernard").returncode == 0
    done = coop_repo.run("group", "rename", "comunication", "communication", "--decision", decision)
    assert done.returncode == 0, done.stderr
    assert coop_repo.run("group", "remove", "jardin", "--decision", decision).returncode == 0
    groups = coop_repo.coop.register().groups
    assert [(g.name, g.members, g.decision) for g in groups] == [("communication", ("bernard",), decision)]
    for args, words in ((("group", "remove", "jardin", "--decision", decision), "no group"),
                        (("group", "rename", "communication", "x", "--decision", "D-2026-099"), "no decision"),
                        (("group", "remove", "communication"), "--decision")):
        before = coop_repo.snapshot()
        done = coop_repo.run(*args)
        assert done.returncode in (1, 2) and words in done.stderr, done.stderr
        assert coop_repo.snapshot() == before
    assert messages(coop_repo) == []


def test_10_a_group_removed_without_citing_a_decision_is_refused(coop_repo):
    decision = coop_repo.decision("Groupe jardin")
    assert coop_repo.run("group", "add", "jardin", "--decision", decision).returncode == 0
    text = (coop_repo.root / "members.yaml").read_text()
    without = text[: text.index("groups:")]
    commit_as(coop_repo, "agnes", {"members.yaml": without}, "group remove: jardin\n")
    caught(coop_repo, "the group jardin was removed or renamed without citing an adopted decision")
    coop_repo.git("reset", "-q", "--hard", "HEAD~1")
    commit_as(coop_repo, "agnes", {"members.yaml": without}, f"group remove: jardin\n\nDecision: {decision}\n")
    assert messages(coop_repo) == []


# ---------------------------------------------------------------- 11. what the closing writes

def test_11_the_closing_writes_the_quorum_count_and_who_was_credited(coop_repo):
    slug = open_meeting(coop_repo, "Avant la suspension", "agnes", "bernard", "claire", when="2026-03-10")
    suspend = coop_repo.decision("Suspendre Bernard")
    assert coop_repo.run("member", "status", "bernard", "suspended", "--decision", suspend).returncode == 0
    assert coop_repo.run("member", "add", "dora", "--name", "Dora", "--since", "2020-03-10").returncode == 0
    done = coop_repo.run("meeting", "close", slug)
    assert done.returncode == 0, done.stderr
    text = minutes(coop_repo, slug)
    assert text.endswith("## Closing\n\n- Present: 3 of 3 active members (quorum 0.5: met)\n"
                         "- Credited 2.00 h: agnes, claire\n- Not credited: bernard\n"), text
    shown = json.loads(coop_repo.run("meeting", "show", slug, "--format", "json").stdout)
    assert shown["closing"] == {"present": 3, "active": 3, "quorum": "0.5", "quorum_met": True, "hours": "2.00",
                                "credited": ["agnes", "claire"], "not_credited": ["bernard"]}
    assert messages(coop_repo) == []
    # A closing whose summary says otherwise than what it did is refused.
    forged = text.replace("- Credited 2.00 h: agnes, claire\n- Not credited: bernard", "- Credited 2.00 h: agnes, bernard, claire\n- Not credited: nobody")
    (coop_repo.root / meetings.path_of(slug)).write_text(forged)
    coop_repo.signed_git("agnes", "commit", "-q", "-a", "--amend", "--no-edit")
    caught(coop_repo, "the closing's summary")
