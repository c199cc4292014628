"""members.yaml: the member register, read into `Member` values and rewritten with its comments intact.

Every problem in the file is reported with its line; nothing here touches the filesystem.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
import base64
import re
from datetime import date, datetime
from typing import Any

from coop_cli import yamltext
from coop_cli.errors import BadInput, CoopError
from coop_cli.i18n import _
from coop_cli.model import (
    COOP_ACCOUNT, HISTORY_ITEM, ROLES, STATUSES, Group, Member, Service,
    check_line, check_member_id, check_tag_value, check_text, folded, parse_date, similar,
)

FILE = "members.yaml"
EMPTY = "# The member register of the cooperative: see `coop member --help`.\nmembers: []\n"
_FIELDS = {"id", "name", "since", "status", "roles", "keys", "offers", "wants", "decisions", "history"}
_GROUP_FIELDS = {"name", "members", "decision"}
_SERVICE_FIELDS = ("text", "cat", "availability", "added", "until")  # in the order coop writes them
SERVICE_KINDS = ("offers", "wants")


@dataclass(frozen=True)
class Register:
    """The parsed register, in file order, and its text (whose comment-keeping YAML document serves only to rewrite it)."""

    members: tuple[Member, ...]
    text: str = ""
    groups: tuple[Group, ...] = ()

    @cached_property
    def document(self) -> Any:
        return yamltext.load(self.text, FILE)

    def get(self, member_id: str) -> Member | None:
        for member in self.members:
            if member.id == member_id:
                return member
        return None

    def require_party(self, named: str) -> str:
        """The id of the member `named` names, or `coop` for the coop's own account; refused otherwise, as by `require`."""
        if named == COOP_ACCOUNT:
            return named
        if self.get(named) is None and folded(named.strip()) == COOP_ACCOUNT:
            raise CoopError(self._unknown(named, [_("coop (the coop's own account)")]))
        return self.require(named).id

    def require(self, named: str) -> Member:
        """The member whose id is `named`, the one way every command and batch file names a member.

        Only the exact id is accepted: a name, or an id with other case, accents or a typo, is refused with the
        members it may mean ("did you mean gaelle (Gaëlle)?"), never taken for one of them, because an entry once
        signed is never edited and two members may answer to one name.
        """
        member = self.get(named)
        if member is None:
            raise CoopError(self._unknown(named, [f"{m.id} ({m.name})" for m in self.similar(named)]))
        return member

    def similar(self, named: str, most: int = 3) -> list[Member]:
        """The members `named` may mean: whose id or name is the same but for case and accents, else whose name holds
        it as a word, else whose id or name is a small typo away (the closest first); at most `most`."""
        return similar(named, ((m, (m.id, m.name)) for m in self.members), most)

    @staticmethod
    def _unknown(named: str, suggestions: list[str]) -> str:
        if not suggestions:
            return _("{id!r} is not a member of this coop (see coop member list)").format(id=named)
        return _("{id!r} is not a member of this coop; did you mean {suggestions}?").format(
            id=named, suggestions=_(" or ").join(suggestions)
        )


def parse(text: str) -> Register:
    return _register(yamltext.read(text, FILE), text)


def _register(document: Any, text: str) -> Register:
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
    unknown = set(map(str, document)) - {"members", "groups"}
    if unknown:
        raise CoopError(_("{file}: unknown section {name!r} (expected members and groups)").format(file=FILE, name=sorted(unknown)[0]))
    return Register(tuple(members), text, _groups(document.get("groups"), seen))


def _groups(items: Any, member_ids: set[str]) -> tuple[Group, ...]:
    """The working groups: each a name, the decision that set it up, and members who are in the register."""
    if items is None:
        return ()
    if not isinstance(items, list):
        raise CoopError(_("{file}: groups must be a list").format(file=FILE))
    groups, names = [], set()
    for index, item in enumerate(items):
        line = yamltext.line_of(items, index)
        where = f"{FILE}:{line}" if line else FILE
        if not isinstance(item, dict) or set(map(str, item)) - _GROUP_FIELDS or not isinstance(item.get("name"), str):
            raise CoopError(_("{where}: a group is a mapping with name, decision and members").format(where=where))
        try:
            name = check_text(item["name"], _("a group's name"))
            members = _strings(item.get("members"), "members")
        except BadInput as problem:
            raise CoopError(_("{where}: {problem}").format(where=where, problem=problem.message)) from None
        strangers = [m for m in members if m not in member_ids]
        if strangers:
            raise CoopError(_("{where}: {id!r} is in the group {group!r} but not in the register").format(where=where, id=strangers[0], group=name))
        if name in names:
            raise CoopError(_("{where}: the group {group!r} appears twice").format(where=where, group=name))
        names.add(name)
        decision = item.get("decision")
        groups.append(Group(name, members, str(decision) if decision else None))
    return tuple(groups)


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
    if isinstance(since, datetime) or not isinstance(since, date):
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
        check_key_line(key, member_id)
    history = _strings(item.get("history"), "history")
    for earlier in history:
        if not HISTORY_ITEM.fullmatch(earlier):
            raise BadInput(_("{id}: {value!r} in history is not an earlier status written like 'active until D-2026-003'").format(id=member_id, value=earlier))
    return Member(
        id=member_id,
        name=check_text(_string(item["name"], "name"), "name"),
        since=since,
        status=status,
        roles=roles,
        keys=keys,
        offers=_services(item.get("offers"), "offers"),
        wants=_services(item.get("wants"), "wants"),
        decisions=_strings(item.get("decisions"), "decisions"),
        history=history,
    )


_KEY_LINE = re.compile(r"(ssh-ed25519|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|ssh-rsa) ([A-Za-z0-9+/]+={0,2})(?: [^\n]*)?", re.ASCII)


def check_key_line(text: str, member_id: str) -> str:
    """The shape of a public key line, checked without loading cryptography: reading the register stays fast.

    Keys are checked in full when one is added, and whenever a signature is made or verified with it.
    """
    match = _KEY_LINE.fullmatch(text)
    try:
        valid = match is not None and len(base64.b64decode(match[2], validate=True)) > 16
    except ValueError:
        valid = False
    if not valid:
        raise BadInput(_("{id}: a key is not a valid SSH public key line ({text!r})").format(id=member_id, text=text[:40]))
    return text


def check_public_key(text: str, member_id: str) -> str:
    """A key about to enter the register, checked in full (it must decode to a usable key)."""
    from coop_cli.errors import SigningError
    from coop_cli.signing import PublicKey  # cryptography is loaded only when keys are added or used

    try:
        PublicKey.parse(text)
    except SigningError as problem:
        raise BadInput(_("{id}: a key is not a valid SSH public key ({problem})").format(id=member_id, problem=problem.message)) from None
    return text


def _string(value: Any, what: str) -> str:
    """Only YAML strings: numbers and booleans are read differently by YAML 1.1 and 1.2, so they are refused, not guessed."""
    if not isinstance(value, str):
        raise BadInput(_("{what} must be text, got {value!r}").format(what=what, value=value))
    return value


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise BadInput(_("{what} must be a list").format(what=what))
    return tuple(_string(v, what) for v in value)


def _services(value: Any, what: str) -> tuple[Service, ...]:
    """Offers or wants: each a plain word (the register's older form) or a mapping of text, cat, availability, added, until."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise BadInput(_("{what} must be a list").format(what=what))
    return tuple(Service(_string(item, what)) if not isinstance(item, dict) else _service(item, what) for item in value)


def _service(item: dict, what: str) -> Service:
    unknown = set(map(str, item)) - set(_SERVICE_FIELDS)
    if unknown:
        raise BadInput(_("unknown field {field!r} in {what} (fields are {choices})").format(field=sorted(unknown)[0], what=what, choices=", ".join(_SERVICE_FIELDS)))
    if "text" not in item:
        raise BadInput(_("each of {what} needs a text").format(what=what))
    text = check_line(_string(item["text"], what), what)
    cat = check_tag_value(_string(item["cat"], "cat"), "cat") if item.get("cat") is not None else None
    availability = check_line(_string(item["availability"], "availability"), "availability") if item.get("availability") is not None else None
    days = {}
    for key in ("added", "until"):
        value = item.get(key)
        if value is not None and (isinstance(value, datetime) or not isinstance(value, date)):
            value = parse_date(_string(value, key), key)
        days[key] = value
    return Service(text, cat, availability, **days)


def allowed_signers(register: Register, namespace: str) -> str:
    """OpenSSH's allowed-signers file for every key in the register, for `git log --show-signature` and `ssh-keygen -Y verify`.

    Each member is known by their id and by the address coop puts on their commits; keys of members who
    left stay listed, because their old signatures stay valid.
    """
    lines = ["# Made by coop from members.yaml; rewritten whenever the register changes.\n"]
    for member in register.members:
        for key in member.keys:
            key_type, blob = key.split()[:2]
            lines.append(f'{member.id},{member.id}@coop.invalid namespaces="git,{namespace}" {key_type} {blob}\n')
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
    item["offers"] = _flow(tuple(service.text for service in member.offers))  # `member add --offer`: plain words
    item["wants"] = _flow(tuple(service.text for service in member.wants))
    if member.decisions:
        item["decisions"] = _flow(member.decisions)
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


def _item(register: Register, member_id: str):
    for item in register.document["members"]:
        if str(item.get("id")) == member_id:
            return item
    raise CoopError(_("{id!r} is not a member of this coop (see coop member list)").format(id=member_id))


def with_changes(register: Register, member_id: str, changes: dict[str, Any], decision: str) -> str:
    """The file with a member's fields changed and the decision that changed them added to their `decisions`."""
    from ruamel.yaml.comments import CommentedSeq

    item = _item(register, member_id)
    ended = str(item.get("status", "active"))
    for key, value in changes.items():
        item[key] = _flow(tuple(value)) if isinstance(value, list) else value
    decisions = item.get("decisions")
    if not isinstance(decisions, CommentedSeq):
        item["decisions"] = decisions = _flow(tuple(decisions or ()))
    decisions.append(decision)
    if "status" in changes:  # the status it ends is kept, so that exchanges dated before the decision's meeting are judged by it
        history = item.get("history")
        if not isinstance(history, CommentedSeq):
            item["history"] = history = _flow(tuple(history or ()))
        history.append(f"{ended} until {decision}")
    return yamltext.dump(register.document)


def with_service(register: Register, member_id: str, kind: str, service: Service) -> str:
    """The file with one more offer or want (`kind`) for a member, written as a mapping; older plain words are kept."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    item = _item(register, member_id)
    services = item.get(kind)
    if not isinstance(services, CommentedSeq) or services.fa.flow_style():
        item[kind] = services = CommentedSeq(list(services or []))
    written = CommentedMap()
    for key in _SERVICE_FIELDS:
        if getattr(service, key) is not None:
            written[key] = getattr(service, key)
    services.append(written)
    return yamltext.dump(register.document)


def without_service(register: Register, member_id: str, kind: str, index: int) -> str:
    """The file without a member's offer or want at `index` of its list (an empty list stays, written `[]`)."""
    item = _item(register, member_id)
    del item[kind][index]
    if not item[kind]:
        item[kind] = _flow(())
    return yamltext.dump(register.document)


def with_group(register: Register, name: str, decision: str) -> str:
    """The file with a new, empty working group set up by `decision`."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    document = register.document
    groups = document.get("groups")
    if not isinstance(groups, CommentedSeq) or groups.fa.flow_style():
        document["groups"] = groups = CommentedSeq(list(groups or []))
    group = CommentedMap()
    group["name"] = name
    group["decision"] = decision
    group["members"] = _flow(())
    groups.append(group)
    return yamltext.dump(document)


def with_group_members(register: Register, name: str, member_ids: list[str]) -> str:
    """The file with members added to a working group (each once)."""
    for group in register.document.get("groups") or []:
        if group.get("name") == name:
            current = [str(m) for m in group.get("members") or []]
            group["members"] = _flow(tuple(dict.fromkeys(current + member_ids)))
            return yamltext.dump(register.document)
    raise CoopError(_("there is no group {name!r} (see coop group list)").format(name=name))


def with_group_renamed(register: Register, name: str, new_name: str) -> str:
    """The file with a working group renamed, its members and the decision that set it up kept."""
    _group_item(register, name)["name"] = new_name
    return yamltext.dump(register.document)


def without_group(register: Register, name: str) -> str:
    """The file without a working group (its members stay members)."""
    groups = register.document.get("groups")
    groups.remove(_group_item(register, name))
    if not groups:
        del register.document["groups"]
    return yamltext.dump(register.document)


def _group_item(register: Register, name: str):
    for group in register.document.get("groups") or []:
        if group.get("name") == name:
            return group
    raise CoopError(_("there is no group {name!r} (see coop group list)").format(name=name))
