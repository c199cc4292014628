"""The journal merge: three versions of one journal file in, their union by entry id out, or a refusal.

Ours is kept byte for byte and theirs' new entries follow it; anything that would drop or alter an entry is refused. No I/O.
"""

from __future__ import annotations

from coop_cli.errors import CoopError
from coop_cli.i18n import _
from coop_cli.journal import append_text, parse_journal
from coop_cli.model import Entry


def merge_journals(ancestor: str, ours: str, theirs: str, path: str, unit: str) -> str:
    """Ours unchanged, then the entries of theirs that ours lacks, in theirs' order and with their exact text.

    Raises CoopError when an entry of the ancestor was deleted or edited on either side, when one id names
    two different entries, or when a version is not a journal in coop's form (in the charter's `unit`):
    so there is no text outside entries to lose. Git calls rebase's and cherry-pick's replayed commit
    "theirs": the same rule fits both.
    """
    versions = {_("the common ancestor"): ancestor, _("our version"): ours, _("their version"): theirs}
    base, mine, other = (_entries_by_id(text, version, path, unit) for version, text in versions.items())
    for version, side in ((_("our version"), mine), (_("their version"), other)):
        _check_history_kept(base, side, version, path)
    for entry_id, entry in other.items():
        kept = mine.get(entry_id)
        if kept is not None and kept.lines != entry.lines:
            raise CoopError(
                _("cannot merge {file}: entry {id} differs between our version (line {ours}) and theirs (line {theirs})").format(
                    file=path, id=entry_id, ours=kept.where.line, theirs=entry.where.line
                )
            )
    new = [entry for entry_id, entry in other.items() if entry_id not in mine]
    merged = append_text(ours, ["".join(line + "\n" for line in entry.lines) for entry in new]) if new else ours
    _check_merged(merged, list(mine.values()) + new, path, unit)
    return merged


def _entries_by_id(text: str, version: str, path: str, unit: str) -> dict[str, Entry]:
    """A version's entries by id, in file order; each must be readable, have an id, and have it alone."""
    entries, problems = parse_journal(text, path, unit)
    if problems:
        problem = problems[0]
        raise CoopError(
            _("cannot merge {file}: {version} cannot be read at line {line}: {problem}").format(
                file=path, version=version, line=problem.where.line if problem.where else "?", problem=problem.message
            )
        )
    by_id: dict[str, Entry] = {}
    for entry in entries:
        if not entry.id:
            raise CoopError(
                _("cannot merge {file}: the entry at line {line} of {version} has no id").format(file=path, line=entry.where.line, version=version)
            )
        if entry.id in by_id:
            raise CoopError(
                _("cannot merge {file}: the id {id} appears twice in {version} (lines {first} and {second})").format(
                    file=path, id=entry.id, version=version, first=by_id[entry.id].where.line, second=entry.where.line
                )
            )
        by_id[entry.id] = entry
    return by_id


def _check_history_kept(base: dict[str, Entry], side: dict[str, Entry], version: str, path: str) -> None:
    for entry_id, entry in base.items():
        kept = side.get(entry_id)
        if kept is None:
            raise CoopError(
                _("cannot merge {file}: entry {id} of the common ancestor is missing from {version}; entries are never deleted").format(
                    file=path, id=entry_id, version=version
                )
            )
        if kept.lines != entry.lines:
            raise CoopError(
                _("cannot merge {file}: entry {id} was edited in {version} (line {line}); entries are never changed, they are reversed").format(
                    file=path, id=entry_id, version=version, line=kept.where.line
                )
            )


def _check_merged(merged: str, expected: list[Entry], path: str, unit: str) -> None:
    """The merged text must read back as exactly the expected entries, each with its original lines."""
    entries, problems = parse_journal(merged, path, unit)
    if problems or [(e.id, e.lines) for e in entries] != [(e.id, e.lines) for e in expected]:
        raise CoopError(_("cannot merge {file}: the merged file would not read back as the entries of both sides").format(file=path))
