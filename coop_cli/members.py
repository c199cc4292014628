"""members.yaml: the member register, read into `Member` values and rewritten with its comments intact.

Every problem in the file is reported with its line; nothing here touches the filesystem.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from coop_cli import yamltext
from coop_cli.errors import BadInput, CoopError
from coop_cli.i18n import _
from coop_cli.model import ROLES, STATUSES, Member, check_member_id, check_text, parse_date

FILE = "members.yaml"
EMPTY = "# The member register of the cooperative: see `coop member --help`.\nmembers: []\n"
_FIELDS = {"id", "name", "since", "status", "roles", "keys", "offers", "wants", "groups"}


@dataclass(frozen=True)
class Register:
    """The parsed register, in file order, and the YAML document it came from (for rewriting)."""

    members: tuple[Member, ...]
    document: Any = None

    def get(self, member_id: str) -> Member | None:
        for member in self.members:
            if member.id == member_id:
                return member
        return None

    def require(self, member_id: str) -> Member:
        member = self.get(member_id)
        if member is None:
            raise CoopError(_("{id!r} is not a member of this coop (see coop member list)").format(id=member_id))
        return member


def parse(text: str) -> Register:
    document = yamltext.load(text, FILE)
    if not isinstance(document, dict) or not isinstance(document.get("members"), list):
        raise CoopError(_("{file} must be a mapping with a list named 'members'").format(file=FILE))
    members = []
    seen: set[str] = set()
    for index, item in enumerate(document["members"]):
        line = yamltext.line_of(document["members"], index)
        where = f"{FILE}:{line}" if line else FILE
        try:
            member = _member(item)
        except BadInput as problem:
            raise CoopError(_("{where}: {problem}").format(where=where, problem=problem.message)) from None
        if member.id in seen:
            raise CoopError(_("{where}: the member id {id!r} appears twice").format(where=where, id=member.id))
        seen.add(member.id)
        members.append(member)
    return Register(tuple(members), document)


def _member(item: Any) -> Member:
    if not isinstance(item, dict):
        raise BadInput(_("each member must be a mapping with id, name and since"))
    unknown = set(map(str, item)) - _FIELDS
    if unknown:
        raise BadInput(_("unknown field {field!r}").format(field=sorted(unknown)[0]))
    for required in ("id", "name", "since"):
        if item.get(required) in (None, ""):
            raise BadInput(_("a member has no {field}").format(field=required))
    member_id = check_member_id(_string(item["id"], "id"))
    since = item["since"]
    if not isinstance(since, date):
        since = parse_date(_string(since, "since"), "since")
    status = _string(item.get("status", "active"), "status")
    if status not in STATUSES:
        raise BadInput(_("{id}: status must be one of {choices}, got {value!r}").format(id=member_id, choices=", ".join(STATUSES), value=status))
    roles = _strings(item.get("roles"), "roles")
    for role in roles:
        if role not in ROLES:
            raise BadInput(_("{id}: unknown role {role!r} (roles are {choices})").format(id=member_id, role=role, choices=", ".join(ROLES)))
    keys = _strings(item.get("keys"), "keys")
    for key in keys:
        check_public_key(key, member_id)
    return Member(
        id=member_id,
        name=check_text(_string(item["name"], "name"), "name"),
        since=since,
        status=status,
        roles=roles,
        keys=keys,
        offers=_strings(item.get("offers"), "offers"),
        wants=_strings(item.get("wants"), "wants"),
    )


def check_public_key(text: str, member_id: str) -> str:
    from coop_cli.signing import PublicKey  # cryptography is loaded only when keys are read
    from coop_cli.errors import SigningError

    try:
        PublicKey.parse(text)
    except SigningError as problem:
        raise BadInput(_("{id}: a key is not a valid SSH public key ({problem})").format(id=member_id, problem=problem.message)) from None
    return text


def _string(value: Any, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, date)):
        raise BadInput(_("{what} must be text, got {value!r}").format(what=what, value=value))
    return str(value)


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise BadInput(_("{what} must be a list").format(what=what))
    return tuple(_string(v, what) for v in value)


def allowed_signers(register: Register) -> str:
    """OpenSSH's allowed-signers file for every key in the register, for `git log --show-signature` and `ssh-keygen -Y verify`.

    Each member is known by their id and by the address coop puts on their commits; keys of members who
    left stay listed, because their old signatures stay valid.
    """
    lines = ["# Made by coop from members.yaml; rewritten whenever the register changes.\n"]
    for member in register.members:
        for key in member.keys:
            key_type, blob = key.split()[:2]
            lines.append(f'{member.id},{member.id}@coop.invalid namespaces="git,coop-ledger" {key_type} {blob}\n')
    return "".join(lines)


# ---------------------------------------------------------------- rewriting, comments kept

def with_member(register: Register, member: Member) -> str:
    """The file's text with a new member appended at the end of the list."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    document = register.document
    entries = document["members"]
    if not isinstance(entries, CommentedSeq) or entries.fa.flow_style():
        block = CommentedSeq(list(entries))
        document["members"] = entries = block
    item = CommentedMap()
    item["id"] = member.id
    item["name"] = member.name
    item["since"] = member.since
    item["status"] = member.status
    item["roles"] = _flow(member.roles)
    item["keys"] = CommentedSeq(list(member.keys))
    item["offers"] = _flow(member.offers)
    item["wants"] = _flow(member.wants)
    entries.append(item)
    return yamltext.dump(document)


def with_key(register: Register, member_id: str, key: str) -> str:
    """The file's text with one more public key for a member."""
    from ruamel.yaml.comments import CommentedSeq

    for item in register.document["members"]:
        if str(item.get("id")) == member_id:
            keys = item.get("keys")
            if not isinstance(keys, CommentedSeq) or keys.fa.flow_style():
                item["keys"] = keys = CommentedSeq(list(keys or []))
            keys.append(key)
            return yamltext.dump(register.document)
    raise CoopError(_("{id!r} is not a member of this coop (see coop member list)").format(id=member_id))


def _flow(values: tuple[str, ...]):
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(list(values))
    seq.fa.set_flow_style()
    return seq
