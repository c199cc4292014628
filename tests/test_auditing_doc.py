"""docs/auditing.md, run as written: the auditor's checks with git, ssh-keygen, hledger and ledger alone.

Every ```sh block of the page runs in order with `bash -euo pipefail`: the `git clone REMOTE books` block in an empty
folder, the others from the top of the clone it makes, with what they print on the terminal (output and messages)
captured together. The block that begins with `#!/bin/sh` is the script the page says to save beside the clone: it
is saved there, and must be docs/audit-without-coop.sh byte for byte.

First on a fresh clone of this repository, whose books are the example coop: each block must print exactly the
```text block the page shows below it (`…` stands for lines or part of a line left out). Then on a coop built here
(exchanges, one paid by the coop, a merge made by `coop sync`, a reversal, a decision, an auditor's signed tag), where
the page's example fingerprint is replaced by that coop's genesis: every check must pass. Then the coop is tampered
with by hand, with plain git, and the same blocks must say so.

The tools are required, not optional: without them this test fails instead of skipping.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from coop_cli import members as members_format
from coop_cli.model import namespace_for
from conftest import SINCE, cli_env, make_coop, run_coop, ssh_keygen_key

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "auditing.md"
SCRIPT = ROOT / "docs" / "audit-without-coop.sh"
README = ROOT / "README.md"
SCRIPT_NAME = "audit-without-coop.sh"  # saved beside the clone, as the page says
TOOLS = ("bash", "sh", "git", "ssh-keygen", "hledger", "ledger", "awk", "sed", "sort", "uniq", "sha256sum", "fold",
         "cmp", "head", "diff", "grep", "cut", "wc", "mktemp", "tar", "tr")
FENCE = re.compile(r"^```(\S*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
README_FINGERPRINT = re.compile(r"Fingerprint of the example coop: `([0-9a-f]{40})`")
SET_FINGERPRINT = re.compile(r"^git config coop\.fingerprint ([0-9a-f]{40})$", re.M)
BOOKS = ("charter.md", "members.yaml", ".gitattributes", "ledger")
PLAIN_GIT = ["-c", "user.name=Mallory", "-c", "user.email=mallory@example.org", "-c", "commit.gpgsign=false"]
MEMBERS = (("agnes", "Agnès", ("treasurer",)), ("bernard", "Bernard", ()), ("claire", "Claire", ()))


def require_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    assert not missing, f"docs/auditing.md needs {', '.join(missing)}: install them (this test never skips)"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *PLAIN_GIT, *args], cwd=root, capture_output=True, text=True, check=True).stdout


# ---------------------------------------------------------------- the page

@dataclass
class Block:
    code: str
    shown: str | None  # the ```text block right after it: what it prints on a fresh clone of this repository


def doc_blocks() -> list[Block]:
    """The page's ```sh blocks, each with the ```text block that follows it, if one does before the next ```sh block."""
    blocks: list[Block] = []
    for lang, code in FENCE.findall(DOC.read_text(encoding="utf-8")):
        if lang == "sh":
            blocks.append(Block(code, None))
        elif lang == "text":
            assert blocks and blocks[-1].shown is None, f"a ```text block follows no ```sh block:\n{code}"
            blocks[-1].shown = code
    return blocks


def example_fingerprint() -> str:
    """The example coop's fingerprint, as the README publishes it."""
    found = README_FINGERPRINT.findall(README.read_text(encoding="utf-8"))
    assert len(found) == 1, "the README gives the example coop's fingerprint once, as `Fingerprint of the example coop: `…``"
    return found[0]


def shows(shown: str, printed: str) -> bool:
    """`printed` is what `shown` says, line by line (trailing spaces aside); a line `…` stands for any lines, `…` in a line for any text."""
    pattern = ""
    for line in shown.splitlines():
        pattern += r"(?:[^\n]*\n)*" if line == "…" else "[^\n]*".join(map(re.escape, line.rstrip().split("…"))) + r"\n"
    return re.fullmatch(pattern, "".join(line.rstrip() + "\n" for line in printed.splitlines())) is not None


# ---------------------------------------------------------------- running it

@dataclass
class Ran:
    code: str
    shown: str | None
    status: int
    out: str  # output and messages together, as on a terminal


class Run(list):
    def block(self, needle: str) -> Ran:
        """The one block whose code contains `needle`."""
        found = [ran for ran in self if needle in ran.code]
        assert len(found) == 1, f"{len(found)} blocks of docs/auditing.md contain {needle!r}"
        return found[0]

    def starting(self, prefix: str) -> Ran:
        """The one block whose code begins with `prefix`."""
        found = [ran for ran in self if ran.code.startswith(prefix)]
        assert len(found) == 1, f"{len(found)} blocks of docs/auditing.md begin with {prefix!r}"
        return found[0]

    def failed(self) -> list[Ran]:
        return [ran for ran in self if ran.status != 0]


def run_doc(remote: Path, folder: Path, fingerprint: str) -> Run:
    """Every sh block of the page, in order, as an auditor with git and the tools would run them; `fingerprint` is the one they hold."""
    folder.mkdir()
    (folder / "home").mkdir()
    tools = folder / "bin"  # `coop`, for step 9: this source tree's, as `pip install .` would give
    tools.mkdir()
    (tools / "coop").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m coop_cli "$@"\n', encoding="utf-8")
    (tools / "coop").chmod(0o755)
    env = {"PATH": f"{tools}{os.pathsep}{os.environ['PATH']}", "HOME": str(folder / "home"), "LC_ALL": "C.UTF-8",
           "LANGUAGE": "en", "TMPDIR": os.environ.get("TMPDIR", "/tmp"), "GIT_CONFIG_NOSYSTEM": "1",
           "PYTHONPATH": str(ROOT), "COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb"}
    example = example_fingerprint()
    clone = folder / "books"
    ran = Run()
    blocks = doc_blocks()
    assert sum("git clone" in block.code for block in blocks) == 1, "the page has one `git clone` block"
    assert "git clone REMOTE books" in blocks[0].code, "the `git clone` block comes first: the others run in the clone it makes"
    for block in blocks:
        if block.code.startswith("#!"):
            (folder / SCRIPT_NAME).write_text(block.code, encoding="utf-8")
            ran.append(Ran(block.code, block.shown, 0, ""))
            continue
        command = block.code.replace("REMOTE", str(remote)).replace(example, fingerprint)
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=folder if "git clone" in block.code else clone,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
        ran.append(Ran(block.code, block.shown, done.returncode, done.stdout))
    return ran


def show(ran: Ran) -> str:
    return f"\n--- block:\n{ran.code}--- status {ran.status}, printed:\n{ran.out}" + (f"--- the page shows:\n{ran.shown}" if ran.shown is not None else "")


def lines(ran: Ran) -> list[str]:
    return [line.rstrip() for line in ran.out.splitlines()]


# ---------------------------------------------------------------- a real coop

@dataclass
class Books:
    root: Path  # the coop under audit: a member's copy made by `coop clone`, holding a merge and the audit tag
    genesis: str
    tag: str
    keys: dict[str, Path]


def coop(root: Path, keys: dict[str, Path], *args: str, as_: str = "agnes") -> str:
    path = os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]  # git runs `coop merge-driver`
    done = run_coop("-C", str(root), *args, env=cli_env(COOP_AS=as_, COOP_KEY=str(keys[as_]), PATH=path))
    assert done.returncode == 0, f"coop {' '.join(args)}: {done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> Books:
    """The coop_repo coop (agnes treasurer, bernard, claire), then everything an auditor may meet."""
    require_tools()
    folder = tmp_path_factory.mktemp("audited")
    fixture = make_coop(folder, MEMBERS)
    keys = fixture.keys
    genesis = git(fixture.root, "rev-list", "--max-parents=0", "HEAD").strip()
    for payer, earner, hours, what in (("bernard", "agnes", "2", "Jardinage"), ("claire", "bernard", "1.5", "Couture"),
                                       ("coop", "claire", "1", "Réunion")):
        coop(fixture.root, keys, "record", payer, earner, hours, what, "--date", "2026-03-10")
    keys["eric"] = ssh_keygen_key(folder / "keys", "eric")
    coop(fixture.root, keys, "member", "add", "eric", "--name", "Eric", "--role", "auditor", "--pubkey", f"{keys['eric']}.pub",
         "--since", SINCE, "--decision", fixture.decision("Eric audite les comptes"))
    # Two copies record at once; `coop sync` merges them with the journal driver, in a commit signed by agnes.
    remote = folder / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(fixture.root), str(remote)], check=True)
    copies = [folder / "a", folder / "b"]
    for copy in copies:
        done = run_coop("clone", str(remote), str(copy), "--as", "agnes", "--key", str(keys["agnes"]), env=cli_env())
        assert done.returncode == 0, done.stderr
    a, b = copies
    coop(a, keys, "record", "bernard", "claire", "1", "Vélo", "--date", "2026-03-12")
    coop(b, keys, "record", "claire", "agnes", "0.5", "Retouche", "--date", "2026-03-13")
    for copy in (a, b, a):
        coop(copy, keys, "sync")
    assert len(git(a, "rev-list", "--merges", "HEAD").split()) == 1
    retouche = re.search(r"Retouche\n    ; id: (\w+)", (a / "ledger" / "2026-03.journal").read_text(encoding="utf-8"))
    coop(a, keys, "revert", retouche[1], "--reason", "Saisi deux fois")
    coop(a, keys, "audit", "sign", as_="eric")
    tags = git(a, "tag", "-l", "audit/*").split()
    assert len(tags) == 1, tags
    return Books(a, genesis, tags[0], keys)


def entry_ids(root: Path) -> list[str]:
    return re.findall(r"; id: (\w+)", "".join(p.read_text(encoding="utf-8") for p in sorted((root / "ledger").glob("*.journal"))))


def copy_of(books: Books, folder: Path) -> Path:
    """A copy of the audited coop, to tamper with by hand."""
    subprocess.run(["git", "clone", "-q", str(books.root), str(folder)], check=True)
    return folder


# ---------------------------------------------------------------- the page and the README

def test_the_page_has_what_the_test_relies_on():
    blocks = doc_blocks()
    listings = [block.code for block in blocks if block.code.startswith("#!")]
    assert listings == [SCRIPT.read_text(encoding="utf-8")], "the script in the page and docs/audit-without-coop.sh differ"
    assert any(block.code == f"sh ../{SCRIPT_NAME} allowed_signers\n" for block in blocks)
    text = DOC.read_text(encoding="utf-8")
    assert "`REMOTE`" in text, "the page does not say what REMOTE is"
    assert SET_FINGERPRINT.findall(text) == [example_fingerprint()], "step 1 tells git the fingerprint the README publishes, once"
    # Every command shows what it prints on this repository, but the clone (progress) and HEAD (it moves with every commit).
    unshown = [block.code for block in blocks if block.shown is None and not block.code.startswith("#!")]
    assert unshown == ["git clone REMOTE books\n", "git rev-parse HEAD\n"], unshown
    # Blocks stand alone: each that needs the fingerprint reads it from git, which step 1 told.
    for block in blocks:
        if "$fp" in block.code:
            assert 'fp=$(git config coop.fingerprint)' in block.code, block.code
    assert "coop-ledger@" in text and not re.search(r"-n coop-ledger\b(?!@)", text), "entries are signed in coop-ledger@FINGERPRINT"


def test_the_readme_gives_the_fingerprint_of_the_example_coop():
    fingerprint = example_fingerprint()
    genesis = subprocess.run(["git", "log", "--first-parent", "--diff-filter=A", "--format=%H", "-1", "--", "charter.md"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    assert fingerprint == genesis, f"the README says {fingerprint}, but the example's books begin at {genesis}"
    subject = subprocess.run(["git", "log", "-1", "--format=%s", genesis], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert subject.startswith("init: "), "the genesis is the commit `coop init` made"
    section = README.read_text(encoding="utf-8").split("## The example coop", 1)[1].split("\n## ", 1)[0]
    assert f"Fingerprint of the example coop: `{fingerprint}`" in section and f"coop verify --expect {fingerprint}" in section


# ---------------------------------------------------------------- on a fresh clone of this repository

@pytest.fixture(scope="module")
def repository(tmp_path_factory) -> Run:
    require_tools()
    return run_doc(ROOT, tmp_path_factory.mktemp("repository") / "auditor", example_fingerprint())


def test_on_a_fresh_clone_of_this_repository_every_block_prints_what_the_page_shows(repository):
    assert not repository.failed(), "".join(show(r) for r in repository.failed())
    wrong = [ran for ran in repository if ran.shown is not None and not shows(ran.shown, ran.out)]
    assert not wrong, "".join(show(r) for r in wrong)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert repository.block("git rev-parse HEAD").out == head


def test_on_this_repository_the_counts_are_those_of_the_example_books(repository):
    """What the page shows agrees with the example's files, read here without the page's commands."""
    ids = entry_ids(ROOT)
    assert lines(repository.starting(f"sh ../{SCRIPT_NAME}"))[-1] == f"{len(ids)} entries checked, 0 failed"
    assert lines(repository.block("; id: //p"))[-1] == f"{len(ids)} ids, 0 repeated"
    register = members_format.parse((ROOT / "members.yaml").read_text(encoding="utf-8"))
    signers = [line for line in members_format.allowed_signers(register, namespace_for(example_fingerprint())).splitlines()
               if not line.startswith("#")]
    assert lines(repository.block("> allowed_signers")) == signers
    assert f"{len(register.members)} member add" in repository.block("sed 's/:.*//'").out


# ---------------------------------------------------------------- on a coop built here

def test_every_command_of_the_page_passes_on_honest_books(books, tmp_path):
    require_tools()
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(books.root), str(remote)], check=True)
    ran = run_doc(remote, tmp_path / "auditor", books.genesis)
    assert not ran.failed(), "".join(show(r) for r in ran.failed())
    clone = tmp_path / "auditor" / "books"

    # Step 1: the books begin at the genesis, and were never begun anew.
    start = lines(ran.starting("git config coop.fingerprint "))
    assert start[0].startswith(f"{books.genesis} ") and "init: " in start[0]
    assert start[1:] == ["the genesis is in the history of HEAD", start[0]], start
    assert lines(ran.block("--diff-filter=A --format"))== [start[0]]
    assert ran.block("git rev-parse HEAD").out.strip() == git(books.root, "rev-parse", "HEAD").strip()

    # Step 2: the allowed-signers file made by awk is the one coop derives from the register.
    register = members_format.parse((books.root / "members.yaml").read_text(encoding="utf-8"))
    expected = [line for line in members_format.allowed_signers(register, namespace_for(books.genesis)).splitlines()
                if not line.startswith("#")]
    assert (clone / "allowed_signers").read_text().splitlines() == expected and len(expected) == 4
    assert "      4 member add" in lines(ran.block("sed 's/:.*//'"))
    assert lines(ran.block(':members.yaml\n')) == ["# The member register of the cooperative: see `coop member --help`.", "members: []"]

    # Step 3: every commit is G by agnes, the merge included, but the genesis (coop init, before any key).
    commits = int(git(books.root, "rev-list", "--count", "HEAD"))
    assert lines(ran.block("'%G? %GS'")) == [f"{commits - 1:>7} G agnes", "      1 N"]
    assert lines(ran.block("""awk '$2 != "G"'""")) == [f"{books.genesis} N  init: Bâtissons l'Alternative"]
    assert 'Good "git" signature for agnes' in ran.block("--show-signature").out

    # Step 4: every entry verifies with ssh-keygen, in the coop's namespace.
    ids = entry_ids(books.root)
    entries = lines(ran.starting(f"sh ../{SCRIPT_NAME}"))
    assert entries[-1] == f"{len(ids)} entries checked, 0 failed" and len(ids) == 6, entries
    assert sorted(line.split()[2] for line in entries[:-1] if line.startswith("OK   ledger/")) == sorted(ids)

    # Step 5: nothing deleted, against the first parent or either parent of the merge; bytes kept; only book files.
    journal_changes = int(lines(ran.block("--diff-merges=first-parent --numstat"))[0].split()[0])
    assert journal_changes >= 5 and lines(ran.block("--diff-merges=first-parent --numstat")) == [
        f"{journal_changes} journal changes checked, 0 deleting lines"]
    assert lines(ran.block("--diff-merges=separate")) == ["2 journal changes checked, 0 deleting lines"]
    assert lines(ran.block("--diff-filter=DR")) == ["0 deleted or renamed"]
    assert lines(ran.block("git rev-list HEAD")) == [f"{journal_changes} journal changes checked, 0 changed what they held"]
    fixed = lines(ran.block("--raw --no-abbrev"))
    assert len(fixed) == 1 and fixed[0].endswith(" changes to the books checked, 0 outside the fixed set"), fixed

    # Step 6: the register cites the decision that made eric an auditor, adopted in minutes.
    decisions = lines(ran.block("is in no minutes"))
    assert len(decisions) == 1 and re.fullmatch(r"D-2026-\d{3} adopted in ledger/meetings/2026-03-10-eric-audite-les-comptes\.md", decisions[0])
    assert lines(ran.block("-- charter.md | grep -v")) == [f"{books.genesis} init: Bâtissons l'Alternative"]

    # Step 7: balances with hledger and with ledger; no id twice.
    balances = lines(ran.block("ledger gives the same balances"))
    assert balances[-2:] == ["                   0", "ledger gives the same balances"]
    assert "-1.00 H  coop" in [line.strip() for line in balances], "the coop paid for the meeting"
    assert lines(ran.block("; id: //p")) == [f"{len(ids)} ids, 0 repeated"]

    # Step 8: the audit tag, signed by eric, an auditor, in the history; hledger recomputes what it says.
    tag = ran.block("tag -v")
    assert 'Good "git" signature for eric' in tag.out, show(tag)
    assert f"{books.tag} is in the history of HEAD, after the genesis" in tag.out and f"{books.tag}: eric is an auditor" in tag.out
    assert lines(tag)[-1] == "1 audit tag(s)"
    recomputed = ran.block("git archive")
    assert lines(recomputed)[-2:] == [f"{books.tag} matches the books at its commit", "1 audit tag(s) recomputed"], show(recomputed)
    message = git(books.root, "cat-file", "tag", books.tag)
    said = [line for line in message.splitlines() if line.startswith(("entries: ", "hours exchanged: ", "balances: sha256:"))]
    assert lines(recomputed)[:3] == said and f"entries: {len(ids)}" in said
    assert git(clone, "status", "--porcelain") == "?? allowed_signers\n", "the page changes nothing in the clone but its own file"

    # Step 9: coop verify agrees, from the fingerprint the auditor holds.
    assert lines(ran.block("coop verify --full --expect"))[-1] == f"Fingerprint: {books.genesis} (the books begin there)"


def test_the_same_commands_catch_edits_replays_foreign_entries_and_strange_files(books, tmp_path):
    require_tools()
    tampered = copy_of(books, tmp_path / "tampered")
    journal = tampered / "ledger" / "2026-03.journal"
    text = journal.read_text(encoding="utf-8")

    # Mallory turns Jardinage's 2 hours into 3, on both postings so that the balances still sum to zero...
    first, _, rest = text.partition("\n\n")
    assert "Jardinage" in first and first.count(" 2.00 H") == 1 and first.count("-2.00 H") == 1
    journal.write_text(first.replace(" 2.00 H", " 3.00 H").replace("-2.00 H", "-3.00 H") + "\n\n" + rest, encoding="utf-8")
    git(tampered, "commit", "-qam", "fix a typo")
    edit = git(tampered, "rev-parse", "HEAD").strip()
    # ... replays the coop's meeting entry, slipped in between old entries: its signature is genuine...
    entries = journal.read_text(encoding="utf-8").split("\n\n")
    meeting = next(e for e in entries if "Réunion" in e)
    journal.write_text("\n\n".join([entries[0], meeting, *entries[1:]]), encoding="utf-8")
    git(tampered, "commit", "-qam", "tidy")
    replay = git(tampered, "rev-parse", "HEAD").strip()
    meeting_id = re.search(r"; id: (\w+)", meeting)[1]
    # ... appends an entry Agnès signed with her own key, but for another coop...
    foreign_id = "01ANOTHERCOOP0000000000000"
    signed = "".join(line + "\n" for line in re.sub(r"; id: \w+", f"; id: {foreign_id}", entries[0]).splitlines()
                     if "; sig:" not in line)
    (tmp_path / "entry.txt").write_text(signed, encoding="utf-8")
    subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-f", str(books.keys["agnes"]), "-n", namespace_for("0" * 40),
                    str(tmp_path / "entry.txt")], check=True, capture_output=True)
    armoured = (tmp_path / "entry.txt.sig").read_text().splitlines()
    sig = "".join(line for line in armoured if not line.startswith("-----"))
    assert base64.b64decode(sig).startswith(b"SSHSIG")
    foreign = signed.replace("    ; by: agnes\n", f"    ; by: agnes\n    ; sig: {sig}\n")
    assert foreign.count("; sig:") == 1
    with journal.open("a", encoding="utf-8") as out:
        out.write("\n" + foreign)
    git(tampered, "commit", "-qam", "add")
    added = git(tampered, "rev-parse", "HEAD").strip()
    # ... and slips files the books may not hold under ledger/: one of another name, and a journal made executable.
    (tampered / "ledger" / "notes.txt").write_text("nothing to see\n", encoding="utf-8")
    git(tampered, "add", "ledger/notes.txt")
    git(tampered, "update-index", "--chmod=+x", "ledger/2026-03.journal")
    git(tampered, "commit", "-qm", "notes")
    strange = git(tampered, "rev-parse", "HEAD").strip()

    ran = run_doc(tampered, tmp_path / "auditor", books.genesis)
    script, verify = ran.starting(f"sh ../{SCRIPT_NAME}"), ran.block("coop verify --full --expect")
    assert ran.failed() == [script, verify], "".join(show(r) for r in ran.failed())

    # The hand-made commits are not signed.
    assert [line.split()[:2] for line in lines(ran.block("""awk '$2 != "G"'"""))] == [
        [strange, "N"], [added, "N"], [replay, "N"], [edit, "N"], [books.genesis, "N"]]

    # The edited entry's signature fails, and the foreign one's; the replayed copy verifies, as its signature is genuine.
    said = lines(script)
    ids = entry_ids(books.root)
    assert script.status == 1 and said[-1] == f"{len(ids) + 2} entries checked, 2 failed", said
    failures = [line for line in said if line.startswith("FAIL")]
    assert len(failures) == 2 and failures[0].startswith("FAIL ledger/2026-03.journal:1 ") and "incorrect signature" in failures[0]
    assert f" {foreign_id} by agnes: " in failures[1] and "namespace does not match" in failures[1], failures

    # Append-only: the edit deleted lines; the replay deleted none, but the byte check sees both.
    numstat = lines(ran.block("--diff-merges=first-parent --numstat"))
    assert numstat[:-1] == [f"{edit} ledger/2026-03.journal 2 line(s) deleted"] and numstat[-1].endswith(" 1 deleting lines")
    assert lines(ran.block("--diff-merges=separate"))[-1] == "2 journal changes checked, 0 deleting lines"
    assert lines(ran.block("--diff-filter=DR")) == ["0 deleted or renamed"]
    prefix = lines(ran.block("git rev-list HEAD"))
    assert prefix[:-1] == [f"{replay} ledger/2026-03.journal: does not begin with what it held before",
                           f"{edit} ledger/2026-03.journal: does not begin with what it held before"], prefix
    assert prefix[-1].endswith(" 2 changed what they held")
    # The strange files are named, with their mode.
    fixed = lines(ran.block("--raw --no-abbrev"))
    assert fixed[:-1] == [f"{strange} 100755 ledger/2026-03.journal", f"{strange} 100644 ledger/notes.txt"], fixed
    assert fixed[-1].endswith(" 2 outside the fixed set")

    # The balances still sum to zero and agree: they cannot show this tampering. The replay repeats an id.
    assert lines(ran.block("ledger gives the same balances"))[-2:] == ["                   0", "ledger gives the same balances"]
    assert lines(ran.block("; id: //p")) == [f"      2 {meeting_id}", f"{len(ids) + 2} ids, 1 repeated"]

    # The audit tag still holds: it attests the books up to its commit, before the tampering. coop verify refuses.
    assert f"{books.tag} matches the books at its commit" in ran.block("git archive").out
    assert "problems found" in verify.out


def test_books_deleted_and_begun_anew_are_not_the_books_of_the_fingerprint(books, tmp_path):
    require_tools()
    tampered = copy_of(books, tmp_path / "anew")
    # Mallory deletes the books, then commits them again: an honest-looking history, that begins at another commit.
    git(tampered, "rm", "-rq", *BOOKS)
    git(tampered, "commit", "-qm", "start over")
    deleted = git(tampered, "rev-parse", "HEAD").strip()
    git(tampered, "checkout", "HEAD~1", "--", *BOOKS)
    git(tampered, "commit", "-qm", "init: Bâtissons l'Alternative")
    anew = git(tampered, "rev-parse", "HEAD").strip()

    ran = run_doc(tampered, tmp_path / "auditor", books.genesis)
    start = lines(ran.starting("git config coop.fingerprint "))
    assert start[1] == "the genesis is in the history of HEAD"
    assert [line.split()[0] for line in start[2:]] == [anew, deleted, books.genesis], start
    removed = lines(ran.block("--diff-filter=DR"))
    assert f"{deleted} D\tcharter.md" in removed and f"{deleted} D\tledger/2026-03.journal" in removed, removed
    verify = ran.block("coop verify --full --expect")
    assert verify.status == 1 and "begun anew" in verify.out, show(verify)


def test_another_coop_is_refused_at_the_first_step(books, tmp_path):
    require_tools()
    other = tmp_path / "other"
    done = run_coop("init", str(other), "--name", "Bâtissons l'Alternative", env=cli_env())
    assert done.returncode == 0, done.stderr
    ran = run_doc(other, tmp_path / "auditor", books.genesis)
    start = ran.starting("git config coop.fingerprint ")
    assert start.status != 0 and f"bad object {books.genesis}" in start.out, show(start)
    verify = ran.block("coop verify --full --expect")
    assert verify.status == 1 and f"not the books of the coop {books.genesis}" in verify.out, show(verify)
