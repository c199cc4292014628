"""`coop verify` on real histories: untouched books pass; each way of tampering is caught and named."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from coop_cli import book
from coop_cli.journal import append_text, format_entry, signed_bytes
from coop_cli.model import Entry, Posting, namespace_for
from coop_cli.signing import load_signer, signature_to_line
from conftest import cli_env, run_coop, ssh_keygen_key
from helpers import entries_of, fingerprint_of

ROOT = Path(__file__).resolve().parent.parent
PLAIN_GIT = ["-c", "user.name=Mallory", "-c", "user.email=mallory@example.org", "-c", "commit.gpgsign=false"]


def verify(coop_repo, *args: str):
    done = coop_repo.run("verify", "--full", "--format", "json", *args, as_=None)
    return done.returncode, json.loads(done.stdout or "[]"), done.stderr


def problems(coop_repo) -> list[str]:
    status, found, stderr = verify(coop_repo)
    assert status == (1 if found else 0), stderr
    return [f["message"] for f in found]


def assert_caught(coop_repo, *words: str) -> None:
    found = problems(coop_repo)
    assert found, "verify passed on tampered books"
    assert any(all(w in message for w in words) for message in found), found


def recorded(coop_repo) -> None:
    for args in (("bernard", "agnes", "2", "Jardinage"), ("claire", "bernard", "1.5", "Couture"), ("coop", "claire", "1", "Réunion")):
        done = coop_repo.run("record", *args, "--date", "2026-03-10")
        assert done.returncode == 0, done.stderr


def git(coop_repo, *args: str, env: dict | None = None) -> str:
    return subprocess.run(["git", *PLAIN_GIT, *args], cwd=coop_repo.root, capture_output=True, text=True, check=True,
                          env={**os.environ, **(env or {})}).stdout


def commit_by_hand(coop_repo, message: str = "hand edit", env: dict | None = None) -> None:
    git(coop_repo, "commit", "-qam", message, env=env)


def signed_entry(coop_repo, signer_key: Path, by: str, payer: str, earner: str, hours: str = "1", when: date = date(2026, 3, 11)) -> str:
    """An entry written and signed exactly as coop would, but by whoever holds `signer_key`."""
    entry = Entry(when, "Forgé", (("id", book.new_id()), ("by", by), ("kind", "exchange")),
                  (Posting(earner, Decimal(hours)), Posting(payer, -Decimal(hours))))
    signer = load_signer(signer_key)
    namespace = namespace_for(coop_repo.coop.fingerprint())  # a forger signs for this coop, as coop would
    return format_entry(replace(entry, sig=signature_to_line(signer.sign(signed_bytes(entry, "H"), namespace))), "H")


def append_and_commit(coop_repo, text: str, member: str | None = None, signer_key: Path | None = None) -> None:
    """Append to March's journal and commit: by hand (unsigned), or signed by a member's key as coop would."""
    path = coop_repo.root / "ledger" / "2026-03.journal"
    new = append_text(path.read_text(), [text])
    if member is None:
        path.write_text(new)
        commit_by_hand(coop_repo)
        return
    register = coop_repo.coop.register()
    signer = load_signer(signer_key or coop_repo.keys[member])
    recorder = book.Recorder(register.require(member), signer)
    with coop_repo.coop.writing():
        coop_repo.coop.commit({"ledger/2026-03.journal": new}, "record by hand\n", recorder.author, signer)


def test_untouched_books_verify(coop_repo):
    recorded(coop_repo)
    coop_repo.run("revert", entries_of(coop_repo.root)[0].id, "--reason", "Erreur")
    assert problems(coop_repo) == []
    again = coop_repo.run("verify", as_=None)
    assert again.returncode == 0 and "The books verify" in again.stderr


def test_the_example_coop_verifies_from_its_fingerprint():
    """This repository's history holds earlier example books: the fingerprint says where the example coop begins."""
    fingerprint = fingerprint_of(ROOT)
    done = run_coop("verify", "--full", "--expect", fingerprint, cwd=ROOT, env=cli_env())
    assert done.returncode == 0 and fingerprint in done.stderr, done.stdout + done.stderr


def test_an_amount_edited_in_an_old_entry(coop_repo):
    recorded(coop_repo)
    path = coop_repo.root / "ledger" / "2026-03.journal"
    path.write_text(path.read_text().replace("members:agnes                 2.00 H", "members:agnes                 9.00 H", 1)
                    .replace("members:bernard              -2.00 H", "members:bernard              -9.00 H", 1))
    commit_by_hand(coop_repo)
    assert_caught(coop_repo, "append-only")


def test_an_amount_edited_by_rewriting_the_commit_that_added_it(coop_repo):
    recorded(coop_repo)
    path = coop_repo.root / "ledger" / "2026-03.journal"
    path.write_text(path.read_text().replace("1.00 H", "5.00 H").replace("-1.00 H", "-5.00 H"))
    git(coop_repo, "commit", "-q", "--amend", "-a", "--no-edit")
    assert_caught(coop_repo, "signature does not verify")
    assert_caught(coop_repo, "not signed")


def test_an_entry_deleted(coop_repo):
    recorded(coop_repo)
    path = coop_repo.root / "ledger" / "2026-03.journal"
    path.write_text("\n\n".join(path.read_text().split("\n\n")[1:]))
    commit_by_hand(coop_repo)
    assert_caught(coop_repo, "removed")


def test_a_journal_file_deleted(coop_repo):
    recorded(coop_repo)
    git(coop_repo, "rm", "-q", "ledger/2026-03.journal")
    commit_by_hand(coop_repo)
    assert_caught(coop_repo, "deleted")


def test_a_description_edited(coop_repo):
    recorded(coop_repo)
    path = coop_repo.root / "ledger" / "2026-03.journal"
    path.write_text(path.read_text().replace("* Couture", "* Couture et repassage"))
    commit_by_hand(coop_repo)
    assert_caught(coop_repo, "append-only")


def test_uncommitted_changes_that_the_reports_would_show_do_not_verify(coop_repo):
    """Verify checks the history; coop balance reads the working tree: verify must not vouch for books it did not check."""
    recorded(coop_repo)
    path = coop_repo.root / "ledger" / "2026-03.journal"
    path.write_text(path.read_text().replace("2.00 H", "9.00 H").replace("-2.00 H", "-9.00 H"))
    (coop_repo.root / "ledger" / "2026-04.journal").write_text("")
    status, found, _err = verify(coop_repo)
    assert status == 1 and {f["where"] for f in found} == {"ledger/2026-03.journal", "ledger/2026-04.journal"}
    assert all("no commit holds" in f["message"] for f in found)
    git(coop_repo, "checkout", "-q", "--", "ledger")
    (coop_repo.root / "ledger" / "2026-04.journal").unlink()
    assert problems(coop_repo) == []


def test_a_signature_from_a_key_not_in_the_register(coop_repo, tmp_path):
    recorded(coop_repo)
    stranger = ssh_keygen_key(tmp_path, "mallory")
    append_and_commit(coop_repo, signed_entry(coop_repo, stranger, "agnes", "members:bernard", "members:agnes"), "agnes")
    assert_caught(coop_repo, "did not have")


def test_a_key_slipped_into_the_register_by_an_unsigned_commit_then_used(coop_repo, tmp_path):
    recorded(coop_repo)
    stranger = ssh_keygen_key(tmp_path, "mallory")
    members = coop_repo.root / "members.yaml"
    public = stranger.with_suffix(".pub").read_text().strip()
    members.write_text(members.read_text().replace("    keys:\n      - ssh-ed25519", f"    keys:\n      - {public}\n      - ssh-ed25519", 1))
    commit_by_hand(coop_repo, "add a key")
    append_and_commit(coop_repo, signed_entry(coop_repo, stranger, "agnes", "members:bernard", "members:agnes"), "agnes", stranger)
    assert_caught(coop_repo, "members.yaml was changed by a commit that no treasurer or secretary signed")


def test_an_entry_signed_by_a_member_after_their_suspension(coop_repo):
    recorded(coop_repo)
    for args in (("meeting", "new", "AG", "--date", "2026-03-10", "--duration", "1"), ("meeting", "attend", "2026-03-10-ag", "agnes", "bernard", "claire"),
                 ("meeting", "decide", "2026-03-10-ag", "Suspendre Bernard", "--consensus"), ("member", "status", "bernard", "suspended", "--decision", "D-2026-001")):
        assert coop_repo.run(*args).returncode == 0
    assert problems(coop_repo) == []  # a suspension by decision is legitimate
    append_and_commit(coop_repo, signed_entry(coop_repo, coop_repo.keys["bernard"], "bernard", "members:bernard", "members:claire"), "bernard")
    assert_caught(coop_repo, "bernard is suspended")


def test_a_member_who_is_not_a_recorder_recording_someone_elses_payment(coop_repo):
    recorded(coop_repo)
    append_and_commit(coop_repo, signed_entry(coop_repo, coop_repo.keys["bernard"], "bernard", "members:claire", "members:bernard"), "bernard")
    assert_caught(coop_repo, "bernard may only record exchanges they pay themselves")


def test_a_replayed_entry(coop_repo):
    recorded(coop_repo)
    path = coop_repo.root / "ledger" / "2026-03.journal"
    first = path.read_text().split("\n\n")[0] + "\n"
    path.write_text(append_text(path.read_text(), [first]))
    commit_by_hand(coop_repo)
    assert_caught(coop_repo, "appears twice")


def test_a_merge_that_drops_the_other_sides_entries(coop_repo):
    recorded(coop_repo)
    git(coop_repo, "checkout", "-q", "-b", "side")
    coop_repo.run("record", "claire", "agnes", "1", "Côté branche", "--date", "2026-03-12")
    git(coop_repo, "checkout", "-q", "main")
    coop_repo.run("record", "bernard", "claire", "1", "Côté main", "--date", "2026-03-12")
    git(coop_repo, "merge", "-q", "-s", "ours", "side", "-m", "merge side, keeping ours")
    assert_caught(coop_repo, "removed")


def test_a_backdated_commit(coop_repo):
    recorded(coop_repo)
    path = coop_repo.root / "ledger" / "2026-03.journal"
    path.write_text(append_text(path.read_text(), [signed_entry(coop_repo, coop_repo.keys["agnes"], "agnes", "members:bernard", "members:agnes")]))
    commit_by_hand(coop_repo, env={"GIT_COMMITTER_DATE": "2020-01-01T12:00:00+0000", "GIT_AUTHOR_DATE": "2020-01-01T12:00:00+0000"})
    assert_caught(coop_repo, "backdated")


def test_an_unsigned_entry_appended_by_hand(coop_repo):
    recorded(coop_repo)
    entry = Entry(date(2026, 3, 12), "Ajout à la main", (("id", book.new_id()), ("by", "agnes"), ("kind", "exchange")),
                  (Posting("members:agnes", Decimal(3)), Posting("members:claire", Decimal(-3))))
    append_and_commit(coop_repo, format_entry(entry, "H"), "agnes")
    assert_caught(coop_repo, "not signed")


def test_an_entry_in_the_wrong_month_and_unbalanced(coop_repo):
    recorded(coop_repo)
    text = signed_entry(coop_repo, coop_repo.keys["agnes"], "agnes", "members:bernard", "members:agnes", when=date(2026, 4, 2))
    append_and_commit(coop_repo, text, "agnes")
    assert_caught(coop_repo, "not in the file of its month")


def test_limits_are_judged_in_history_order(coop_repo):
    recorded(coop_repo)
    append_and_commit(coop_repo, signed_entry(coop_repo, coop_repo.keys["bernard"], "bernard", "members:bernard", "members:claire", "19.75"), "bernard")
    assert_caught(coop_repo, "min_balance")


def add_auditor(coop_repo, tmp_path) -> Path:
    key = ssh_keygen_key(tmp_path, "eric")
    done = coop_repo.run("member", "add", "eric", "--name", "Eric", "--role", "auditor", "--pubkey", str(key) + ".pub",
                         "--decision", coop_repo.decision("Eric audite les comptes"))
    assert done.returncode == 0, done.stderr
    coop_repo.keys["eric"] = key
    return key


def test_an_audit_tag_verifies_with_git_and_with_coop(coop_repo, tmp_path):
    recorded(coop_repo)
    add_auditor(coop_repo, tmp_path)
    refused = coop_repo.run("audit", "sign")
    assert refused.returncode == 1 and "auditor" in refused.stderr
    done = coop_repo.run("audit", "sign", as_="eric")
    assert done.returncode == 0, done.stderr
    tag = f"audit/{date.today().isoformat()}"
    shown = subprocess.run(["git", "tag", "-v", tag], cwd=coop_repo.root, capture_output=True, text=True)
    assert shown.returncode == 0 and 'Good "git" signature for eric' in shown.stderr
    assert "entries: 3" in shown.stdout and "hours exchanged: 4.50" in shown.stdout
    assert problems(coop_repo) == []


def test_an_audit_tag_moved_to_another_commit(coop_repo, tmp_path):
    recorded(coop_repo)
    add_auditor(coop_repo, tmp_path)
    coop_repo.run("audit", "sign", as_="eric")
    tag = f"audit/{date.today().isoformat()}"
    git(coop_repo, "tag", "-f", tag, "HEAD~2")
    assert_caught(coop_repo, "not a signed annotated tag")
    git(coop_repo, "tag", "-f", "-a", tag, "-m", "audit: moved", "HEAD~2")
    assert_caught(coop_repo, tag)


def test_an_audit_tag_copied_onto_another_commit_keeps_a_signature_that_no_longer_holds(coop_repo, tmp_path):
    recorded(coop_repo)
    add_auditor(coop_repo, tmp_path)
    coop_repo.run("audit", "sign", as_="eric")
    tag = f"audit/{date.today().isoformat()}"
    raw = subprocess.run(["git", "cat-file", "tag", tag], cwd=coop_repo.root, capture_output=True, text=True, check=True).stdout
    head = git(coop_repo, "rev-parse", "HEAD").strip()
    other = git(coop_repo, "rev-parse", "HEAD~1").strip()
    forged = raw.replace(f"object {head}", f"object {other}").replace(f"commit: {head}", f"commit: {other}")
    forged_id = subprocess.run(["git", "hash-object", "-t", "tag", "-w", "--stdin"], cwd=coop_repo.root, input=forged, capture_output=True, text=True, check=True).stdout.strip()
    git(coop_repo, "update-ref", f"refs/tags/{tag}", forged_id)
    assert_caught(coop_repo, "signature does not verify")


def test_verify_is_incremental_and_notices_a_rewrite(coop_repo):
    recorded(coop_repo)
    first = coop_repo.run("verify", as_=None)
    assert first.returncode == 0
    coop_repo.run("record", "bernard", "agnes", "1", "Encore", "--date", "2026-03-12")
    second = coop_repo.run("verify", as_=None)
    assert second.returncode == 0 and "1 commit checked" in second.stderr
    git(coop_repo, "reset", "-q", "--hard", "HEAD~2")
    path = coop_repo.root / "ledger" / "2026-03.journal"
    path.write_text(path.read_text().replace("Couture", "Tricot"))
    commit_by_hand(coop_repo)
    third = coop_repo.run("verify", as_=None)
    assert third.returncode == 1


def test_a_key_removed_later_does_not_invalidate_old_entries(coop_repo):
    coop_repo.run("record", "bernard", "claire", "1", "Couture", "--date", "2026-03-10", as_="bernard")
    members = coop_repo.root / "members.yaml"
    bernard_key = coop_repo.keys["bernard"].with_suffix(".pub").read_text().split()[1]
    text = "\n".join(line for line in members.read_text().split("\n") if bernard_key not in line)
    text = text.replace("name: Bernard\n    since: 2020-03-10\n    status: active\n    roles: []\n    keys:\n", "name: Bernard\n    since: 2020-03-10\n    status: active\n    roles: []\n    keys: []\n")
    signer = load_signer(coop_repo.keys["agnes"])
    with coop_repo.coop.writing():
        coop_repo.coop.commit({"members.yaml": text}, "remove bernard's lost key\n", ("Agnès", "agnes@coop.invalid"), signer)
    assert bernard_key not in members.read_text()
    assert problems(coop_repo) == []
    refused = coop_repo.run("record", "bernard", "claire", "1", "Couture", as_="bernard")
    assert refused.returncode == 1 and "not one of bernard's keys" in refused.stderr


def test_log_shows_who_recorded_what_and_whether_it_verifies(coop_repo, tmp_path):
    recorded(coop_repo)
    done = coop_repo.run("log", "--format", "json", as_=None)
    rows = json.loads(done.stdout)
    assert [(r["by"], r["payer"], r["earner"], r["hours"], r["signature"]) for r in rows] == [
        ("agnes", "bernard", "agnes", "2.00", "verified"),
        ("agnes", "claire", "bernard", "1.50", "verified"),
        ("agnes", "coop", "claire", "1.00", "verified"),
    ]
    assert all(len(r["commit"]) == 10 and len(r["id"]) == 26 for r in rows)
    stranger = ssh_keygen_key(tmp_path, "mallory")
    append_and_commit(coop_repo, signed_entry(coop_repo, stranger, "agnes", "members:bernard", "members:agnes"), "agnes")
    rows = json.loads(coop_repo.run("log", "--format", "json", "--member", "bernard", as_=None).stdout)
    assert [r["signature"] for r in rows] == ["verified", "verified", "NOT VERIFIED"]
    since = json.loads(coop_repo.run("log", "--format", "json", "--since", "2026-03-11", as_=None).stdout)
    assert [r["description"] for r in since] == ["Forgé"]
