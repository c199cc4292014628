"""The example coop at the repository's root: the members of the founding minutes, signed books that hledger agrees with."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from coop_cli import members as members_format
from coop_cli.signing import PublicKey, signature_from_line, verify
from coop_cli.journal import signed_bytes
from coop_cli.model import namespace_for
from conftest import cli_env, run_coop
from helpers import entries_of, fingerprint_of, hledger_balances, ledger_balances, nonzero, ssh_keygen_verifies

ROOT = Path(__file__).resolve().parent.parent
MINUTES_NAMES = [
    "Agnès", "Pascale", "Bénédicte", "Michel", "Tim", "Eric", "Vincent", "Claire", "Laurent1", "Philippe", "Évê",
    "Jean-Paul", "Raymond", "Lucas", "Laurent2", "Brigitte", "Bernard", "Stéphanie", "Babette", "Benjamin", "Julien",
]


def test_the_members_are_the_people_of_the_founding_minutes():
    register = members_format.parse((ROOT / "members.yaml").read_text())
    assert sorted(m.name for m in register.members) == sorted(MINUTES_NAMES)
    treasurers = [m for m in register.members if "treasurer" in m.roles]
    assert treasurers and all(m.keys for m in treasurers)


def test_balance_sums_to_zero_and_matches_hledger_and_ledger():
    done = run_coop("balance", "--format", "json", cwd=ROOT, env=cli_env())
    assert done.returncode == 0, done.stderr
    ours = {row["account"]: Decimal(row["balance"]) for row in json.loads(done.stdout)}
    assert sum(ours.values()) == 0
    assert nonzero(ours) == hledger_balances(ROOT) == ledger_balances(ROOT)
    assert ours["coop"] < 0  # the coop account pays meeting time


def test_a_few_hundred_signed_exchanges_since_march_2020(tmp_path):
    entries = entries_of(ROOT)
    assert 200 <= len(entries) <= 1000
    assert min(e.date for e in entries).isoformat() == "2020-03-10"
    assert {"jardinage", "réparation", "cuisine", "permaculture", "soutien-scolaire"} <= {e.tag("cat") for e in entries}
    assert {"exchange", "meeting"} <= {e.kind for e in entries}
    register = members_format.parse((ROOT / "members.yaml").read_text())
    keys = {m.id: [PublicKey.parse(k) for k in m.keys] for m in register.members}
    namespace = namespace_for(fingerprint_of(ROOT))  # signed for this coop alone
    for entry in entries:
        assert verify(signed_bytes(entry, "H"), signature_from_line(entry.sig), namespace) in keys[entry.recorder]
    for entry in entries[:: max(1, len(entries) // 15)]:
        assert ssh_keygen_verifies(entry, register.get(entry.recorder).keys[0], tmp_path)


def test_the_founding_plenary_set_up_the_six_working_groups_of_the_minutes():
    from coop_cli.repo import Coop

    coop = Coop(ROOT)
    founding = coop.meetings()[0]
    assert (founding.date.isoformat(), founding.status, len(founding.attendees)) == ("2020-03-10", "closed", 21)
    register = coop.register()
    groups = {g.name: set(g.members) for g in register.groups}
    roles, set_up = founding.decisions[:2]  # first the founding roles (secretary, auditor), then the groups
    assert len(groups) == 6 and all(g.decision == set_up.id for g in register.groups)
    assert {m.id for m in register.members if roles.id in m.decisions} == {"pascale", "eric"}
    assert groups["communication"] == {"lucas", "eric", "vincent"}
    assert groups["permaculture"] == {"agnes", "claire", "tim", "babette", "benjamin", "laurent1", "laurent2", "julien", "vincent"}
    later = coop.meetings()[1:]
    assert len(later) >= 5 and all(m.status == "closed" for m in later)
    outcomes = {d.outcome for m in later for d in m.decisions}
    assert {"adopted", "rejected"} <= outcomes
    suspended = [m for m in register.members if m.status == "suspended"]
    assert len(suspended) == 1 and suspended[0].decisions


def test_no_private_key_is_committed():
    armours = [f"BEGIN {kind}PRIVATE KEY" for kind in ("OPENSSH ", "RSA ", "EC ", "")]
    patterns = [arg for armour in armours for arg in ("-e", armour)]
    found = subprocess.run(["git", "grep", "-l", *patterns], cwd=ROOT, capture_output=True, text=True)
    assert found.stdout == ""


def test_the_generator_builds_a_valid_coop(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_example_coop.py"), "--out", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "members.yaml").read_text().count("- id:") == 21
    assert not list(tmp_path.rglob("*key*"))
    assert nonzero(hledger_balances(tmp_path)) == nonzero({a: b for a, b in _balances(tmp_path).items()})


def _balances(root: Path) -> dict[str, Decimal]:
    from coop_cli import reports

    return reports.balances(entries_of(root))
