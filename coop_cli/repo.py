"""The only place that touches the filesystem and git: find the coop, read its files, lock, commit.

A write is made crash-safe by committing first (objects, then one atomic `update-ref`) and only then
bringing the working tree along; a run killed in between leaves a file that `prepare_write` restores.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Iterator

from coop_cli import charter as charter_format
from coop_cli import members as members_format
from coop_cli.errors import CoopError
from coop_cli.i18n import _, ngettext
from coop_cli.journal import FileSummary, Problem, parse_journal, summarise_file
from coop_cli.model import Charter, Entry, Meeting, Need

LEDGER = "ledger"
SYNCING = "sync-in-progress"  # a marker in .git/coop while coop sync merges
CACHE_VERSION = 3  # 3: a file with an entry that does not balance has no summary
PARALLEL_BYTES = 50_000_000  # below this, starting a second process costs more than it saves
BOOK_PATHS = (charter_format.FILE, members_format.FILE, LEDGER)
BOOK_TOP = (charter_format.FILE, members_format.FILE, ".gitattributes", LEDGER)  # what verify reads of a commit's top folder
FINGERPRINT_KEY = "coop.fingerprint"  # git config: the genesis of the books this copy belongs to
GIT_ENV = {"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
_MEMBER_POSTING = re.compile(r"^    members:(\S+) ", re.MULTILINE)


def git(cwd: Path, *args: str, input: bytes | None = None, env: dict[str, str] | None = None, check: bool = True, status: bool = False):
    """Run git without a shell; a failure becomes one sentence with git's own first line of complaint.

    Returns git's output, or with `status=True` its exit status (for questions such as `merge-base --is-ancestor`).
    """
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, input=input, capture_output=True, env={**os.environ, **GIT_ENV, **(env or {})}
        )
    except FileNotFoundError:
        raise CoopError(_("git is not installed; coop keeps its books in git")) from None
    if status:
        return done.returncode
    if check and done.returncode != 0:
        complaint = (done.stderr.decode("utf-8", "replace").strip().splitlines() or [_("(no message)")])[-1]
        if "No space left" in complaint or "Out of diskspace" in complaint:
            raise CoopError(_("the disk is full ({complaint})").format(complaint=complaint))
        raise CoopError(_("git {command} failed: {complaint}").format(command=args[0], complaint=complaint))
    return done.stdout.decode("utf-8", "replace")


def find_root(start: Path) -> Path:
    """The coop repo containing `start`: the nearest folder upward holding charter.md and members.yaml."""
    if not start.is_dir():
        raise CoopError(_("{start}: no such folder").format(start=start))
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / charter_format.FILE).is_file() and (folder / members_format.FILE).is_file():
            return folder
    raise CoopError(
        _("no coop repository in {start} or any folder above it (use -C DIR, set COOP_DIR, or create one with coop init)").format(
            start=start
        )
    )


@dataclass
class Coop:
    root: Path
    _git_dir: Path | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def find(cls, start: Path) -> "Coop":
        return cls(find_root(start))

    # ------------------------------------------------------------ reading

    def read(self, relative: str) -> str:
        path = self.root / relative
        try:
            return path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            raise CoopError(_("{file} is missing from the coop at {root}").format(file=relative, root=self.root)) from None
        except UnicodeDecodeError as problem:
            raise CoopError(_("{file} is not valid UTF-8 (byte {at})").format(file=relative, at=problem.start)) from None
        except OSError as problem:
            raise CoopError(_("cannot read {file}: {reason}").format(file=relative, reason=problem.strerror)) from None

    def charter(self) -> Charter:
        return charter_format.parse(self.read(charter_format.FILE))

    def register(self) -> members_format.Register:
        return members_format.parse(self.read(members_format.FILE))

    def journal_files(self) -> list[str]:
        """Every journal of the books, or an error when the books are missing or cannot be read.

        Books that cannot be read must never look like books without exchanges: that would print zeros. A coop with
        no exchange yet has the ledger/ folder that `coop init` makes (with ledger/meetings/) and no journal.
        """
        try:
            found = [item for item in os.scandir(self.root / LEDGER) if item.name.endswith(".journal") and not item.name.startswith(".")]
        except FileNotFoundError:
            raise CoopError(
                _("the books are missing: there is no {ledger} folder in {root} (if it was deleted, git checkout HEAD -- {ledger} brings it back)").format(
                    ledger=LEDGER, root=self.root)
            ) from None
        except OSError as problem:
            raise CoopError(_("cannot read {file}: {reason}").format(file=f"{LEDGER}/", reason=problem.strerror)) from None
        for item in found:
            if not item.is_file():
                raise CoopError(_("{file} is not a regular file, so the entries it should hold cannot be read").format(file=f"{LEDGER}/{item.name}"))
            try:
                os.close(os.open(item.path, os.O_RDONLY))
            except OSError as problem:
                raise CoopError(_("cannot read {file}: {reason}").format(file=f"{LEDGER}/{item.name}", reason=problem.strerror)) from None
        try:
            deleted = git(self.root, "ls-files", "-z", "--deleted", "--", f"{LEDGER}/*.journal").split("\0")
        except CoopError:
            deleted = []  # not a git repository: the files are all there is
        for relative in filter(None, deleted):
            raise CoopError(_("{file} is missing from this copy of the books (git checkout HEAD -- {file} brings it back)").format(file=relative))
        return sorted(f"{LEDGER}/{item.name}" for item in found)

    def entries(self) -> tuple[list[Entry], list[Problem]]:
        """Every entry of every journal file, in file then line order, and what could not be read."""
        entries: list[Entry] = []
        problems: list[Problem] = []
        unit = self.charter().unit
        for relative in self.journal_files():
            found, wrong = self._parse(relative, unit)
            entries += found
            problems += wrong
        return entries, problems

    def _parse(self, relative: str, unit: str) -> tuple[list[Entry], list[Problem]]:
        return parse_journal(self.read(relative), relative, unit)

    def balances(self, until: date | None = None) -> dict[str, Decimal]:
        """Every account's balance after the entries dated up to `until` (all by default), exactly as a full read gives.

        Each journal in coop's own form is summarised by a quick scan, and the summary is kept in .git/coop/cache
        under the file's git blob id: content, never a time stamp, decides whether it is still good. Files in
        any other form, and files partly after `until`, are read in full.
        """
        cutoff = until.isoformat() if until else None
        unit = self.charter().unit
        table: dict[str, Decimal] = {}
        for relative, summary in self._summaries(unit).items():
            if summary is not None and (cutoff is None or summary.last <= cutoff):
                for account, hundredths in summary.balances.items():
                    table[account] = table.get(account, Decimal(0)) + Decimal(hundredths).scaleb(-2)
            elif summary is None or summary.first <= cutoff:
                found, problems = self._parse(relative, unit)
                if problems:
                    self._refuse_unreadable(problems)
                for entry in found:
                    if cutoff is None or entry.date <= until:
                        for posting in entry.postings:
                            table[posting.account] = table.get(posting.account, Decimal(0)) + posting.amount
        return table

    def _summaries(self, unit: str) -> dict[str, FileSummary | None]:
        """A summary per journal file (None: not in coop's form), from the cache where the file's blob id is known."""
        files = self.journal_files()
        known = self._clean_blob_ids()
        cache_path = self._cache_path()
        cache = _load_cache(cache_path, unit) if known else {}
        missing = [r for r in files if known.get(r) not in cache]
        computed = dict(zip(missing, _summarise_all([self.root / r for r in missing], unit)))
        summaries = {r: computed[r] if r in computed else cache[known[r]] for r in files}
        fresh = {known[r]: computed[r] for r in missing if r in known}
        if fresh:
            _save_cache(cache_path, unit, {**{known[r]: summaries[r] for r in files if r in known}, **fresh})
        return summaries

    def _clean_blob_ids(self) -> dict[str, str]:
        """Journals whose working file is exactly what git's index holds, with that blob id (git checks stat and content)."""
        try:
            staged = git(self.root, "ls-files", "-s", "-z", "--", f"{LEDGER}/*.journal")
            dirty = set(filter(None, git(self.root, "diff-files", "--name-only", "-z", "--", LEDGER).split("\0")))
        except CoopError:
            return {}  # not a git repository: no cache, every file is read
        blobs = {}
        for record in filter(None, staged.split("\0")):
            info, _tab, path = record.partition("\t")
            if path not in dirty and info.split()[2] == "0":
                blobs[path] = info.split()[1]
        return blobs

    def _cache_path(self) -> Path | None:
        try:
            return self.git_dir() / "coop" / "cache" / "journals.json"
        except CoopError:
            return None

    def _refuse_unreadable(self, problems: list[Problem]) -> None:
        if len(problems) == 1:
            raise CoopError(str(problems[0]))
        n = len(problems) - 1
        raise CoopError(
            ngettext("{problem} (and {n} more problem; run coop verify)", "{problem} (and {n} more problems; run coop verify)", n).format(
                problem=problems[0], n=n
            )
        )

    def last_exchanges(self, until: date, months: int, members: set[str]) -> dict[str, date]:
        """Each of `members`' last exchange dated up to `until` (meeting credits count, reversals do not), looked for in the
        journals of the `months` months up to `until`'s, newest first, and no further once every member is found.

        A quick scan of the text of files the reader accepts (the balances read them first): coop match and the bulletin
        answer in a fraction of a second on a million exchanges.
        """
        index = until.year * 12 + until.month - 1 - months
        first = f"{LEDGER}/{index // 12:04d}-{index % 12 + 1:02d}.journal"
        found: dict[str, date] = {}
        for relative in reversed(self.journal_files()):
            if relative > f"{LEDGER}/{until:%Y-%m}.journal":
                continue
            if relative < first or members <= set(found):
                break
            for entry in self.read(relative).split("\n\n"):
                day = entry[:10]
                if day > until.isoformat() or "\n    ; kind: reversal\n" in entry:
                    continue
                for member in _MEMBER_POSTING.findall(entry):
                    if member not in found or found[member].isoformat() < day:
                        found[member] = date.fromisoformat(day)
        return found

    def readable_entries(self) -> list[Entry]:
        """The entries, or an error naming the first unreadable line: reports never skip what they cannot read."""
        entries, problems = self.entries()
        if problems:
            self._refuse_unreadable(problems)
        return entries

    def needs(self) -> tuple[Need, ...]:
        """The coop's needs on the matrix (none before the first is placed)."""
        from coop_cli import needs as needs_format

        return needs_format.parse(self.read(needs_format.FILE)) if (self.root / needs_format.FILE).is_file() else ()

    def meetings(self) -> list[Meeting]:
        """Every meeting's minutes, oldest first."""
        from coop_cli import meetings as meetings_format

        folder = self.root / meetings_format.FOLDER
        found = sorted(p.stem for p in folder.glob("*.md") if p.is_file()) if folder.is_dir() else []
        return [meetings_format.parse(self.read(meetings_format.path_of(slug)), slug) for slug in found if meetings_format.SLUG.fullmatch(slug)]

    def fingerprint(self) -> str:
        """The coop's fingerprint: the genesis this copy remembers, else the commit that began the books at HEAD."""
        known = self.config(FINGERPRINT_KEY)
        if known:
            return known
        found = git(self.root, "log", "--first-parent", "--diff-filter=A", "--format=%H", "-1", "HEAD", "--", charter_format.FILE, check=False).strip()
        if not found:
            raise CoopError(_("charter.md was never committed here: these are not a coop's books"))
        return found

    # ------------------------------------------------------------ history

    def commits_with(self, line: str) -> list[tuple[str, str]]:
        """The commits of HEAD's history whose message holds `line` (a fixed string), newest first, with their day."""
        found = git(self.root, "log", "-F", f"--grep={line}", "--format=%H %cs", "HEAD", "--")
        return [(commit, day) for commit, _space, day in (record.partition(" ") for record in found.splitlines())]

    def commit_in_history(self, name: str) -> str:
        """The full id of the commit `name` names (an id, a prefix of one, HEAD~2), refused unless HEAD's history holds it."""
        found = "" if name.startswith("-") else git(self.root, "rev-parse", "--verify", "-q", f"{name}^{{commit}}", check=False).strip()
        if not found or git(self.root, "merge-base", "--is-ancestor", found, "HEAD", status=True) != 0:
            raise CoopError(_("there is no commit {commit} in the history of the books (see coop log)").format(commit=name))
        return found

    def entry_ids_added(self, commit: str) -> list[str]:
        """The ids of the entries `commit` appended to the journals, in the order they were written.

        Journals only grow, so they are the `id` tags on the lines the commit adds; a merge only joins entries
        that other commits added, so it is refused.
        """
        parents = git(self.root, "rev-list", "--parents", "-n", "1", commit).split()[1:]
        if len(parents) > 1:
            raise CoopError(
                _("{commit} is a merge, which only joins entries recorded by other commits: revert those commits instead").format(commit=commit[:10])
            )
        diff = git(self.root, "diff-tree", "-p", "-U0", "--no-color", "--no-ext-diff", "--no-textconv", *(parents or ["--root"]), commit, "--", f"{LEDGER}/*.journal")
        return [line[len("+    ; id: "):].strip() for line in diff.splitlines() if line.startswith("+    ; id: ")]

    def config(self, key: str) -> str | None:
        value = git(self.root, "config", "--get", key, check=False).strip()
        return value or None

    # ------------------------------------------------------------ writing

    def publish_signers(self, text: str) -> Path:
        """Keep `.git/coop/allowed_signers` current and point git at it, so `git log --show-signature` works."""
        path = self.git_dir() / "coop" / "allowed_signers"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        git(self.root, "config", "gpg.ssh.allowedSignersFile", str(path))
        return path

    # ------------------------------------------------------------ this copy's own files in .git/coop, never committed

    def read_own(self, name: str) -> str | None:
        """The text of one of this copy's own files, or None when there is none (or it cannot be read)."""
        try:
            return (self.git_dir() / "coop" / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def write_own(self, name: str, text: str, durable: bool = True) -> None:
        """Replace one of this copy's own files whole: a reader, or a run killed meanwhile, finds the old or the new text.

        `durable` also waits for the disk, which only a power cut needs; a killed process loses nothing either way.
        """
        folder = self.git_dir() / "coop"
        folder.mkdir(exist_ok=True)
        temporary = folder / f"{name}.{os.getpid()}.tmp"
        try:
            with open(temporary, "wb") as stream:
                stream.write(text.encode("utf-8"))
                if durable:
                    stream.flush()
                    os.fsync(stream.fileno())
            os.replace(temporary, folder / name)
        except OSError as problem:
            temporary.unlink(missing_ok=True)
            raise CoopError(_("cannot write {file}: {reason}").format(file=folder / name, reason=problem.strerror)) from None

    def remove_own(self, name: str) -> None:
        (self.git_dir() / "coop" / name).unlink(missing_ok=True)

    @contextlib.contextmanager
    def alone(self, name: str, busy: str) -> Iterator[None]:
        """Hold `.git/coop/NAME.lock` for a long task that two runs must not share; refused with `busy` if held.

        Unlike `writing()` it does not wait: the other holder is a person at a terminal, not a quick command.
        """
        folder = self.git_dir() / "coop"
        try:
            folder.mkdir(exist_ok=True)
            lock = open(folder / f"{name}.lock", "a")
        except OSError as problem:
            raise CoopError(_("cannot write in {folder}: {reason} (is this copy read-only?)").format(folder=folder, reason=problem.strerror)) from None
        with lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise CoopError(busy) from None
            yield

    @contextlib.contextmanager
    def writing(self) -> Iterator[list[str]]:
        """Hold the coop's lock while reading, checking and committing; yields notes for the user.

        flock is released by the kernel when a process dies, so a killed coop never leaves a stale lock.
        """
        git_dir = self.git_dir()
        try:
            (git_dir / "coop").mkdir(exist_ok=True)
            lock = open(git_dir / "coop" / "lock", "a")
        except OSError as problem:
            raise CoopError(_("cannot write in {folder}: {reason} (is this copy read-only?)").format(folder=git_dir, reason=problem.strerror)) from None
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            notes = self._clear_leftovers(git_dir)
            notes += self._prepare_write(git_dir)
            yield notes

    def git_dir(self) -> Path:
        """The repository's git folder, asked of git once per Coop (a write needs it several times)."""
        if self._git_dir is None:
            if not (self.root / ".git").exists():
                raise CoopError(_("{root} holds a coop's files but is not a git repository").format(root=self.root))
            self._git_dir = Path(git(self.root, "rev-parse", "--absolute-git-dir").strip())
        return self._git_dir

    def _clear_leftovers(self, git_dir: Path) -> list[str]:
        """What a killed coop (or git under it) can leave: its own temporary files, git's lock files, a half-done sync merge.

        Holding the coop's lock, no other coop runs; a git lock file that outlives a short wait is stale.
        """
        notes = []
        for leftover in (git_dir / "coop").glob("index-*"):
            leftover.unlink(missing_ok=True)
        for leftover in (git_dir / "coop").glob("write-*"):
            leftover.unlink(missing_ok=True)
        locks = [git_dir / "index.lock", git_dir / "HEAD.lock", git_dir / "packed-refs.lock", *(git_dir / "refs" / "heads").rglob("*.lock")]
        present = [lock for lock in locks if lock.exists()]
        if present:
            time.sleep(1)
            for lock in present:
                if lock.exists():
                    lock.unlink(missing_ok=True)
                    notes.append(_("removed {file}, left by an interrupted git command").format(file=lock.relative_to(git_dir.parent) if git_dir.parent in lock.parents else lock))
        if (git_dir / "coop" / SYNCING).exists():
            # coop sync starts from clean books, so whatever differs from HEAD now is its unfinished merge.
            if (git_dir / "MERGE_HEAD").exists():
                git(self.root, "merge", "--abort", check=False)
            tracked = [p for p in BOOK_PATHS if git(self.root, "cat-file", "-e", f"HEAD:{p}", check=False, status=True) == 0]
            git(self.root, "reset", "-q", "HEAD", "--", *tracked, check=False)
            git(self.root, "checkout", "-q", "HEAD", "--", *tracked, check=False)
            git(self.root, "clean", "-q", "-f", "--", f"{LEDGER}/*.journal", check=False)
            (git_dir / "coop" / SYNCING).unlink(missing_ok=True)
            notes.append(_("undid the merge that an interrupted coop sync left half done"))
        return notes

    def _prepare_write(self, git_dir: Path) -> list[str]:
        """Refuse to write over uncommitted changes to the books, and repair what an interrupted coop left."""
        if git(self.root, "symbolic-ref", "-q", "HEAD", check=False).strip() == "":
            raise CoopError(_("HEAD is detached; switch to a branch (git switch main) before changing the books"))
        for marker, what in (("MERGE_HEAD", _("a merge")), ("rebase-merge", _("a rebase")), ("rebase-apply", _("a rebase")),
                             ("CHERRY_PICK_HEAD", _("a cherry-pick")), ("REVERT_HEAD", _("a git revert"))):
            if (git_dir / marker).exists():
                raise CoopError(
                    _("{what} is in progress in this copy; finish it or abort it with git (git status says how) before changing the books").format(what=what)
                )
        notes = []
        for path in self.uncommitted():
            if self._behind_head(path):
                git(self.root, "checkout", "-q", "HEAD", "--", path)
                notes.append(_("{file} was left behind its last commit by an interrupted coop; restored it").format(file=path))
                continue
            raise CoopError(
                _("{file} has changes that are not committed; commit them with git, or undo them with `git checkout -- {file}`, then try again").format(
                    file=path
                )
            )
        return notes

    def uncommitted(self) -> list[str]:
        """Files of the books that differ from HEAD: what reports would read but no commit holds."""
        status = git(self.root, "--no-optional-locks", "status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=all", "--", *BOOK_PATHS)
        paths = []
        for record in filter(None, status.split("\0")):
            state, path = record[:2], record[3:]
            if state == "??" and path.startswith(LEDGER + "/") and not path.endswith(".journal"):
                continue  # minutes and other untracked notes do not change the books
            paths.append(path)
        return paths

    def _behind_head(self, relative: str) -> bool:
        """True when the working file is what a kill between moving HEAD and writing the file leaves.

        That is the committed file cut short (journals only grow), or the file as the previous HEAD had it.
        """
        path = self.root / relative
        current = path.read_bytes() if path.is_file() else None
        committed = self._blob(f"HEAD:{relative}")
        if committed is not None and current is not None and committed.startswith(current):
            return True
        return current == self._blob(f"HEAD@{{1}}:{relative}") and (current is not None or committed is not None)

    def _blob(self, name: str) -> bytes | None:
        done = subprocess.run(["git", "cat-file", "blob", name], cwd=self.root, capture_output=True)
        return done.stdout if done.returncode == 0 else None

    def move_head(self, old: str, new: str, reason: str) -> None:
        """Point the branch at `new` (only if it is still at `old`), then bring the working tree along."""
        git(self.root, "update-ref", "-m", f"coop: {reason}", "HEAD", new, old)
        git(self.root, "read-tree", "-u", "-m", old, new)

    def commit(self, changes: dict[str, str], message: str, author: tuple[str, str], signer=None) -> str:
        """Commit new contents for some files on top of HEAD, then update the working tree; returns the commit id.

        Must be called inside `writing()`. The commit is signed in git's SSH format when a signer is given.
        """
        head = git(self.root, "rev-parse", "--verify", "-q", "HEAD", check=False).strip()
        git_dir = self.git_dir()
        index = git_dir / "coop" / f"index-{os.getpid()}"
        env = {"GIT_INDEX_FILE": str(index)}
        try:
            if head:
                git(self.root, "read-tree", head, env=env)
            for relative, text in changes.items():
                blob = git(self.root, "hash-object", "-w", "--stdin", input=text.encode("utf-8")).strip()
                git(self.root, "update-index", "--add", "--cacheinfo", f"100644,{blob},{relative}", env=env)
            tree = git(self.root, "write-tree", env=env).strip()
        finally:
            index.unlink(missing_ok=True)
        if head and tree == git(self.root, "rev-parse", f"{head}^{{tree}}").strip():
            raise CoopError(_("nothing to change: the books already say this"))
        commit = self.commit_tree(tree, [head] if head else [], message, author, signer)
        # The one atomic step: before it nothing changed, after it the books hold the entry.
        git(self.root, "update-ref", "-m", "coop: " + message.splitlines()[0], "HEAD", commit, head or "0" * 40)
        try:
            for relative, text in changes.items():
                self._replace_file(relative, text, git_dir)
            git(self.root, "update-index", "--add", "--", *changes)
        except (OSError, CoopError) as problem:
            reason = problem.strerror if isinstance(problem, OSError) else problem.message
            raise CoopError(
                _("the change is committed ({commit}) but the files could not be updated ({reason}); run any coop command once there is room, and it brings them up to date").format(
                    commit=commit[:10], reason=reason
                )
            ) from None
        return commit

    def commit_tree(self, tree: str, parents: list[str], message: str, author: tuple[str, str], signer=None) -> str:
        """Write a commit object (signed in git's SSH format when a signer is given) without moving any branch."""
        body = _commit_body(tree, parents, author, message)
        if signer is not None:
            from coop_cli.signing import armor

            body = _with_signature(body, armor(signer.sign(body.encode("utf-8"), "git")))
        return git(self.root, "hash-object", "-t", "commit", "-w", "--stdin", input=body.encode("utf-8")).strip()

    def create_tag(self, name: str, message: str, tagger: tuple[str, str], signer) -> str:
        """An annotated tag at HEAD, signed in git's SSH format (signature appended to the message); never moves one."""
        from coop_cli.signing import armor

        head = git(self.root, "rev-parse", "--verify", "HEAD").strip()
        now = datetime.now().astimezone()
        body = f"object {head}\ntype commit\ntag {name}\ntagger {tagger[0]} <{tagger[1]}> {int(now.timestamp())} {now.strftime('%z')}\n\n{message}"
        body += armor(signer.sign(body.encode("utf-8"), "git"))
        tag = git(self.root, "hash-object", "-t", "tag", "-w", "--stdin", input=body.encode("utf-8")).strip()
        git(self.root, "update-ref", f"refs/tags/{name}", tag, "0" * 40)
        return tag

    def has_ref(self, name: str) -> bool:
        return git(self.root, "show-ref", "--verify", "-q", name, check=False, status=True) == 0

    def _replace_file(self, relative: str, text: str, git_dir: Path) -> None:
        """Write a whole file so that a reader sees either the old or the new one, never half of it."""
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=git_dir / "coop", prefix="write-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(text.encode("utf-8"))
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _commit_body(tree: str, parent_ids: list[str], author: tuple[str, str], message: str) -> str:
    now = datetime.now().astimezone()
    offset = now.strftime("%z")
    ident = f"{author[0]} <{author[1]}> {int(now.timestamp())} {offset}"
    parents = "".join(f"parent {parent}\n" for parent in parent_ids)
    return f"tree {tree}\n{parents}author {ident}\ncommitter {ident}\n\n{message.rstrip()}\n"


def _with_signature(body: str, armored: str) -> str:
    """Insert git's `gpgsig` header (continuation lines start with a space) after the committer line."""
    header, _blank, message = body.partition("\n\n")
    signature = "gpgsig " + armored.rstrip("\n").replace("\n", "\n ")
    return f"{header}\n{signature}\n\n{message}"


def init_repository(folder: Path) -> None:
    """A new, empty git repository at `folder`, which must be empty or absent."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise CoopError(_("{folder} already exists and is not an empty folder").format(folder=folder))
    folder.mkdir(parents=True, exist_ok=True)
    git(folder, "init", "-q", "-b", "main")


# ---------------------------------------------------------------- the balance cache

def _summarise_one(path: Path, unit: str) -> FileSummary | None:
    try:
        return summarise_file(path.read_bytes().decode("utf-8"), unit)
    except (OSError, UnicodeDecodeError):
        return None  # the full read names the problem


def _summarise_all(paths: list[Path], unit: str) -> list[FileSummary | None]:
    """Summaries of many files, on every core when there is enough to read to be worth starting them."""
    if sum(p.stat().st_size for p in paths if p.exists()) < PARALLEL_BYTES or (os.cpu_count() or 1) < 2:
        return [_summarise_one(p, unit) for p in paths]
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    with ProcessPoolExecutor(min(os.cpu_count() or 2, 8), mp_context=get_context("fork")) as pool:
        return list(pool.map(_summarise_one, paths, [unit] * len(paths), chunksize=4))


def _load_cache(path: Path | None, unit: str) -> dict[str, FileSummary | None]:
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError):
        return {}
    if data.get("version") != CACHE_VERSION or data.get("unit") != unit:
        return {}
    return {blob: FileSummary(**value) if value else None for blob, value in data.get("files", {}).items()}


def _save_cache(path: Path | None, unit: str, summaries: dict[str, FileSummary | None]) -> None:
    """Best effort: a read-only copy simply goes without."""
    if path is None:
        return
    files = {blob: (s.__dict__ if s else None) for blob, s in summaries.items()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"version": CACHE_VERSION, "unit": unit, "files": files}), encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass


# ---------------------------------------------------------------- reading history

@dataclass(frozen=True)
class Commit:
    """A commit as git stores it: what an auditor needs to judge it without trusting coop's own records."""

    id: str
    parents: tuple[str, ...]
    tree: str
    author: str
    committer: str
    time: int
    message: str
    signature: str | None  # the armoured SSH (or other) signature of the `gpgsig` header
    payload: bytes  # the bytes the signature covers: the commit without its `gpgsig` header

    @property
    def offset(self) -> str:
        """The committer's time zone as git writes it (`+0100`): the commit's own calendar day depends on it."""
        return self.committer.rsplit(" ", 1)[-1]

    @property
    def committer_name(self) -> str:
        return self.committer.split(" <", 1)[0]

    @property
    def committer_email(self) -> str:
        return self.committer.split(" <", 1)[-1].split(">", 1)[0]

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]


def parse_commit(commit_id: str, raw: bytes) -> Commit:
    """Split a raw commit object into its headers, its signature and the signed payload."""
    head, _blank, message = raw.partition(b"\n\n")
    headers: list[tuple[str, str]] = []
    payload_lines: list[bytes] = []
    in_signature = False
    for line in head.split(b"\n"):
        if line.startswith(b" ") and headers:
            key, value = headers[-1]
            headers[-1] = (key, value + "\n" + line[1:].decode("utf-8", "replace"))
            if not in_signature:
                payload_lines.append(line)
            continue
        key, _space, value = line.decode("utf-8", "replace").partition(" ")
        headers.append((key, value))
        in_signature = key == "gpgsig"
        if not in_signature:
            payload_lines.append(line)
    values: dict[str, list[str]] = {}
    for key, value in headers:
        values.setdefault(key, []).append(value)
    committer = values.get("committer", [""])[0]
    try:
        time = int(committer.rsplit(" ", 2)[-2])
    except (IndexError, ValueError):
        time = 0
    signature = values.get("gpgsig", [None])[0]
    return Commit(
        id=commit_id,
        parents=tuple(values.get("parent", [])),
        tree=values.get("tree", [""])[0],
        author=values.get("author", [""])[0],
        committer=committer,
        time=time,
        message=message.decode("utf-8", "replace"),
        signature=signature + "\n" if signature else None,
        payload=b"\n".join(payload_lines) + b"\n\n" + message,
    )


class Objects:
    """Git objects read through one long-lived `git cat-file --batch`, so a long history costs one process."""

    def __init__(self, root: Path):
        self._process = subprocess.Popen(
            ["git", "cat-file", "--batch"], cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={**os.environ, **GIT_ENV}
        )

    def read(self, name: str) -> tuple[str, bytes] | None:
        """The type and content of an object (`SHA`, `SHA:path`), or None when it does not exist."""
        assert self._process.stdin and self._process.stdout
        self._process.stdin.write(name.encode("utf-8") + b"\n")
        self._process.stdin.flush()
        header = self._process.stdout.readline().split()
        if len(header) != 3:
            return None
        content = self._process.stdout.read(int(header[2]))
        self._process.stdout.read(1)
        return header[1].decode(), content

    def tree(self, name: str) -> dict[str, tuple[str, str]]:
        """A tree's entries: name -> (mode, object id)."""
        found = self.read(name)
        if found is None or found[0] != "tree":
            return {}
        entries, data, at = {}, found[1], 0
        while at < len(data):
            space = data.index(b" ", at)
            nul = data.index(b"\0", space)
            entries[data[space + 1 : nul].decode("utf-8", "replace")] = (data[at:space].decode(), data[nul + 1 : nul + 21].hex())
            at = nul + 21
        return entries

    def book_tree(self, commit: str) -> dict[str, tuple[str, str]]:
        """Every path of the books in a commit with its mode and object id: the rules files, and all under ledger/.

        Nothing is filtered here (a symlink, a submodule or a folder is listed as what it is): judging is verify's.
        """
        top = self.tree(f"{commit}^{{tree}}")
        found = {name: top[name] for name in BOOK_TOP if name in top}
        folders = [(LEDGER, top[LEDGER][1])] if LEDGER in top and top[LEDGER][0] == "40000" else []
        while folders:
            prefix, tree = folders.pop()
            for name, (mode, oid) in self.tree(tree).items():
                if mode == "40000":
                    folders.append((f"{prefix}/{name}", oid))  # git has no empty folders: a folder shows through its files
                else:
                    found[f"{prefix}/{name}"] = (mode, oid)
        if LEDGER in found and found[LEDGER][0] == "40000":
            del found[LEDGER]
        return found

    def text(self, blob: str) -> str:
        found = self.read(blob)
        return found[1].decode("utf-8", "replace") if found else ""

    def close(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        self._process.wait()

    def __enter__(self) -> "Objects":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

