"""SSHSIG signing and verification, SSH keys and ssh-agent.

Speaks OpenSSH's own formats, so every signature coop writes can be checked with `ssh-keygen -Y verify` alone.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from coop_cli.errors import SigningError
from coop_cli.i18n import _, ngettext

NAMESPACE = "coop-ledger"
# Split so that scanners for committed private keys do not flag this source file.
OPENSSH_PRIVATE_ARMOUR = b"-----BEGIN OPENSSH " + b"PRIVATE KEY-----"

_MAGIC = b"SSHSIG"
_VERSION = 1
_SIGNING_HASH = "sha512"
_HASHES: dict[str, Callable[[bytes], Any]] = {"sha512": hashlib.sha512, "sha256": hashlib.sha256}

_ARMOR_BEGIN = "-----BEGIN SSH SIGNATURE-----"
_ARMOR_END = "-----END SSH SIGNATURE-----"
_ARMOR_WIDTH = 70

_ED25519 = "ssh-ed25519"
_RSA = "ssh-rsa"
# Key type -> (curve name inside the key blob, curve, hash its signatures use), as RFC 5656 fixes them.
_ECDSA: dict[str, tuple[bytes, type[ec.EllipticCurve], type[hashes.HashAlgorithm]]] = {
    "ecdsa-sha2-nistp256": (b"nistp256", ec.SECP256R1, hashes.SHA256),
    "ecdsa-sha2-nistp384": (b"nistp384", ec.SECP384R1, hashes.SHA384),
    "ecdsa-sha2-nistp521": (b"nistp521", ec.SECP521R1, hashes.SHA512),
}
KEY_TYPES = (_ED25519, *_ECDSA, _RSA)
_SSH_CURVES = {curve.name for _, curve, _ in _ECDSA.values()}
# The same bounds OpenSSH enforces, so coop never accepts a key that ssh-keygen would refuse.
_RSA_MIN_BITS = 1024
_RSA_MAX_BITS = 16384
# "ssh-rsa" signatures use SHA-1, which is broken for signatures; only the SHA-2 variants are accepted.
_RSA_SIGNATURE_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "rsa-sha2-512": hashes.SHA512,
    "rsa-sha2-256": hashes.SHA256,
}

_AGENTC_REQUEST_IDENTITIES = 11
_AGENT_IDENTITIES_ANSWER = 12
_AGENTC_SIGN_REQUEST = 13
_AGENT_SIGN_RESPONSE = 14
_AGENT_RSA_SHA2_512 = 4
# Long enough for a human to answer an agent's confirmation prompt (ssh-add -c), short enough not to hang forever.
_AGENT_TIMEOUT_SECONDS = 120
_AGENT_MAX_REPLY = 256 * 1024


class _Malformed(Exception):
    """Bytes that do not follow the SSH wire format; callers turn it into a SigningError that says what was read.

    Its reason is translated already: a clause that completes "the public key is not usable: {problem}" or
    "the signature is malformed: {problem}".
    """


# SSH wire format (RFC 4251 section 5)


def _uint32(value: int) -> bytes:
    return value.to_bytes(4, "big")


def _string(value: bytes) -> bytes:
    return _uint32(len(value)) + value


def _mpint(value: int) -> bytes:
    # Positive only: one extra bit leaves room for the sign, so a high bit set gets a leading zero byte.
    return _string(value.to_bytes(value.bit_length() // 8 + 1, "big") if value else b"")


class _Reader:
    """Reads SSH wire-format fields from a byte string, front to back."""

    def __init__(self, blob: bytes):
        self._blob = blob
        self._offset = 0

    def raw(self, size: int) -> bytes:
        if size > len(self._blob) - self._offset:
            # Translators: a reason, shown after "the public key is not usable:" or "the signature is malformed:".
            raise _Malformed(_("it is truncated"))
        chunk = self._blob[self._offset : self._offset + size]
        self._offset += size
        return chunk

    def uint32(self) -> int:
        return int.from_bytes(self.raw(4), "big")

    def string(self) -> bytes:
        return self.raw(self.uint32())

    def text(self) -> str:
        try:
            return self.string().decode("ascii")
        except UnicodeDecodeError:
            # Translators: a reason, shown after "the public key is not usable:" or "the signature is malformed:".
            raise _Malformed(_("a name in it is not ASCII")) from None

    def mpint(self) -> int:
        digits = self.string()
        if digits and digits[0] & 0x80:
            # Translators: a reason, shown after "the public key is not usable:" or "the signature is malformed:".
            raise _Malformed(_("a number in it is negative"))
        return int.from_bytes(digits, "big")

    def end(self) -> None:
        if self._offset != len(self._blob):
            # Translators: a reason, shown after "the public key is not usable:" or "the signature is malformed:".
            raise _Malformed(_("it has trailing bytes"))


# Public keys


def _decode_public_key(blob: bytes) -> tuple[str, Any]:
    """The key type and cryptography's public key object for an SSH public key blob."""
    reader = _Reader(blob)
    key_type = reader.text()
    if key_type == _ED25519:
        raw = reader.string()
        reader.end()
        if len(raw) != 32:
            # Translators: a reason, shown after "the public key is not usable:" or "the signature is malformed:".
            raise _Malformed(_("its ed25519 key is not 32 bytes long"))
        return key_type, ed25519.Ed25519PublicKey.from_public_bytes(raw)
    if key_type in _ECDSA:
        curve_name, curve, _hash = _ECDSA[key_type]
        if reader.string() != curve_name:
            # Translators: a reason, shown after "the public key is not usable:" or "the signature is malformed:".
            raise _Malformed(_("its curve does not match its type"))
        point = reader.string()
        reader.end()
        try:
            return key_type, ec.EllipticCurvePublicKey.from_encoded_point(curve(), point)
        except ValueError:
            # Translators: a reason, shown after "the public key is not usable:" or "the signature is malformed:".
            raise _Malformed(_("its point is not on the curve")) from None
    if key_type == _RSA:
        exponent = reader.mpint()
        modulus = reader.mpint()
        reader.end()
        if not _RSA_MIN_BITS <= modulus.bit_length() <= _RSA_MAX_BITS:
            bits = modulus.bit_length()
            raise _Malformed(
                # Translators: a reason, shown after "the public key is not usable:" or "the signature is malformed:".
                ngettext(
                    "its RSA modulus is {bits} bit long, outside 1024 to 16384",
                    "its RSA modulus is {bits} bits long, outside 1024 to 16384",
                    bits,
                ).format(bits=bits)
            )
        try:
            return key_type, rsa.RSAPublicNumbers(exponent, modulus).public_key()
        except ValueError:
            # Translators: a reason, shown after "the public key is not usable:" or "the signature is malformed:".
            raise _Malformed(_("its RSA numbers are invalid")) from None
    raise _Malformed(
        # Translators: a reason, shown after "the public key is not usable:" or "the signature is malformed:".
        _("its type {type!r} is not one coop uses ({types})").format(type=key_type, types=", ".join(KEY_TYPES))
    )


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


@dataclasses.dataclass(frozen=True, repr=False)
class PublicKey:
    """An SSH public key, as members.yaml lists it and SSHSIG signatures carry it."""

    type: str
    blob: bytes
    comment: str = dataclasses.field(default="", compare=False)

    @classmethod
    def parse(cls, text: str) -> PublicKey:
        """Read one `TYPE BASE64 [COMMENT]` line, as in a .pub file or members.yaml."""
        line = text.strip()
        if not line:
            raise SigningError(_("the public key is empty"))
        if not all(character.isprintable() or character == "\t" for character in line):
            raise SigningError(_("a public key must be one line of printable text"))
        fields = line.split(None, 2)
        if len(fields) < 2:
            raise SigningError(
                _("{text!r} is not an SSH public key: expected a type, base64 data and a comment").format(
                    text=_shorten(line)
                )
            )
        key_type, encoded = fields[0], fields[1]
        if key_type not in KEY_TYPES:
            raise SigningError(
                _("{type!r} is not a key type coop can use: use an ed25519, ecdsa or rsa key").format(
                    type=_shorten(key_type)
                )
            )
        try:
            blob = base64.b64decode(encoded.encode("ascii"), validate=True)
        except (UnicodeEncodeError, binascii.Error):
            raise SigningError(
                _("the data of the public key {text!r} is not valid base64").format(text=_shorten(line))
            ) from None
        public = cls.from_blob(blob, comment=fields[2] if len(fields) == 3 else "")
        if public.type != key_type:
            raise SigningError(
                _("the public key says it is {type} but its data is a {actual} key").format(
                    type=key_type, actual=public.type
                )
            )
        return public

    @classmethod
    def from_blob(cls, blob: bytes, comment: str = "") -> PublicKey:
        """The key an SSH wire-format blob holds; refuses anything that is not a usable key."""
        try:
            key_type = _decode_public_key(blob)[0]
        except _Malformed as problem:
            raise SigningError(_("the public key is not usable: {problem}").format(problem=problem)) from None
        return cls(key_type, blob, comment)

    def __repr__(self) -> str:
        return f"PublicKey({self.type} {self.describe()})"

    def openssh(self) -> str:
        """`TYPE BASE64`, without the comment."""
        return f"{self.type} {base64.b64encode(self.blob).decode('ascii')}"

    def fingerprint(self) -> str:
        """`SHA256:...`, exactly as `ssh-keygen -l` prints it."""
        digest = base64.b64encode(hashlib.sha256(self.blob).digest()).decode("ascii")
        return "SHA256:" + digest.rstrip("=")

    def describe(self) -> str:
        """The fingerprint, with the comment when there is one: how messages name a key."""
        return f"{self.fingerprint()} ({self.comment})" if self.comment else self.fingerprint()


# The SSHSIG format (OpenSSH PROTOCOL.sshsig)


def _signed_data(data: bytes, namespace: str, hash_name: str) -> bytes:
    """What the key actually signs: the message's hash, bound to the namespace so it cannot be replayed elsewhere."""
    return (
        _MAGIC
        + _string(namespace.encode("utf-8"))
        + _string(b"")
        + _string(hash_name.encode("ascii"))
        + _string(_HASHES[hash_name](data).digest())
    )


def _wrap(public: PublicKey, namespace: str, signature_field: bytes) -> bytes:
    return (
        _MAGIC
        + _uint32(_VERSION)
        + _string(public.blob)
        + _string(namespace.encode("utf-8"))
        + _string(b"")
        + _string(_SIGNING_HASH.encode("ascii"))
        + _string(signature_field)
    )


def _check_namespace(namespace: str) -> None:
    if not namespace:
        raise SigningError(_("a signature needs a namespace, and the one given is empty"))


def _signature_is_valid(public_key: Any, key_type: str, signature_field: bytes, signed: bytes) -> bool:
    """Whether `signature_field` (string type, string blob) is a valid signature of `signed` by the key."""
    reader = _Reader(signature_field)
    signature_type = reader.text()
    signature = reader.string()
    reader.end()
    try:
        if key_type == _ED25519 and signature_type == _ED25519:
            public_key.verify(signature, signed)
        elif key_type in _ECDSA and signature_type == key_type:
            public_key.verify(_ecdsa_der(signature), signed, ec.ECDSA(_ECDSA[key_type][2]()))
        elif key_type == _RSA and signature_type in _RSA_SIGNATURE_HASHES:
            modulus_bytes = (public_key.key_size + 7) // 8
            if len(signature) > modulus_bytes:
                return False
            # OpenSSH accepts signatures whose leading zero bytes were dropped; OpenSSL wants the full width.
            padded = signature.rjust(modulus_bytes, b"\0")
            public_key.verify(padded, signed, padding.PKCS1v15(), _RSA_SIGNATURE_HASHES[signature_type]())
        else:
            return False
    except (InvalidSignature, ValueError):
        return False
    return True


def _ecdsa_der(signature: bytes) -> bytes:
    reader = _Reader(signature)
    r, s = reader.mpint(), reader.mpint()
    reader.end()
    return encode_dss_signature(r, s)


def verify(data: bytes, signature: bytes, namespace: str = NAMESPACE) -> PublicKey:
    """Check a binary SSHSIG signature of `data` and return the key that made it.

    Whether that key may sign is the caller's question: this only proves the key signed these bytes.
    """
    try:
        reader = _Reader(signature)
        if reader.raw(len(_MAGIC)) != _MAGIC:
            raise SigningError(_("this is not an SSH signature: it does not start with SSHSIG"))
        version = reader.uint32()
        if version != _VERSION:
            raise SigningError(
                _("the SSH signature has version {version}, and coop only knows version 1").format(version=version)
            )
        key_blob = reader.string()
        signed_namespace = reader.string()
        reader.string()  # reserved; OpenSSH ignores it too
        hash_name = reader.text()
        signature_field = reader.string()
        reader.end()
        key_type, public_key = _decode_public_key(key_blob)
    except _Malformed as problem:
        raise SigningError(_("the signature is malformed: {problem}").format(problem=problem)) from None
    if signed_namespace != namespace.encode("utf-8"):
        shown = signed_namespace.decode("utf-8", "replace")
        raise SigningError(
            _("the signature was made for the namespace {signed!r}, not {namespace!r}").format(
                signed=_shorten(shown), namespace=namespace
            )
        )
    if hash_name not in _HASHES:
        raise SigningError(
            _("the signature uses the hash {hash!r}, and coop accepts sha512 or sha256").format(
                hash=_shorten(hash_name)
            )
        )
    public = PublicKey(key_type, key_blob)
    try:
        valid = _signature_is_valid(public_key, key_type, signature_field, _signed_data(data, namespace, hash_name))
    except _Malformed as problem:
        raise SigningError(_("the signature is malformed: {problem}").format(problem=problem)) from None
    if not valid:
        raise SigningError(
            _("the signature by the key {fingerprint} does not match the signed text").format(
                fingerprint=public.fingerprint()
            )
        )
    return public


# Armour and the journal's one-line form


def armor(signature: bytes) -> str:
    """The armoured text `ssh-keygen -Y sign` writes to a .sig file."""
    encoded = base64.b64encode(signature).decode("ascii")
    lines = [encoded[start : start + _ARMOR_WIDTH] for start in range(0, len(encoded), _ARMOR_WIDTH)]
    return "\n".join([_ARMOR_BEGIN, *lines, _ARMOR_END]) + "\n"


def dearmor(text: str) -> bytes:
    """The binary signature inside an armoured `-----BEGIN SSH SIGNATURE-----` block."""
    lines = text.strip().splitlines()
    if len(lines) < 3 or lines[0].strip() != _ARMOR_BEGIN or lines[-1].strip() != _ARMOR_END:
        raise SigningError(
            _("an armoured SSH signature starts with {begin} and ends with {end}").format(
                begin=_ARMOR_BEGIN, end=_ARMOR_END
            )
        )
    return _decode_base64("".join(line.strip() for line in lines[1:-1]))


def signature_to_line(signature: bytes) -> str:
    """The signature as the journal's `sig` tag holds it: base64 on one line."""
    return base64.b64encode(signature).decode("ascii")


def signature_from_line(text: str) -> bytes:
    """The binary signature from a `sig` tag's value."""
    return _decode_base64(text.strip())


def _decode_base64(text: str) -> bytes:
    try:
        decoded = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise SigningError(_("the signature is not valid base64")) from None
    if not decoded:
        raise SigningError(_("the signature is empty"))
    return decoded


# Signers


class Signer(Protocol):
    """One SSH key that signs journal entries, in process or through ssh-agent."""

    public_key: PublicKey

    def sign(self, data: bytes, namespace: str = NAMESPACE) -> bytes:
        """The binary SSHSIG signature of `data` (hash sha512)."""
        ...


class _KeySigner:
    """Signs in process with a private key read from a file."""

    def __init__(self, private_key: Any, public_key: PublicKey):
        self._private_key = private_key
        self.public_key = public_key

    def __repr__(self) -> str:
        return f"<key signer {self.public_key.fingerprint()}>"

    def sign(self, data: bytes, namespace: str = NAMESPACE) -> bytes:
        _check_namespace(namespace)
        signed = _signed_data(data, namespace, _SIGNING_HASH)
        return _wrap(self.public_key, namespace, self._signature_field(signed))

    def _signature_field(self, signed: bytes) -> bytes:
        key, key_type = self._private_key, self.public_key.type
        if key_type == _ED25519:
            return _string(_ED25519.encode()) + _string(key.sign(signed))
        if key_type in _ECDSA:
            r, s = decode_dss_signature(key.sign(signed, ec.ECDSA(_ECDSA[key_type][2]())))
            return _string(key_type.encode()) + _string(_mpint(r) + _mpint(s))
        return _string(b"rsa-sha2-512") + _string(key.sign(signed, padding.PKCS1v15(), hashes.SHA512()))


class _AgentSigner:
    """Signs through a running ssh-agent, which holds the private key; connects only when asked to sign."""

    def __init__(self, public_key: PublicKey, socket_path: str | None):
        self.public_key = public_key
        self._socket_path = socket_path

    def __repr__(self) -> str:
        return f"<ssh-agent signer {self.public_key.fingerprint()}>"

    def sign(self, data: bytes, namespace: str = NAMESPACE) -> bytes:
        _check_namespace(namespace)
        signed = _signed_data(data, namespace, _SIGNING_HASH)
        flags = _AGENT_RSA_SHA2_512 if self.public_key.type == _RSA else 0
        request = bytes([_AGENTC_SIGN_REQUEST]) + _string(self.public_key.blob) + _string(signed) + _uint32(flags)
        reply = self._ask(request)
        if reply[0] != _AGENT_SIGN_RESPONSE:
            raise SigningError(self._refusal())
        signature = _wrap(self.public_key, namespace, self._reply_signature(reply))
        # The journal is append-only: check what the agent gave before it can be written for good.
        try:
            verify(data, signature, namespace)
        except SigningError:
            raise SigningError(
                _("the ssh-agent returned a signature that does not verify for the key {key}").format(
                    key=self.public_key.describe()
                )
            ) from None
        return signature

    def _reply_signature(self, reply: bytes) -> bytes:
        try:
            reader = _Reader(reply[1:])
            signature_field = reader.string()
            reader.end()
        except _Malformed:
            raise SigningError(_("the ssh-agent sent a malformed answer")) from None
        return signature_field

    def _refusal(self) -> str:
        """Why the agent refused: the usual reason is that the key was never added to it."""
        reply = self._ask(bytes([_AGENTC_REQUEST_IDENTITIES]))
        key = self.public_key.describe()
        if reply[0] == _AGENT_IDENTITIES_ANSWER and self.public_key.blob not in _agent_key_blobs(reply[1:]):
            return _("the ssh-agent does not hold the key {key}: add it with ssh-add").format(key=key)
        return _("the ssh-agent refused to sign with the key {key}").format(key=key)

    def _ask(self, request: bytes) -> bytes:
        socket_path = self._socket_path or os.environ.get("SSH_AUTH_SOCK")
        key = self.public_key.describe()
        if not socket_path:
            raise SigningError(
                _("no ssh-agent is running (SSH_AUTH_SOCK is not set) to sign with {key}").format(key=key)
            )
        try:
            return _agent_exchange(socket_path, request)
        except OSError as problem:
            if problem.strerror:
                message = _("cannot reach the ssh-agent at {socket} to sign with {key}: {reason}").format(
                    socket=socket_path, key=key, reason=problem.strerror
                )
            else:
                message = _("cannot reach the ssh-agent at {socket} to sign with {key}: it did not answer").format(
                    socket=socket_path, key=key
                )
            raise SigningError(message) from None
        except _Malformed:
            raise SigningError(
                _("the ssh-agent at {socket} sent a malformed answer").format(socket=socket_path)
            ) from None


def _agent_exchange(socket_path: str, request: bytes) -> bytes:
    """Send one request to the agent and return its reply, whose first byte is the message type.

    Its _Malformed reasons are never shown (the caller says "sent a malformed answer"), so they are not translated.
    """
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(_AGENT_TIMEOUT_SECONDS)
        connection.connect(socket_path)
        connection.sendall(_string(request))
        length = int.from_bytes(_receive(connection, 4), "big")
        if not 0 < length <= _AGENT_MAX_REPLY:
            raise _Malformed(f"a reply of {length} bytes")
        return _receive(connection, length)


def _receive(connection: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = connection.recv(size - len(chunks))
        if not chunk:
            raise _Malformed("the agent closed the connection")
        chunks += chunk
    return bytes(chunks)


def _agent_key_blobs(answer: bytes) -> list[bytes]:
    try:
        reader = _Reader(answer)
        blobs = []
        for _index in range(reader.uint32()):
            blobs.append(reader.string())
            reader.string()  # the key's comment
        return blobs
    except _Malformed:
        return []


def agent_signer(public: PublicKey, socket_path: str | None = None) -> Signer:
    """A signer for a key held by the ssh-agent at `socket_path`, or at $SSH_AUTH_SOCK when it signs."""
    return _AgentSigner(public, socket_path)


# Key files


def load_signer(path: Path, passphrase: Callable[[], str | None] | None = None) -> Signer:
    """A signer for a private key file, or for the ssh-agent's key when `path` is a public key.

    `passphrase` is called only if the key is encrypted.
    """
    content = _read_key_file(path)
    if path.name.endswith(".pub") or content.lstrip().startswith((b"ssh-", b"ecdsa-", b"sk-")):
        return agent_signer(_public_key_file(path, content))
    private_key = _load_private_key(path, content, passphrase)
    return _KeySigner(private_key, _public_of(path, private_key))


def _read_key_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SigningError(_("the key file {path} does not exist").format(path=path)) from None
    except OSError as problem:
        raise SigningError(
            _("cannot read the key file {path}: {reason}").format(path=path, reason=problem.strerror or problem)
        ) from None


def _public_key_file(path: Path, content: bytes) -> PublicKey:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise SigningError(_("the public key file {path} is not UTF-8 text").format(path=path)) from None
    try:
        return PublicKey.parse(text)
    except SigningError as problem:
        raise SigningError(
            _("the public key file {path} is not usable: {problem}").format(path=path, problem=problem.message)
        ) from None


def _load_private_key(path: Path, content: bytes, passphrase: Callable[[], str | None] | None) -> Any:
    # Imported here: only reading key files needs it, and it would double the time to import this module.
    from cryptography.hazmat.primitives import serialization

    is_openssh = OPENSSH_PRIVATE_ARMOUR in content
    load = serialization.load_ssh_private_key if is_openssh else serialization.load_pem_private_key
    unreadable = _("the key file {path} is not a private key coop can read (OpenSSH or PEM format)").format(
        path=path
    )
    try:
        return load(content, None)
    except TypeError:
        pass  # encrypted: ask for the passphrase below
    except (ValueError, UnsupportedAlgorithm):
        raise SigningError(unreadable) from None
    given = passphrase() if passphrase is not None else None
    if not given:
        raise SigningError(
            _("the key file {path} is protected by a passphrase, and none was given").format(path=path)
        )
    try:
        return load(content, given.encode("utf-8"))
    except ValueError:
        raise SigningError(_("the passphrase for {path} is wrong").format(path=path)) from None
    except (TypeError, UnsupportedAlgorithm):
        raise SigningError(unreadable) from None


def _public_of(path: Path, private_key: Any) -> PublicKey:
    from cryptography.hazmat.primitives import serialization

    supported = (
        isinstance(private_key, ed25519.Ed25519PrivateKey)
        or (isinstance(private_key, ec.EllipticCurvePrivateKey) and private_key.curve.name in _SSH_CURVES)
        or (isinstance(private_key, rsa.RSAPrivateKey) and _RSA_MIN_BITS <= private_key.key_size <= _RSA_MAX_BITS)
    )
    if not supported:
        raise SigningError(
            _(
                "the key file {path} holds a kind of key coop cannot sign with: use an ed25519, ecdsa or rsa key"
            ).format(path=path)
        )
    line = private_key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return PublicKey.parse(line.decode("ascii"))


def new_ed25519_key(path: Path, comment: str, passphrase: str | None = None) -> PublicKey:
    """Write a new ed25519 key at `path` (mode 0600) and `path.pub`; encrypted when a passphrase is given."""
    from cryptography.hazmat.primitives import serialization

    if any(not character.isprintable() for character in comment):
        raise SigningError(_("a key's comment must be one line of printable text"))
    public_path = path.with_name(path.name + ".pub")
    for existing in (path, public_path):
        if existing.exists():
            raise SigningError(_("{path} already exists, and coop never overwrites a key").format(path=existing))
    private_key = ed25519.Ed25519PrivateKey.generate()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode("utf-8"))
        if passphrase
        else serialization.NoEncryption()
    )
    private_text = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, encryption
    )
    public = dataclasses.replace(_public_of(path, private_key), comment=comment)
    _create_file(path, private_text, 0o600)
    try:
        _create_file(public_path, f"{public.openssh()} {comment}".rstrip().encode("utf-8") + b"\n", 0o644)
    except SigningError:
        path.unlink()  # a refused command writes nothing, not half a key pair
        raise
    return public


def _create_file(path: Path, content: bytes, mode: int) -> None:
    """Create `path` with `mode` from the first instant, so a private key is never readable by others."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise SigningError(_("{path} already exists, and coop never overwrites a key").format(path=path)) from None
    except OSError as problem:
        raise SigningError(
            _("cannot create the key file {path}: {reason}").format(path=path, reason=problem.strerror or problem)
        ) from None
    try:
        with os.fdopen(descriptor, "wb") as key_file:
            os.fchmod(key_file.fileno(), mode)  # the umask may have narrowed it
            key_file.write(content)
    except OSError as problem:
        path.unlink(missing_ok=True)
        raise SigningError(
            _("cannot write the key file {path}: {reason}").format(path=path, reason=problem.strerror or problem)
        ) from None
