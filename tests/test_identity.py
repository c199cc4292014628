"""Who signs: --as/--key, COOP_AS/COOP_KEY, git config; ed25519, ecdsa and rsa keys, passphrases, ssh-agent."""

from __future__ import annotations

import os
import signal
import stat
import subprocess

import pytest

from conftest import cli_env, run_coop, ssh_keygen_key
from helpers import entries_of, ssh_keygen_verifies


def add_key(coop_repo, member: str, private) -> None:
    done = coop_repo.run("member", "key", "add", member, str(private) + ".pub")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "kind, bits, pem",
    [("ecdsa", "256", False), ("ecdsa", "384", False), ("ecdsa", "521", False), ("rsa", "2048", False), ("rsa", "2048", True)],
    ids=["ecdsa-256", "ecdsa-384", "ecdsa-521", "rsa", "rsa-pem"],
)
def test_ecdsa_and_rsa_keys_sign_entries_and_commits(coop_repo, tmp_path, kind, bits, pem):
    private = ssh_keygen_key(tmp_path, f"claire_{kind}", kind, bits=bits, pem=pem)
    add_key(coop_repo, "claire", private)
    done = coop_repo.run("record", "claire", "bernard", "1", "Couture", "--date", "2026-03-10", as_="claire", key=str(private))
    assert done.returncode == 0, done.stderr
    [entry] = entries_of(coop_repo.root)
    assert ssh_keygen_verifies(entry, private.with_suffix(".pub").read_text(), tmp_path)
    assert 'Good "git" signature for claire' in coop_repo.git("log", "-1", "--show-signature")


def test_a_passphrase_protected_key_reads_coop_key_passphrase(coop_repo, tmp_path):
    private = ssh_keygen_key(tmp_path, "claire_locked", passphrase="Bénédicte dit: ouvre-toi")
    add_key(coop_repo, "claire", private)
    args = ("record", "claire", "bernard", "1", "Couture", "--date", "2026-03-10")
    wrong = coop_repo.run(*args, as_="claire", key=str(private), COOP_KEY_PASSPHRASE="non")
    assert wrong.returncode == 1 and "passphrase" in wrong.stderr and len(wrong.stderr.splitlines()) == 1
    missing = coop_repo.run(*args, as_="claire", key=str(private))
    assert missing.returncode == 1 and "passphrase" in missing.stderr
    done = coop_repo.run(*args, as_="claire", key=str(private), COOP_KEY_PASSPHRASE="Bénédicte dit: ouvre-toi")
    assert done.returncode == 0, done.stderr
    [entry] = entries_of(coop_repo.root)
    assert ssh_keygen_verifies(entry, private.with_suffix(".pub").read_text(), tmp_path)


@pytest.fixture
def agent(tmp_path):
    socket = tmp_path / "agent.sock"
    process = subprocess.Popen(["ssh-agent", "-D", "-a", str(socket)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if socket.exists():
            break
        subprocess.run(["sleep", "0.05"])
    yield str(socket)
    process.send_signal(signal.SIGTERM)
    process.wait()


def test_a_key_held_by_ssh_agent_signs_through_its_pub(coop_repo, tmp_path, agent):
    private = ssh_keygen_key(tmp_path, "claire_agent")
    add_key(coop_repo, "claire", private)
    subprocess.run(["ssh-add", "-q", str(private)], env={**os.environ, "SSH_AUTH_SOCK": agent}, check=True, capture_output=True)
    public = private.with_suffix(".pub")
    private.unlink()  # only the agent holds it now
    done = coop_repo.run("record", "claire", "bernard", "1", "Couture", "--date", "2026-03-10", as_="claire", key=str(public), SSH_AUTH_SOCK=agent)
    assert done.returncode == 0, done.stderr
    [entry] = entries_of(coop_repo.root)
    assert ssh_keygen_verifies(entry, public.read_text(), tmp_path)
    no_agent = coop_repo.run("record", "claire", "bernard", "1", "Couture", as_="claire", key=str(public))
    assert no_agent.returncode == 1 and "ssh-agent" in no_agent.stderr


def test_git_config_names_the_member_and_key(coop_repo):
    coop_repo.git("config", "coop.member", "agnes")
    coop_repo.git("config", "user.signingkey", str(coop_repo.keys["agnes"]))
    done = coop_repo.run("record", "bernard", "agnes", "1", "Jardinage", "--date", "2026-03-10", as_=None)
    assert done.returncode == 0, done.stderr
    assert entries_of(coop_repo.root)[0].recorder == "agnes"


def test_options_win_over_the_environment(coop_repo):
    done = coop_repo.run(
        "record", "bernard", "claire", "1", "Couture", "--date", "2026-03-10", "--as", "bernard", "--key", str(coop_repo.keys["bernard"]), as_="agnes"
    )
    assert done.returncode == 0, done.stderr
    assert entries_of(coop_repo.root)[0].recorder == "bernard"


def test_without_an_identity_coop_says_how_to_give_one(coop_repo):
    done = coop_repo.run("record", "bernard", "agnes", "1", "Jardinage", as_=None)
    assert done.returncode == 1 and "--key" in done.stderr
    done = coop_repo.run("record", "bernard", "agnes", "1", "Jardinage", as_=None, COOP_KEY=str(coop_repo.keys["agnes"]))
    assert done.returncode == 1 and "--as" in done.stderr


def test_key_new_makes_a_private_key_only_its_owner_reads(tmp_path):
    path = tmp_path / "keys" / "coop_dora"
    done = run_coop("key", "new", "--file", str(path), "--comment", "dora@laptop", env=cli_env())
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    public = path.with_suffix(".pub").read_text()
    derived = subprocess.run(["ssh-keygen", "-y", "-f", str(path)], capture_output=True, text=True, check=True).stdout
    assert derived.split()[:2] == public.split()[:2] and public.split()[0] == "ssh-ed25519"
    again = run_coop("key", "new", "--file", str(path), env=cli_env())
    assert again.returncode == 1 and len(again.stderr.splitlines()) == 1
    assert path.with_suffix(".pub").read_text() == public


def test_key_new_with_a_passphrase(tmp_path):
    path = tmp_path / "coop_eve"
    done = run_coop("key", "new", "--file", str(path), env=cli_env(COOP_KEY_PASSPHRASE="Évê"))
    assert done.returncode == 0, done.stderr
    assert subprocess.run(["ssh-keygen", "-y", "-P", "Évê", "-f", str(path)], capture_output=True).returncode == 0
    assert subprocess.run(["ssh-keygen", "-y", "-P", "", "-f", str(path)], capture_output=True).returncode != 0
