"""`coop init` and the member register: bootstrap, who may add members and keys, comments that survive."""

from __future__ import annotations

import json
import subprocess

from coop_cli import charter as charter_format
from coop_cli.model import Charter
from conftest import cli_env, run_coop, ssh_keygen_key


def test_init_makes_a_committed_coop_with_the_default_rules(tmp_path):
    done = run_coop("init", str(tmp_path / "c"), "--name", "Bâtissons l'Alternative", env=cli_env())
    assert done.returncode == 0, done.stderr
    root = tmp_path / "c"
    rules = charter_format.parse((root / "charter.md").read_text())
    assert rules == Charter(name="Bâtissons l'Alternative")
    assert "# reads h, m and s as time units" in (root / "charter.md").read_text()
    assert (root / "ledger").is_dir()
    assert "ledger/*.journal merge=coop-journal" in (root / ".gitattributes").read_text()
    assert "merge=union" not in (root / ".gitattributes").read_text()
    git = lambda *a: subprocess.run(["git", *a], cwd=root, capture_output=True, text=True).stdout.strip()
    assert git("rev-list", "--count", "HEAD") == "1"
    assert git("status", "--porcelain") == ""
    assert git("config", "merge.coop-journal.driver") == "coop merge-driver %O %A %B %P"
    listed = run_coop("-C", str(root), "member", "list", "--format", "json", env=cli_env())
    assert json.loads(listed.stdout) == []
    assert json.loads(run_coop("-C", str(root), "balance", "--format", "json", env=cli_env()).stdout)[0]["balance"] == "0.00"


def test_the_first_member_bootstraps_with_their_own_key(tmp_path):
    root = tmp_path / "c"
    run_coop("init", str(root), "--name", "X", env=cli_env())
    key = ssh_keygen_key(tmp_path, "agnes")
    base = ("-C", str(root), "member", "add", "agnes", "--name", "Agnès", "--pubkey", str(key) + ".pub", "--key", str(key))
    no_role = run_coop(*base, env=cli_env())
    assert no_role.returncode == 1 and "treasurer or secretary" in no_role.stderr
    other_key = ssh_keygen_key(tmp_path, "mallory")
    stolen = run_coop(*base[:-1], str(other_key), "--role", "treasurer", env=cli_env())
    assert stolen.returncode == 1 and "not one of agnes's keys" in stolen.stderr
    done = run_coop(*base, "--role", "treasurer", env=cli_env())
    assert done.returncode == 0, done.stderr
    log = subprocess.run(["git", "log", "-1", "--show-signature"], cwd=root, capture_output=True, text=True).stdout
    assert 'Good "git" signature for agnes' in log


def test_later_members_need_a_treasurer_or_secretary(coop_repo, tmp_path):
    refused = coop_repo.run("member", "add", "dora", "--name", "Dora", as_="claire")
    assert refused.returncode == 1
    done = coop_repo.run("member", "add", "dora", "--name", "Dora Évê", "--role", "auditor", "--since", "2024-01-01",
                         "--decision", coop_repo.decision("Dora audite"))
    assert done.returncode == 0, done.stderr
    shown = coop_repo.run("member", "show", "dora", "--format", "json")
    fields = {row["field"]: row["value"] for row in json.loads(shown.stdout)}
    assert fields["name"] == "Dora Évê" and fields["roles"] == "auditor" and fields["since"] == "2024-01-01" and fields["balance"] == "0.00"


def test_member_list_shows_balances(coop_repo):
    coop_repo.run("record", "bernard", "agnes", "2", "Jardinage", "--date", "2026-03-10")
    done = coop_repo.run("member", "list", "--format", "csv")
    assert done.stdout.splitlines() == [
        "member,name,status,roles,since,balance",
        "agnes,Agnès,active,treasurer,2020-03-10,2.00",
        "bernard,Bernard,active,,2020-03-10,-2.00",
        "claire,Claire,active,,2020-03-10,0.00",
    ]
    table = coop_repo.run("member", "list")
    assert "Agnès" in table.stdout and "2.00" in table.stdout


def test_a_member_adds_their_own_second_key(coop_repo, tmp_path):
    second = ssh_keygen_key(tmp_path, "claire_phone")
    done = coop_repo.run("member", "key", "add", "claire", str(second) + ".pub", as_="claire")
    assert done.returncode == 0, done.stderr
    assert (coop_repo.root / "members.yaml").read_text().count("claire") >= 3
    refused = coop_repo.run("member", "key", "add", "bernard", str(second) + ".pub", as_="claire")
    assert refused.returncode == 1
    taken = coop_repo.run("member", "key", "add", "bernard", str(second) + ".pub")
    assert taken.returncode == 1 and "already registered to claire" in taken.stderr
    done = coop_repo.run("record", "claire", "bernard", "1", "Couture", "--date", "2026-03-10", as_="claire", key=str(second))
    assert done.returncode == 0, done.stderr
    verified = coop_repo.run("verify", "--full", as_=None)  # what the command allows, the audit accepts
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_a_member_who_signs_more_than_their_own_new_key_into_the_register_is_caught(coop_repo, tmp_path):
    """Adding a key of one's own is the only register change a plain member may sign; a role slipped in with it is not."""
    second = (ssh_keygen_key(tmp_path, "claire_phone").with_suffix(".pub")).read_text().strip()
    assert coop_repo.run("member", "key", "add", "claire", second, as_="claire").returncode == 0
    text = (coop_repo.root / "members.yaml").read_text()
    claire = "name: Claire\n    since: 2020-03-10\n    status: active\n    roles: "
    (coop_repo.root / "members.yaml").write_text(text.replace(claire + "[]", claire + "[treasurer]"))
    subprocess.run(["git", "-c", "user.name=Claire", "-c", "user.email=claire@coop.invalid", "-c", "gpg.format=ssh",
                    "-c", f"user.signingkey={coop_repo.keys['claire']}", "commit", "-q", "-S", "-am", "roles"], cwd=coop_repo.root, check=True)
    done = coop_repo.run("verify", "--full", "--format", "json", as_=None)
    assert done.returncode == 1
    assert [f["message"] for f in json.loads(done.stdout)] == ["members.yaml was changed by a commit that no treasurer or secretary signed"]


def test_comments_in_members_yaml_survive_every_rewrite(coop_repo, tmp_path):
    path = coop_repo.root / "members.yaml"
    text = path.read_text()
    text = "# Registre des membres — tenu par la trésorière\n" + text.replace("  - id: bernard\n", "  # Bernard a rejoint au premier atelier\n  - id: bernard\n")
    text = text.replace("name: Claire\n", "name: Claire  # co-fondatrice\n")
    path.write_text(text)
    coop_repo.git("-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qam", "comments")
    assert coop_repo.run("member", "add", "dora", "--name", "Dora").returncode == 0
    second = ssh_keygen_key(tmp_path, "bernard2")
    assert coop_repo.run("member", "key", "add", "bernard", str(second) + ".pub").returncode == 0
    after = path.read_text()
    for comment in ("# Registre des membres — tenu par la trésorière", "# Bernard a rejoint au premier atelier", "# co-fondatrice"):
        assert comment in after
    assert after.startswith(text.split("  - id: claire")[0].split("keys:")[0])
    assert "id: dora" in after


def test_allowed_signers_follow_the_register(coop_repo):
    signers = coop_repo.git("config", "gpg.ssh.allowedSignersFile").strip()
    text = open(signers).read()
    for member in ("agnes", "bernard", "claire"):
        public = coop_repo.keys[member].with_suffix(".pub").read_text().split()[1]
        assert f"{member},{member}@coop.invalid" in text and public in text
