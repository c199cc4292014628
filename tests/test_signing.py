"""Signing and verification, checked against OpenSSH itself.

Keys come from the real ssh-keygen, and ssh-keygen -Y and ssh-agent are the oracles: an auditor trusts them, not us.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed448, padding
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coop_cli.errors import SigningError
from coop_cli.signing import (
    NAMESPACE,
    PublicKey,
    agent_signer,
    armor,
    dearmor,
    load_signer,
    new_ed25519_key,
    signature_from_line,
    signature_to_line,
    verify,
)

ENTRY = "2026-03-10 * Agnès a jardiné chez Évê\n    ; id: 01JQ8X3V5ZK2M4N6P8R0T2W4Y6\n".encode()
PASSPHRASE = "Bénédicte's phrase"

# Keys ssh-keygen makes directly, then keys it rewrites in another format or with a passphrase.
GENERATED = {
    "ed25519": ["-t", "ed25519"],
    "ecdsa-p256": ["-t", "ecdsa", "-b", "256"],
    "ecdsa-p384": ["-t", "ecdsa", "-b", "384"],
    "ecdsa-p521": ["-t", "ecdsa", "-b", "521"],
    "rsa": ["-t", "rsa", "-b", "2048"],
    "ed25519-passphrase": ["-t", "ed25519"],
}
CONVERTED = {  # name: (source key, ssh-keygen -p options)
    "rsa-pem": ("rsa", ["-m", "PEM"]),
    "ecdsa-pem": ("ecdsa-p256", ["-m", "PEM"]),
    "rsa-pem-passphrase": ("rsa", ["-m", "PEM", "-N", PASSPHRASE]),
}
PLAIN_KINDS = ["ed25519", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521", "rsa", "rsa-pem", "ecdsa-pem"]
ALL_KINDS = [*PLAIN_KINDS, "ed25519-passphrase", "rsa-pem-passphrase"]
AGENT_KINDS = ["ed25519", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521", "rsa"]


@dataclass(frozen=True)
class Key:
    path: Path
    public: PublicKey
    passphrase: str | None = None

    def ask(self) -> str | None:
        return self.passphrase


def public_file(private_file: Path) -> Path:
    return private_file.with_name(private_file.name + ".pub")


def ssh_keygen(*args: str | Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["ssh-keygen", *map(str, args)], input=stdin, capture_output=True, check=False)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    folder = tmp_path_factory.mktemp("keys")
    made = {}
    for name, options in GENERATED.items():
        passphrase = PASSPHRASE if name.endswith("passphrase") else ""
        path = folder / name
        result = ssh_keygen(*options, "-q", "-N", passphrase, "-C", f"{name}@test", "-f", path)
        assert result.returncode == 0, result.stderr
        made[name] = Key(path, PublicKey.parse(public_file(path).read_text()), passphrase or None)
    for name, (source, options) in CONVERTED.items():
        path = folder / name
        shutil.copy(made[source].path, path)
        shutil.copy(public_file(made[source].path), public_file(path))
        new_passphrase = options[options.index("-N") + 1] if "-N" in options else ""
        result = ssh_keygen("-p", "-q", "-P", "", "-N", new_passphrase, *options, "-f", path)
        assert result.returncode == 0, result.stderr
        made[name] = Key(path, made[source].public, new_passphrase or None)
    return made


def ssh_keygen_verify(
    folder: Path, public: PublicKey, data: bytes, signature: bytes, namespace: str = NAMESPACE
) -> subprocess.CompletedProcess[bytes]:
    """What `ssh-keygen -Y verify` says of the signature, as an auditor would run it."""
    allowed_signers = folder / "allowed_signers"
    allowed_signers.write_text(f"agnes {public.openssh()}\n")
    signature_file = folder / "entry.sig"
    signature_file.write_text(armor(signature))
    return ssh_keygen(
        "-Y", "verify", "-f", allowed_signers, "-I", "agnes", "-n", namespace, "-s", signature_file, stdin=data
    )


def ssh_keygen_sign(folder: Path, key: Key, data: bytes, *options: str) -> bytes:
    message = folder / "entry.txt"
    message.write_bytes(data)
    signature_file = folder / "entry.txt.sig"
    signature_file.unlink(missing_ok=True)
    result = ssh_keygen("-Y", "sign", "-n", NAMESPACE, "-f", key.path, *options, message)
    assert result.returncode == 0, result.stderr
    return dearmor(signature_file.read_text())


def wire_string(value: bytes) -> bytes:
    return len(value).to_bytes(4, "big") + value


def wire_strings(blob: bytes) -> list[bytes]:
    fields = []
    while blob:
        size = int.from_bytes(blob[:4], "big")
        fields.append(blob[4 : 4 + size])
        blob = blob[4 + size :]
    return fields


def sshsig_fields(signature: bytes) -> list[bytes]:
    """public key, namespace, reserved, hash, signature: the SSHSIG fields after the magic and version."""
    assert signature[:6] == b"SSHSIG"
    return wire_strings(signature[10:])


def handmade_sshsig(public: PublicKey, data: bytes, signature_type: str, sign: Callable[[bytes], bytes]) -> bytes:
    """An SSHSIG built following PROTOCOL.sshsig independently of coop, with a signature type ssh-keygen never makes."""
    header = wire_string(NAMESPACE.encode()) + wire_string(b"") + wire_string(b"sha512")
    signed = b"SSHSIG" + header + wire_string(hashlib.sha512(data).digest())
    signature_field = wire_string(signature_type.encode()) + wire_string(sign(signed))
    return b"SSHSIG" + (1).to_bytes(4, "big") + wire_string(public.blob) + header + wire_string(signature_field)


# Our signatures, checked by ssh-keygen


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_ssh_keygen_verifies_our_signature(kind: str, keys: dict[str, Key], tmp_path: Path) -> None:
    key = keys[kind]
    signer = load_signer(key.path, key.ask)
    assert signer.public_key == key.public
    signature = signer.sign(ENTRY)
    result = ssh_keygen_verify(tmp_path, key.public, ENTRY, signature)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().startswith('Good "coop-ledger" signature for agnes')
    assert verify(ENTRY, signature) == key.public


def test_our_signature_uses_sha512_and_rsa_sha2_512(keys: dict[str, Key]) -> None:
    signature = load_signer(keys["rsa"].path).sign(ENTRY)
    public, namespace, reserved, hash_name, signature_field = sshsig_fields(signature)
    assert (public, namespace, reserved, hash_name) == (keys["rsa"].public.blob, b"coop-ledger", b"", b"sha512")
    assert wire_strings(signature_field)[0] == b"rsa-sha2-512"


@pytest.mark.parametrize("kind", ["ed25519", "rsa"])
def test_deterministic_algorithms_give_the_same_signature_twice(kind: str, keys: dict[str, Key]) -> None:
    signer = load_signer(keys[kind].path)
    assert signer.sign(ENTRY) == signer.sign(ENTRY)


def test_ssh_keygen_refuses_our_signature_for_other_bytes_or_namespace(keys: dict[str, Key], tmp_path: Path) -> None:
    key = keys["ed25519"]
    signature = load_signer(key.path).sign(ENTRY)
    assert ssh_keygen_verify(tmp_path, key.public, ENTRY + b" ", signature).returncode != 0
    assert ssh_keygen_verify(tmp_path, key.public, ENTRY, signature, namespace="git").returncode != 0


# ssh-keygen's signatures, checked by us


@pytest.mark.parametrize("kind", PLAIN_KINDS)
def test_we_verify_ssh_keygen_signatures(kind: str, keys: dict[str, Key], tmp_path: Path) -> None:
    signature = ssh_keygen_sign(tmp_path, keys[kind], ENTRY)
    assert verify(ENTRY, signature) == keys[kind].public


def test_we_verify_ssh_keygen_signatures_hashed_with_sha256(keys: dict[str, Key], tmp_path: Path) -> None:
    signature = ssh_keygen_sign(tmp_path, keys["ed25519"], ENTRY, "-O", "hashalg=sha256")
    assert sshsig_fields(signature)[3] == b"sha256"
    assert verify(ENTRY, signature) == keys["ed25519"].public


def test_armor_is_byte_for_byte_what_ssh_keygen_writes(keys: dict[str, Key], tmp_path: Path) -> None:
    for kind in ("ed25519", "rsa"):
        ssh_keygen_sign(tmp_path, keys[kind], ENTRY)
        written = (tmp_path / "entry.txt.sig").read_text()
        assert armor(dearmor(written)) == written


def test_rsa_sha2_256_is_accepted_and_sha1_refused(keys: dict[str, Key], tmp_path: Path) -> None:
    key = keys["rsa"]
    private = serialization.load_ssh_private_key(key.path.read_bytes(), None)

    def rsa_sign(algorithm: hashes.HashAlgorithm) -> Callable[[bytes], bytes]:
        return lambda signed: private.sign(signed, padding.PKCS1v15(), algorithm)  # type: ignore[union-attr]

    sha256_signature = handmade_sshsig(key.public, ENTRY, "rsa-sha2-256", rsa_sign(hashes.SHA256()))
    assert ssh_keygen_verify(tmp_path, key.public, ENTRY, sha256_signature).returncode == 0
    assert verify(ENTRY, sha256_signature) == key.public
    sha1_signature = handmade_sshsig(key.public, ENTRY, "ssh-rsa", rsa_sign(hashes.SHA1()))
    with pytest.raises(SigningError, match="does not match"):
        verify(ENTRY, sha1_signature)


# Signatures that must not verify


@pytest.fixture(scope="module")
def signature(keys: dict[str, Key]) -> bytes:
    return load_signer(keys["ed25519"].path).sign(ENTRY)


def test_signature_over_other_bytes_is_refused(signature: bytes) -> None:
    with pytest.raises(SigningError, match="does not match the signed text"):
        verify(ENTRY.replace(b"jardin", b"Jardin"), signature)


def test_signature_for_another_namespace_is_refused(keys: dict[str, Key], tmp_path: Path) -> None:
    git_signature = load_signer(keys["ed25519"].path).sign(ENTRY, namespace="git")
    with pytest.raises(SigningError, match="namespace 'git', not 'coop-ledger'"):
        verify(ENTRY, git_signature)
    assert verify(ENTRY, git_signature, namespace="git") == keys["ed25519"].public


def test_signature_claiming_another_key_is_refused(keys: dict[str, Key], signature: bytes) -> None:
    # Same key type, so the forgery differs from the real signature by its key alone.
    other = keys["ed25519-passphrase"].public
    forged = signature.replace(wire_string(keys["ed25519"].public.blob), wire_string(other.blob))
    with pytest.raises(SigningError, match=re.escape(f"by the key {other.fingerprint()} does not match")):
        verify(ENTRY, forged)
    assert verify(ENTRY, signature) != keys["ecdsa-p256"].public


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda blob: blob[:-1], "truncated"),
        (lambda blob: blob + b"\0", "trailing bytes"),
        (lambda blob: b"SSHSIH" + blob[6:], "does not start with SSHSIG"),
        (lambda blob: blob[:6] + (2).to_bytes(4, "big") + blob[10:], "version 2"),
        (lambda blob: blob.replace(wire_string(b"sha512"), wire_string(b"sha384")), "hash 'sha384'"),
    ],
)
def test_malformed_signatures_are_refused_with_a_sentence(
    signature: bytes, damage: Callable[[bytes], bytes], message: str
) -> None:
    with pytest.raises(SigningError, match=message):
        verify(ENTRY, damage(signature))


def test_signing_with_an_empty_namespace_is_refused(keys: dict[str, Key]) -> None:
    with pytest.raises(SigningError, match="namespace"):
        load_signer(keys["ed25519"].path).sign(ENTRY, namespace="")


# Key files


def test_passphrase_is_asked_only_for_encrypted_keys(keys: dict[str, Key]) -> None:
    asked = []
    load_signer(keys["ed25519"].path, lambda: asked.append("plain") or None)
    load_signer(keys["ed25519-passphrase"].path, lambda: asked.append("encrypted") or PASSPHRASE)
    assert asked == ["encrypted"]


@pytest.mark.parametrize("kind", ["ed25519-passphrase", "rsa-pem-passphrase"])
def test_wrong_passphrase_is_refused(kind: str, keys: dict[str, Key]) -> None:
    key = keys[kind]
    with pytest.raises(SigningError, match=re.escape(f"the passphrase for {key.path} is wrong")):
        load_signer(key.path, lambda: "not " + PASSPHRASE)


@pytest.mark.parametrize("answer", [None, ""])
@pytest.mark.parametrize("kind", ["ed25519-passphrase", "rsa-pem-passphrase"])
def test_missing_passphrase_is_refused(kind: str, answer: str | None, keys: dict[str, Key]) -> None:
    key = keys[kind]
    with pytest.raises(SigningError, match="protected by a passphrase, and none was given"):
        load_signer(key.path, lambda: answer)
    with pytest.raises(SigningError, match="protected by a passphrase"):
        load_signer(key.path)


def test_missing_key_file_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "id_ed25519"
    with pytest.raises(SigningError, match=re.escape(f"the key file {missing} does not exist")):
        load_signer(missing)


def test_unreadable_key_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SigningError, match=re.escape(f"cannot read the key file {tmp_path}")):
        load_signer(tmp_path)


def test_file_that_is_not_a_key_is_refused(tmp_path: Path) -> None:
    not_a_key = tmp_path / "minutes.txt"
    not_a_key.write_text("Assemblée plénière du 10 mars\n")
    with pytest.raises(SigningError, match=re.escape(f"the key file {not_a_key} is not a private key")):
        load_signer(not_a_key)


def test_key_type_coop_cannot_sign_with_is_refused(tmp_path: Path) -> None:
    ed448_key = tmp_path / "ed448.pem"
    ed448_key.write_bytes(
        ed448.Ed448PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    refusal = f"the key file {ed448_key} holds a kind of key coop cannot sign with"
    with pytest.raises(SigningError, match=re.escape(refusal)):
        load_signer(ed448_key)


def test_public_key_file_that_is_not_a_key_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "id_ed25519.pub"
    broken.write_text("ssh-ed25519 not-base64!\n")
    with pytest.raises(SigningError, match=re.escape(f"the public key file {broken} is not usable")):
        load_signer(broken)


# ssh-agent


@pytest.fixture(scope="module")
def agent_socket(tmp_path_factory: pytest.TempPathFactory, keys: dict[str, Key]) -> Iterator[str]:
    socket_path = tmp_path_factory.mktemp("agent") / "agent.sock"
    agent = subprocess.Popen(
        ["ssh-agent", "-D", "-a", str(socket_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 5
        while not socket_path.exists():
            assert agent.poll() is None and time.monotonic() < deadline, "ssh-agent did not start"
            time.sleep(0.01)
        environment = {**os.environ, "SSH_AUTH_SOCK": str(socket_path)}
        for kind in AGENT_KINDS:
            subprocess.run(["ssh-add", "-q", str(keys[kind].path)], env=environment, check=True, capture_output=True)
        yield str(socket_path)
    finally:
        agent.terminate()
        agent.wait(timeout=5)


@pytest.mark.parametrize("kind", AGENT_KINDS)
def test_agent_signature_verifies_with_ssh_keygen(
    kind: str, keys: dict[str, Key], agent_socket: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SSH_AUTH_SOCK", agent_socket)
    key = keys[kind]
    signer = load_signer(public_file(key.path))
    assert signer.public_key == key.public
    signature = signer.sign(ENTRY)
    result = ssh_keygen_verify(tmp_path, key.public, ENTRY, signature)
    assert result.returncode == 0, result.stderr
    if kind == "rsa":
        assert wire_strings(sshsig_fields(signature)[4])[0] == b"rsa-sha2-512"


def test_public_key_file_without_pub_suffix_signs_through_agent(
    keys: dict[str, Key], agent_socket: str, tmp_path: Path
) -> None:
    unsuffixed = tmp_path / "agnes-key"
    unsuffixed.write_text(public_file(keys["ed25519"].path).read_text())
    signer = load_signer(unsuffixed)
    assert signer.public_key == keys["ed25519"].public
    assert verify(ENTRY, agent_signer(signer.public_key, agent_socket).sign(ENTRY)) == keys["ed25519"].public


def test_key_missing_from_agent_is_named(keys: dict[str, Key], agent_socket: str) -> None:
    absent = keys["ed25519-passphrase"].public
    with pytest.raises(SigningError, match=re.escape(f"does not hold the key {absent.fingerprint()}") + ".*ssh-add"):
        agent_signer(absent, agent_socket).sign(ENTRY)


def test_no_agent_is_refused_when_signing_not_before(keys: dict[str, Key], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    signer = load_signer(public_file(keys["ed25519"].path))
    refusal = f"no ssh-agent is running (SSH_AUTH_SOCK is not set) to sign with {keys['ed25519'].public.describe()}"
    with pytest.raises(SigningError, match=re.escape(refusal)):
        signer.sign(ENTRY)


def test_agent_socket_that_is_gone_is_refused(
    keys: dict[str, Key], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SSH_AUTH_SOCK", str(tmp_path / "gone.sock"))
    with pytest.raises(SigningError, match="cannot reach the ssh-agent"):
        load_signer(public_file(keys["ed25519"].path)).sign(ENTRY)


# New keys


def test_new_key_is_read_by_ssh_keygen(tmp_path: Path) -> None:
    path = tmp_path / "id_agnes"
    public = new_ed25519_key(path, "agnès@coop")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(public_file(path).stat().st_mode) == 0o644
    assert public_file(path).read_text(encoding="utf-8") == f"{public.openssh()} agnès@coop\n"
    result = ssh_keygen("-y", "-f", path)
    assert result.returncode == 0, result.stderr
    assert PublicKey.parse(result.stdout.decode()) == public
    assert public.comment == "agnès@coop"


def test_new_key_with_passphrase_is_read_by_ssh_keygen_and_signs(tmp_path: Path) -> None:
    path = tmp_path / "id_agnes"
    public = new_ed25519_key(path, "agnes@coop", passphrase=PASSPHRASE)
    assert ssh_keygen("-y", "-P", "", "-f", path).returncode != 0
    result = ssh_keygen("-y", "-P", PASSPHRASE, "-f", path)
    assert result.returncode == 0, result.stderr
    assert PublicKey.parse(result.stdout.decode()) == public
    signature = load_signer(path, lambda: PASSPHRASE).sign(ENTRY)
    assert ssh_keygen_verify(tmp_path, public, ENTRY, signature).returncode == 0


@pytest.mark.parametrize("existing", ["id_agnes", "id_agnes.pub"])
def test_new_key_never_overwrites(existing: str, tmp_path: Path) -> None:
    (tmp_path / existing).write_text("précieux\n")
    with pytest.raises(SigningError, match="already exists"):
        new_ed25519_key(tmp_path / "id_agnes", "agnes@coop")
    assert sorted(path.name for path in tmp_path.iterdir()) == [existing]
    assert (tmp_path / existing).read_text() == "précieux\n"


def test_new_key_comment_must_be_one_line(tmp_path: Path) -> None:
    with pytest.raises(SigningError, match="one line"):
        new_ed25519_key(tmp_path / "id_agnes", "agnes\nssh-ed25519 AAAA")
    assert list(tmp_path.iterdir()) == []


# Public keys


@pytest.mark.parametrize("kind", ["ed25519", "ecdsa-p384", "rsa"])
def test_fingerprint_is_the_one_ssh_keygen_prints(kind: str, keys: dict[str, Key]) -> None:
    result = ssh_keygen("-l", "-f", public_file(keys[kind].path))
    assert result.stdout.decode().split()[1] == keys[kind].public.fingerprint()


def test_public_key_round_trips_and_ignores_comment_in_equality(keys: dict[str, Key]) -> None:
    line = public_file(keys["ecdsa-p521"].path).read_text()
    public = PublicKey.parse(line)
    assert public.openssh() == " ".join(line.split()[:2])
    assert public.comment == "ecdsa-p521@test"
    assert PublicKey.parse(public.openssh() + " Évê's laptop").comment == "Évê's laptop"
    assert PublicKey.parse(public.openssh()) == public
    assert PublicKey.from_blob(public.blob) == public


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("ssh-ed25519", "is not an SSH public key"),
        ("ssh-dss AAAAB3NzaC1kc3M= old", "is not a key type coop can use"),
        ("ssh-ed25519 AAAA@@@@", "not valid base64"),
        ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==", "truncated"),
        ("ssh-ed25519 AAAA\nssh-rsa AAAA", "one line"),
    ],
)
def test_malformed_public_keys_are_refused(text: str, message: str) -> None:
    with pytest.raises(SigningError, match=message):
        PublicKey.parse(text)


def ecdsa_blob(type_name: bytes, curve: bytes, point: bytes) -> bytes:
    return wire_string(type_name) + wire_string(curve) + wire_string(point)


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (wire_string(b"ssh-ed25519") + wire_string(bytes(31)), "not 32 bytes long"),
        (wire_string(b"ssh-ed25519") + wire_string(bytes(32)) + b"\0", "trailing bytes"),
        (wire_string("ssh-éd25519".encode()) + wire_string(bytes(32)), "not ASCII"),
        (wire_string(b"ssh-dss") + wire_string(bytes(32)), "'ssh-dss' is not one coop uses"),
        (ecdsa_blob(b"ecdsa-sha2-nistp256", b"nistp384", b"\4" + bytes(64)), "curve does not match"),
        (ecdsa_blob(b"ecdsa-sha2-nistp256", b"nistp256", b"\4" + bytes(64)), "not on the curve"),
        (wire_string(b"ssh-rsa") + wire_string(b"\1\0\1") + wire_string(b"\xff" * 256), "negative"),
        (wire_string(b"ssh-rsa") + wire_string(b"\1\0\1") + wire_string(b"\x7f" * 64), "511 bits long"),
        (wire_string(b"ssh-rsa") + wire_string(b"\2") + wire_string(b"\x7f" * 256), "RSA numbers are invalid"),
    ],
    ids=[
        "short-ed25519",
        "trailing",
        "non-ascii-type",
        "dsa",
        "curve-mismatch",
        "off-curve",
        "negative",
        "small-rsa",
        "even-exponent",
    ],
)
def test_malformed_key_data_is_refused(blob: bytes, message: str) -> None:
    with pytest.raises(SigningError, match=message):
        PublicKey.from_blob(blob)


def test_public_key_whose_data_is_another_type_is_refused(keys: dict[str, Key]) -> None:
    ed25519_data = keys["ed25519"].public.openssh().split()[1]
    with pytest.raises(SigningError, match="says it is ssh-rsa but its data is a ssh-ed25519 key"):
        PublicKey.parse(f"ssh-rsa {ed25519_data}")


# The journal's one-line form and the armour


def test_signature_line_round_trips(signature: bytes) -> None:
    line = signature_to_line(signature)
    assert "\n" not in line and line.startswith("U1NIU0lH")
    assert signature_from_line(line + "\n") == signature
    assert dearmor(armor(signature)) == signature


@pytest.mark.parametrize("text", ["", "U1NIU0lH!!", "U1NIU0lH=A", "Évê"])
def test_bad_signature_line_is_refused(text: str) -> None:
    with pytest.raises(SigningError):
        signature_from_line(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "U1NIU0lH",
        "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n",
        "-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n",
    ],
)
def test_bad_armour_is_refused(text: str) -> None:
    with pytest.raises(SigningError):
        dearmor(text)


# Garbage in, a sentence out


def sshsig_like() -> st.SearchStrategy[bytes]:
    """Bytes shaped like an SSHSIG, so the fuzzing reaches past the magic into the fields."""
    field = st.one_of(
        st.binary(max_size=40),
        st.sampled_from([b"coop-ledger", b"sha512", b"sha256", b"ssh-ed25519", b"ssh-rsa", b"rsa-sha2-512"]),
    )
    return st.tuples(
        st.sampled_from([b"SSHSIG\0\0\0\1", b"SSHSIG\0\0\0\2", b"SSHSI"]),
        st.lists(field.map(wire_string), max_size=7),
        st.binary(max_size=3),
    ).map(lambda parts: parts[0] + b"".join(parts[1]) + parts[2])


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(garbage=st.one_of(st.binary(max_size=300), sshsig_like()))
def test_verify_of_garbage_raises_only_signing_error(garbage: bytes) -> None:
    with pytest.raises(SigningError):
        verify(ENTRY, garbage)


@FUZZ
@given(position=st.integers(min_value=0), value=st.integers(min_value=0, max_value=255), cut=st.booleans())
def test_verify_of_damaged_signature_raises_only_signing_error(
    signature: bytes, position: int, value: int, cut: bool
) -> None:
    position %= len(signature)
    damaged = signature[:position] if cut else signature[:position] + bytes([value]) + signature[position + 1 :]
    if damaged == signature:
        return
    with pytest.raises(SigningError):
        verify(ENTRY, damaged)


@FUZZ
@given(
    text=st.one_of(
        st.text(max_size=200),
        st.tuples(st.sampled_from(["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256"]), st.binary(max_size=80)).map(
            lambda parts: f"{parts[0]} {base64.b64encode(parts[1]).decode()} comment"
        ),
    )
)
def test_parse_of_garbage_raises_only_signing_error(text: str) -> None:
    try:
        PublicKey.parse(text)
    except SigningError:
        pass


@FUZZ
@given(text=st.text(max_size=200))
def test_dearmor_of_garbage_raises_only_signing_error(text: str) -> None:
    try:
        dearmor(f"-----BEGIN SSH SIGNATURE-----\n{text}\n-----END SSH SIGNATURE-----\n")
    except SigningError:
        pass
