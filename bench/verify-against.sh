#!/usr/bin/env bash
# Time `coop verify --full` of this tree against an older commit's, each on a book built by its own make_book.py:
#
#     bash bench/verify-against.sh 46efdb1 100000 3      # old commit, exchanges, runs of each
#
# Each version signs in its own namespace, so neither can verify the other's book: each builds its own, with the
# same generator settings (40 members, monthly files, one commit per month). The runs alternate old and new, so that
# a noisy neighbour on a shared machine weighs on both alike. Prints wall seconds and peak memory of every run.
set -euo pipefail
old=${1:?usage: verify-against.sh OLD_COMMIT [EXCHANGES] [RUNS]}
size=${2:-100000}
runs=${3:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'git -C "$here" worktree remove --force "$work/old-code" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

git -C "$here" worktree add -q --detach "$work/old-code" "$old"
for side in old new; do
    code=$here
    [ "$side" = old ] && code=$work/old-code
    (cd "$code" && PYTHONPATH=$code python3 bench/make_book.py "$size" "$work/$side-book" --key "$work/key" >/dev/null)
done
for run in $(seq "$runs"); do
    for side in old new; do
        code=$here
        [ "$side" = old ] && code=$work/old-code
        # From the code's own folder: `python -m` puts the working folder before PYTHONPATH on the path.
        (cd "$code" && /usr/bin/time -f "$side (${old} vs this tree) run $run: %e s, %M KB" \
            env PYTHONPATH="$code" python3 -m coop_cli -C "$work/$side-book" verify --full >/dev/null 2>"$work/err") \
            || { head -5 "$work/err" >&2; exit 1; }
        tail -1 "$work/err"
    done
done
