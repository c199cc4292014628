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


ENTRY = (
    "2026-03-10 * Réparation du vélo d'Évê\n"
    "    ; id: 01JQ8X3V5ZK2M4N6P8R0T2W4Y6\n"
    "    ; by: claire\n"
    "    ; kind: exchange\n"
    "    members:claire                1.50 H\n"
    "    members:eve                  -1.50 H\n"
)


def ssh_keygen_signed_entry(tmp_path, key_argument: str, env: dict[str, str] | None = None) -> str:
    """An entry signed by `ssh-keygen -Y sign` over its lines, its signature put on one `sig` line as coop writes it."""
    data = tmp_path / "entry.txt"
    data.write_text(ENTRY)
    subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-n", "coop-ledger", "-f", key_argument, str(data)],
                   check=True, capture_output=True, env=env or os.environ.copy(), stdin=subprocess.DEVNULL)
    armoured = (tmp_path / "entry.txt.sig").read_text().splitlines()
    sig = "".join(line for line in armoured if not line.startswith("-----"))
    lines = ENTRY.splitlines()
    return "\n".join(lines[:4] + [f"    ; sig: {sig}"] + lines[4:]) + "\n"


def coop_accepts(text: str, public: str) -> bool:
    from coop_cli.journal import parse_journal, signed_bytes
    from coop_cli.signing import PublicKey, signature_from_line, verify

    [entry], problems = parse_journal(text, "2026-03.journal")
    assert problems == []
    return verify(signed_bytes(entry, "H"), signature_from_line(entry.sig)) == PublicKey.parse(public)


@pytest.mark.parametrize("kind, bits", [("ed25519", None), ("ecdsa", "256"), ("ecdsa", "521"), ("rsa", "2048")])
def test_coop_accepts_entries_signed_by_ssh_keygen(tmp_path, kind, bits):
    private = ssh_keygen_key(tmp_path, f"k_{kind}", kind, bits=bits)
    text = ssh_keygen_signed_entry(tmp_path, str(private))
    assert coop_accepts(text, private.with_suffix(".pub").read_text())


def test_coop_refuses_an_entry_changed_after_ssh_keygen_signed_it(tmp_path):
    from coop_cli.errors import SigningError

    private = ssh_keygen_key(tmp_path, "k")
    text = ssh_keygen_signed_entry(tmp_path, str(private)).replace("1.50 H", "9.50 H")
    with pytest.raises(SigningError):
        coop_accepts(text, private.with_suffix(".pub").read_text())


def test_coop_accepts_entries_signed_by_ssh_keygen_with_a_passphrase_key(tmp_path):
    private = ssh_keygen_key(tmp_path, "locked", passphrase="Évê garde la clé")
    askpass = tmp_path / "askpass.sh"
    askpass.write_text("#!/bin/sh\necho 'Évê garde la clé'\n")
    askpass.chmod(0o700)
    env = {**os.environ, "SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0"}
    text = ssh_keygen_signed_entry(tmp_path, str(private), env)
    assert coop_accepts(text, private.with_suffix(".pub").read_text())


def test_coop_accepts_entries_signed_by_ssh_keygen_through_the_agent(tmp_path, agent):
    private = ssh_keygen_key(tmp_path, "held")
    env = {**os.environ, "SSH_AUTH_SOCK": agent}
    subprocess.run(["ssh-add", "-q", str(private)], env=env, check=True, capture_output=True)
    private.unlink()
    text = ssh_keygen_signed_entry(tmp_path, str(private) + ".pub", env)
    assert coop_accepts(text, private.with_suffix(".pub").read_text())
