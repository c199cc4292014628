"""Meetings, decisions and the charter on real repositories: quorum, majorities, credits, and changes that need a decision."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from coop_cli import meetings
from helpers import entries_of, hledger_balances

SLUG = "2026-03-10-assemblee-pleniere"


def meeting(coop_repo, *attendees: str, title: str = "Assemblée plénière") -> str:
    done = coop_repo.run("meeting", "new", title, "--date", "2026-03-10", "--duration", "2", "--place", "Maison des associations")
    assert done.returncode == 0, done.stderr
    slug = meetings.slug_for(__import__("datetime").date(2026, 3, 10), title)
    if attendees:
        assert coop_repo.run("meeting", "attend", slug, *attendees).returncode == 0
    return slug


def decide(coop_repo, slug: str, *votes: str, text: str = "Une décision") -> str:
    done = coop_repo.run("meeting", "decide", slug, text, *votes)
    assert done.returncode == 0, done.stderr
    return done.stdout.split(":")[1].strip().split(" (")[0]


def add_member(coop_repo, member_id: str) -> None:
    assert coop_repo.run("member", "add", member_id, "--name", member_id.capitalize(), "--since", "2020-03-10").returncode == 0


def set_rule(coop_repo, key: str, value: str) -> None:
    """Change a rule through the governance path itself: a consensus decision of a full meeting."""
    slug = meeting(coop_repo, "agnes", "bernard", "claire", title=f"Règle {key} {value}".replace(".", " "))
    decision_id = json.loads(coop_repo.run("decisions", "--format", "json").stdout or "[]")
    decide(coop_repo, slug, "--consensus", text=f"{key} = {value}")
    found = json.loads(coop_repo.run("decisions", "--format", "json", "--search", f"{key} = {value}").stdout)[0]["id"]
    done = coop_repo.run("charter", "set", key, value, "--decision", found)
    assert done.returncode == 0, done.stderr
    del decision_id


def test_quorum_exactly_met_and_one_short(coop_repo):
    add_member(coop_repo, "dora")  # four active members; the default quorum is 0.5
    met = meeting(coop_repo, "agnes", "bernard", title="Deux présents")
    assert decide(coop_repo, met, "--for", "2") == "adopted"
    short = meeting(coop_repo, "agnes", title="Un présent")
    assert decide(coop_repo, short, "--for", "1") == "no quorum"


@pytest.mark.parametrize(
    "majority, votes, outcome",
    [
        ("simple", ("--for", "2", "--against", "1"), "adopted"),
        ("simple", ("--for", "1", "--against", "1", "--abstain", "1"), "rejected"),
        ("two-thirds", ("--for", "2", "--against", "1"), "adopted"),
        ("two-thirds", ("--for", "1", "--against", "1"), "rejected"),
        ("consensus", ("--for", "2", "--against", "1"), "rejected"),
        ("consensus", ("--for", "3"), "adopted"),
        ("consensus", ("--consensus",), "adopted"),
    ],
)
def test_each_majority_rule(coop_repo, majority, votes, outcome):
    if majority != "simple":
        set_rule(coop_repo, "majority", majority)
    slug = meeting(coop_repo, "agnes", "bernard", "claire", title="Vote")
    assert decide(coop_repo, slug, *votes) == outcome


def test_decision_ids_are_unique_across_meetings(coop_repo):
    first = meeting(coop_repo, "agnes", "bernard", title="Première")
    second = meeting(coop_repo, "agnes", "bernard", title="Seconde")
    ids = [decide(coop_repo, first, "--consensus"), decide(coop_repo, second, "--consensus"), decide(coop_repo, first, "--consensus")]
    listed = json.loads(coop_repo.run("decisions", "--format", "json").stdout)
    assert [d["id"] for d in listed] == ["D-2026-001", "D-2026-003", "D-2026-002"]
    assert ids == ["adopted"] * 3


def test_closing_credits_every_attendee_from_the_coop_account(coop_repo):
    slug = meeting(coop_repo, "agnes", "bernard", "claire")
    before = int(coop_repo.git("rev-list", "--count", "HEAD"))
    done = coop_repo.run("meeting", "close", slug)
    assert done.returncode == 0, done.stderr
    assert int(coop_repo.git("rev-list", "--count", "HEAD")) == before + 1
    shown = coop_repo.git("show", "--stat", "--format=%s", "HEAD")
    assert "ledger/meetings/" in shown and "ledger/2026-03.journal" in shown
    credits = entries_of(coop_repo.root)
    assert [(e.payer, e.earner, e.hours, e.kind, e.tag("meeting")) for e in credits] == [
        ("coop", f"members:{m}", Decimal(2), "meeting", slug) for m in ("agnes", "bernard", "claire")
    ]
    assert hledger_balances(coop_repo.root) == {"coop": Decimal(-6), "members:agnes": Decimal(2), "members:bernard": Decimal(2), "members:claire": Decimal(2)}
    assert "- Status: closed" in (coop_repo.root / meetings.path_of(slug)).read_text()
    verified = coop_repo.run("verify", "--full", as_=None)
    assert verified.returncode == 0, verified.stdout


def test_closed_minutes_are_append_only_for_verify(coop_repo):
    slug = meeting(coop_repo, "agnes")
    coop_repo.run("meeting", "close", slug)
    path = coop_repo.root / meetings.path_of(slug)
    path.write_text(path.read_text().replace("Maison des associations", "Ailleurs"))
    coop_repo.git("-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qam", "edit")
    done = coop_repo.run("verify", "--full", "--format", "json", as_=None)
    assert done.returncode == 1 and any("after the meeting was closed" in f["message"] for f in json.loads(done.stdout))


def test_governance_changes_need_an_adopted_decision(coop_repo):
    slug = meeting(coop_repo, "agnes", "bernard", "claire")
    rejected = decide(coop_repo, slug, "--for", "1", "--against", "2", text="Suspendre Bernard")
    assert rejected == "rejected"
    before = coop_repo.snapshot()
    for args in (
        ("member", "status", "bernard", "suspended", "--decision", "D-2026-001"),
        ("member", "status", "bernard", "suspended", "--decision", "D-2026-099"),
        ("member", "role", "claire", "+auditor", "--decision", "D-2026-001"),
        ("charter", "set", "max_exchange", "12", "--decision", "D-2026-001"),
        ("group", "add", "communication", "--decision", "D-2026-001"),
    ):
        done = coop_repo.run(*args)
        assert done.returncode == 1 and len(done.stderr.splitlines()) == 1, (args, done.stderr)
        assert "D-2026-0" in done.stderr
    missing = coop_repo.run("member", "status", "bernard", "suspended")
    assert missing.returncode == 2
    assert coop_repo.snapshot() == before


def test_a_suspended_member_keeps_their_balance_and_is_refused(coop_repo):
    coop_repo.run("record", "bernard", "agnes", "2", "Jardinage", "--date", "2026-03-01")
    slug = meeting(coop_repo, "agnes", "bernard", "claire")
    decision = json.loads(coop_repo.run("decisions", "--format", "json").stdout or "[]")
    assert decision == []
    decide(coop_repo, slug, "--for", "3", text="Suspendre Bernard trois mois")
    done = coop_repo.run("member", "status", "bernard", "suspended", "--decision", "D-2026-001")
    assert done.returncode == 0, done.stderr
    assert "decisions: [D-2026-001]" in (coop_repo.root / "members.yaml").read_text()
    refused = coop_repo.run("record", "bernard", "claire", "1", "Couture")
    assert refused.returncode == 1 and "bernard is suspended" in refused.stderr
    rows = {r["member"]: r for r in json.loads(coop_repo.run("balance", "--format", "json").stdout)}
    assert rows["bernard"]["status"] == "suspended" and rows["bernard"]["balance"] == "-2.00"
    assert coop_repo.run("verify", "--full", as_=None).returncode == 0


def test_roles_and_charter_rules_change_by_decision(coop_repo):
    slug = meeting(coop_repo, "agnes", "bernard", "claire")
    decide(coop_repo, slug, "--consensus", text="Claire devient auditrice, échanges de 12 h au plus")
    assert coop_repo.run("member", "role", "claire", "+auditor", "--decision", "D-2026-001").returncode == 0
    charter_before = (coop_repo.root / "charter.md").read_text()
    assert coop_repo.run("charter", "set", "max_exchange", "12", "--decision", "D-2026-001").returncode == 0
    charter_after = (coop_repo.root / "charter.md").read_text()
    assert "max_exchange: 12          # most hours in one exchange (D-2026-001)" in charter_after
    assert charter_after.replace("max_exchange: 12          # most hours in one exchange (D-2026-001)", "max_exchange: 24          # most hours in one exchange") == charter_before
    refused = coop_repo.run("record", "bernard", "agnes", "13", "Long chantier")
    assert refused.returncode == 1 and "max_exchange of 12" in refused.stderr
    assert coop_repo.run("verify", "--full", as_=None).returncode == 0


def test_working_groups(coop_repo):
    register = coop_repo.root / "members.yaml"
    register.write_text("# Tenu par la secrétaire\n" + register.read_text().replace("name: Claire\n", "name: Claire  # co-fondatrice\n"))
    coop_repo.git("-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qam", "comments")
    slug = meeting(coop_repo, "agnes", "bernard", "claire")
    decide(coop_repo, slug, "--consensus", text="Créer le groupe communication")
    assert coop_repo.run("group", "add", "communication", "--decision", "D-2026-001").returncode == 0
    assert coop_repo.run("group", "join", "communication", "bernard", "claire").returncode == 0
    groups = json.loads(coop_repo.run("group", "list", "--format", "json").stdout)
    assert groups == [{"group": "communication", "decision": "D-2026-001", "members": "bernard claire"}]
    listed = json.loads(coop_repo.run("member", "list", "--group", "communication", "--format", "json").stdout)
    assert [m["member"] for m in listed] == ["bernard", "claire"]
    stranger = coop_repo.run("group", "join", "communication", "zoe")
    assert stranger.returncode == 1
    assert coop_repo.run("member", "role", "claire", "+secretary", "--decision", "D-2026-001").returncode == 0
    text = register.read_text()
    assert text.startswith("# Tenu par la secrétaire\n") and "name: Claire  # co-fondatrice" in text


def test_minutes_are_stable_markdown(coop_repo):
    slug = meeting(coop_repo, "agnes", "bernard")
    coop_repo.run("meeting", "note", slug, "Tour de table : chacun se présente")
    decide(coop_repo, slug, "--for", "2", text="Adopter la charte")
    coop_repo.run("meeting", "close", slug)
    path = coop_repo.root / meetings.path_of(slug)
    text = path.read_text()
    names = {m.id: m.name for m in coop_repo.coop.register().members}
    assert meetings.render(meetings.parse(text, slug), names) == text
    shown = coop_repo.run("meeting", "show", slug)
    assert shown.stdout == text
    assert text.startswith("# Assemblée plénière\n\n- Date: 2026-03-10\n")


@pytest.mark.parametrize(
    "args, words, status",
    [
        (("meeting", "attend", "2026-01-01-inconnue", "agnes"), ("no meeting",), 1),
        (("meeting", "attend", "../../members", "agnes"), ("not a meeting",), 2),
        (("meeting", "note", "2026-03-10-../../../etc/passwd", "x"), ("not a meeting",), 2),
        (("meeting", "close", SLUG), ("closed",), 1),
        (("meeting", "attend", SLUG, "claire"), ("closed",), 1),
        (("meeting", "decide", SLUG, "x", "--for", "1"), ("closed",), 1),
        (("meeting", "new", "X", "--date", "2026-02-30", "--duration", "1"), ("no day 2026-02-30",), 2),
        (("meeting", "new", "X\nY", "--date", "2026-02-01", "--duration", "1"), ("U+000A",), 2),
        (("meeting", "new", "X", "--date", "2026-02-01", "--duration", "30"), ("cannot be credited", "max_exchange"), 1),
        (("meeting", "new", "X", "--date", "2026-02-01", "--duration", "0.3"), ("cannot be credited", "step"), 1),
        (("meeting", "new", "X", "--date", "2026-02-01", "--duration", "1", "--as", "bernard", "--key", "BERNARD"), ("the minutes",), 1),
        (("group", "add", "jardin", "--decision", "D-2026-001", "--as", "claire", "--key", "CLAIRE"), ("the register",), 1),
    ],
)
def test_bad_meeting_input_writes_nothing(coop_repo, args, words, status):
    slug = meeting(coop_repo, "agnes")
    assert slug == SLUG
    coop_repo.run("meeting", "close", slug)
    args = tuple(str(coop_repo.keys[a.lower()]) if a in ("BERNARD", "CLAIRE") else a for a in args)
    before = coop_repo.snapshot()
    done = coop_repo.run(*args)
    assert done.returncode == status, done.stderr
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    for word in words:
        assert word in done.stderr
    assert coop_repo.snapshot() == before


def test_more_votes_than_attendees_is_refused(coop_repo):
    slug = meeting(coop_repo, "agnes", "bernard")
    done = coop_repo.run("meeting", "decide", slug, "x", "--for", "3")
    assert done.returncode == 1 and "3 members voted or abstained but only 2 attend" in done.stderr
    done = coop_repo.run("meeting", "decide", slug, "x")
    assert done.returncode == 2 and "--consensus" in done.stderr


def test_an_attendee_who_is_not_a_member_is_refused(coop_repo):
    slug = meeting(coop_repo, "agnes")
    before = coop_repo.snapshot()
    done = coop_repo.run("meeting", "attend", slug, "bernard", "zoe")
    assert done.returncode == 1 and "'zoe'" in done.stderr
    assert coop_repo.snapshot() == before


def decision_for(coop_repo, text: str) -> str:
    slug = meeting(coop_repo, "agnes", "bernard", "claire", title=text)
    decide(coop_repo, slug, "--consensus", text=text)
    return json.loads(coop_repo.run("decisions", "--format", "json", "--search", text).stdout)[0]["id"]


def test_a_member_suspended_after_the_meeting_is_named_not_a_meeting_that_never_closes(coop_repo):
    slug = meeting(coop_repo, "agnes", "bernard", "claire", title="Avant la suspension")
    decision = decision_for(coop_repo, "Suspendre Bernard")
    assert coop_repo.run("member", "status", "bernard", "suspended", "--decision", decision).returncode == 0
    done = coop_repo.run("meeting", "close", slug)
    assert done.returncode == 0, done.stderr
    assert "bernard is not credited" in done.stderr and "suspended" in done.stderr
    credited = sorted(e.earner for e in entries_of(coop_repo.root) if e.tag("meeting") == slug)
    assert credited == ["members:agnes", "members:claire"]
    assert "bernard is not credited" in coop_repo.git("log", "-1", "--format=%B")
    assert coop_repo.run("verify", "--full", as_=None).returncode == 0


def test_decisions_wait_for_the_meeting_and_attendees_must_have_joined(coop_repo):
    later = coop_repo.run("meeting", "new", "Plus tard", "--date", "2999-01-01", "--duration", "1")
    assert later.returncode == 0, later.stderr  # minutes may be opened ahead, to prepare the agenda
    slug = meetings.slug_for(__import__("datetime").date(2999, 1, 1), "Plus tard")
    done = coop_repo.run("meeting", "decide", slug, "x", "--consensus")
    assert done.returncode == 1 and "has not happened yet" in done.stderr
    early = coop_repo.run("meeting", "new", "Avant", "--date", "2019-01-01", "--duration", "1")
    assert early.returncode == 0
    done = coop_repo.run("meeting", "attend", "2019-01-01-avant", "agnes")
    assert done.returncode == 1 and "joined on 2020-03-10, after the meeting" in done.stderr


def test_the_last_treasurer_or_secretary_cannot_be_removed(coop_repo):
    decision = decision_for(coop_repo, "Rôles")
    for args in (("member", "role", "agnes", "-treasurer"), ("member", "status", "agnes", "left")):
        before = coop_repo.snapshot()
        done = coop_repo.run(*args, "--decision", decision)
        assert done.returncode == 1 and "last active treasurer or secretary" in done.stderr, done.stderr
        assert coop_repo.snapshot() == before
    assert coop_repo.run("member", "role", "claire", "+secretary", "--decision", decision).returncode == 0
    done = coop_repo.run("member", "role", "agnes", "-treasurer", "--decision", decision)  # -ROLE as the help writes it
    assert done.returncode == 0, done.stderr


def test_changes_that_change_nothing_make_no_commit(coop_repo):
    decision = decision_for(coop_repo, "Groupe jardin")
    assert coop_repo.run("group", "add", "jardin", "--decision", decision).returncode == 0
    assert coop_repo.run("group", "join", "jardin", "bernard").returncode == 0
    for args, words in (
        (("group", "join", "jardin", "bernard"), "already has bernard"),
        (("charter", "set", "max_exchange", "24", "--decision", decision), "already says max_exchange: 24"),
    ):
        before = coop_repo.snapshot()
        done = coop_repo.run(*args)
        assert done.returncode == 1 and words in done.stderr, done.stderr
        assert coop_repo.snapshot() == before


def test_a_negative_limit_and_a_unit_change(coop_repo):
    decision = decision_for(coop_repo, "Limites")
    done = coop_repo.run("charter", "set", "min_balance", "-30", "--decision", decision)
    assert done.returncode == 0, done.stderr
    assert coop_repo.run("record", "bernard", "agnes", "1", "Jardinage", "--date", "2026-03-10").returncode == 0
    done = coop_repo.run("charter", "set", "unit", "XX", "--decision", decision)
    assert done.returncode == 1 and "unit cannot change" in done.stderr


def signed_git(coop_repo, member: str, *args: str) -> None:
    """Plain git, committing as a member with their key: what anyone holding a key can do without coop."""
    coop_repo.git("-c", f"user.name={member}", "-c", f"user.email={member}@coop.invalid", "-c", "gpg.format=ssh",
                  "-c", f"user.signingkey={coop_repo.keys[member]}", "-c", "commit.gpgsign=true", *args)


def verify_messages(coop_repo) -> list[str]:
    done = coop_repo.run("verify", "--full", "--format", "json", as_=None)
    found = json.loads(done.stdout or "[]")
    assert done.returncode == (1 if found else 0), done.stderr
    return [f["message"] for f in found]


def test_verify_checks_what_minutes_say_of_their_decisions(coop_repo):
    """Minutes edited with plain git and signed by a treasurer: outcomes follow from the vote, and written ones stay."""
    slug = meeting(coop_repo, "agnes", "bernard", "claire", title="Vote serré")
    assert decide(coop_repo, slug, "--for", "1", "--against", "2") == "rejected"
    path = coop_repo.root / meetings.path_of(slug)
    minutes = path.read_text()
    path.write_text(minutes.replace("- Outcome: rejected", "- Outcome: adopted"))
    signed_git(coop_repo, "agnes", "commit", "-qam", "outcome flipped")
    assert verify_messages(coop_repo) == [f"{meetings.path_of(slug)}: open minutes may only gain attendees, notes and decisions"]
    coop_repo.git("reset", "-q", "--hard", "HEAD~1")
    forged = minutes.replace("- Outcome: rejected", "- Outcome: rejected\n\n### D-2026-002\n\n> Ajout\n\n- For: 1\n- Against: 2\n- Abstain: 0\n- Outcome: adopted")
    path.write_text(forged)
    signed_git(coop_repo, "agnes", "commit", "-qam", "a decision written by hand")
    assert coop_repo.run("decisions", "--search", "Ajout", as_=None).returncode == 0  # the forgery reads as minutes
    assert verify_messages(coop_repo) == [f"{meetings.path_of(slug)}: the decision D-2026-002 is written adopted, but its vote gives rejected"]
    coop_repo.git("reset", "-q", "--hard", "HEAD~1")
    path.write_text(minutes + "garbage\n")
    signed_git(coop_repo, "agnes", "commit", "-qam", "garbage")
    assert any("cannot be read" in m for m in verify_messages(coop_repo))
    coop_repo.git("reset", "-q", "--hard", "HEAD~1")
    signed_git(coop_repo, "agnes", "rm", "-q", str(path))
    signed_git(coop_repo, "agnes", "commit", "-qm", "minutes removed")
    assert verify_messages(coop_repo) == [f"{meetings.path_of(slug)} was deleted; minutes are kept for good"]


def test_only_officers_write_minutes_and_a_merge_cannot_reopen_them(coop_repo):
    slug = meeting(coop_repo, "agnes", "bernard", "claire", title="Fermée")
    open_commit = coop_repo.git("rev-parse", "HEAD").strip()
    assert coop_repo.run("meeting", "close", slug).returncode == 0
    assert verify_messages(coop_repo) == []
    coop_repo.git("branch", "side", open_commit)
    coop_repo.git("checkout", "-q", "side")
    signed_git(coop_repo, "agnes", "commit", "-q", "--allow-empty", "-m", "a copy that never saw the close")
    coop_repo.git("checkout", "-q", "main")
    signed_git(coop_repo, "agnes", "merge", "-q", "-s", "ours", "--no-edit", "side")  # a merge is harmless if it takes ours
    assert verify_messages(coop_repo) == []
    signed_git(coop_repo, "agnes", "checkout", "-q", "side", "--", meetings.path_of(slug))
    signed_git(coop_repo, "agnes", "commit", "-q", "--amend", "--no-edit")  # the same merge, taking the open minutes back
    assert verify_messages(coop_repo) == [
        f"{meetings.path_of(slug)} in the merge is not what joining its parents gives: it undoes a change of one side or adds its own"]
    coop_repo.git("reset", "-q", "--hard", "HEAD~1")
    other = meeting(coop_repo, "agnes", title="Ouverte")
    path = coop_repo.root / meetings.path_of(other)
    path.write_text(path.read_text().replace("## Notes\n\n_None yet._", "## Notes\n\n- Bernard écrit seul"))
    signed_git(coop_repo, "bernard", "commit", "-qam", "a note by a member without a role")
    assert verify_messages(coop_repo) == [f"{meetings.path_of(other)} was changed by a commit that no treasurer or secretary signed"]


def test_verify_wants_status_changes_to_cite_an_adopted_decision(coop_repo):
    decision = decision_for(coop_repo, "Suspendre Claire")
    assert coop_repo.run("member", "status", "claire", "suspended", "--decision", decision).returncode == 0
    assert coop_repo.run("verify", "--full", as_=None).returncode == 0  # through coop, the decision is cited
    path = coop_repo.root / "members.yaml"
    path.write_text(path.read_text().replace("name: Bernard\n    since: 2020-03-10\n    status: active", "name: Bernard\n    since: 2020-03-10\n    status: suspended"))
    coop_repo.git("-c", "user.name=Agnès", "-c", "user.email=agnes@coop.invalid", "-c", "gpg.format=ssh",
                  "-c", f"user.signingkey={coop_repo.keys['agnes']}", "commit", "-q", "-S", "-am", "suspend bernard")
    done = coop_repo.run("verify", "--full", "--format", "json", as_=None)
    assert done.returncode == 1
    assert [f["message"] for f in json.loads(done.stdout)] == ["bernard's status or roles changed without citing an adopted decision of the minutes"]


def test_decisions_are_found_without_their_accents(coop_repo):
    slug = meeting(coop_repo, "agnes", "bernard", title="Jardins")
    decide(coop_repo, slug, "--consensus", text="Créer le groupe Jardins partagés")
    found = json.loads(coop_repo.run("decisions", "--format", "json", "--search", "creer le groupe jardins PARTAGES").stdout)
    assert [d["id"] for d in found] == ["D-2026-001"]


def test_a_close_that_would_credit_nobody_is_refused_not_final(coop_repo):
    """Credits the charter refuses (a duration off a step set since the meeting opened): closing must not seal minutes whose credits are lost."""
    slug = meeting(coop_repo, "agnes", "bernard", "claire", title="À clore")
    set_rule(coop_repo, "step", "1.5")
    before = coop_repo.snapshot()
    done = coop_repo.run("meeting", "close", slug)
    assert done.returncode == 1 and "cannot close" in done.stderr and "step" in done.stderr, done.stderr
    assert coop_repo.snapshot() == before
