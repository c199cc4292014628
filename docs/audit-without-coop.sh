#!/bin/sh
# Check the SSH signature of every entry in ledger/*.journal with awk, fold and ssh-keygen alone.
# Run it from the top of a clone of the coop repo:  sh ../audit-without-coop.sh allowed_signers [FINGERPRINT]
# Entries are signed in the namespace coop-ledger@FINGERPRINT, FINGERPRINT being the coop's genesis
# (by default the one step 1 of docs/auditing.md wrote with `git config coop.fingerprint`).
# It prints one line per entry (OK or FAIL, file:line, id, recorder), then a count,
# and exits with status 1 if any entry fails.
set -eu
signers=${1:-allowed_signers}
fingerprint=${2:-$(git config coop.fingerprint || :)}
[ -r "$signers" ] || { echo "cannot read the allowed-signers file $signers" >&2; exit 2; }
[ -n "$fingerprint" ] || { echo "no fingerprint: run git config coop.fingerprint FINGERPRINT first (step 1)" >&2; exit 2; }
namespace="coop-ledger@$fingerprint"
set -- ledger/*.journal
[ -e "$1" ] || { echo "no ledger/*.journal here: run this from the top of the clone" >&2; exit 2; }
export LC_ALL=C # bytes as they are: names and descriptions are UTF-8
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. Cut the journals into entries. An entry starts with a date at the start of a line
#    and ends at a blank line. For entry N, awk writes:
#      N.txt  the entry's lines exactly as in the file, without the "; sig:" line (the signed bytes)
#      N.b64  the signature, base64 on one line;  N.id, N.by  the values of the id and by tags
#    and one line "N SIGS FILE:LINE" in the file "list" (SIGS: how many "; sig:" lines it has).
#    A line outside any entry is listed as "stray 0 FILE:LINE".
awk -v dir="$work" '
  function end_entry() {
    if (inside) { close(dir "/" n ".txt"); print n, sigs, where > (dir "/list") }
    inside = 0
  }
  function tag(line) { sub(/^[ \t]+;[ \t]*[a-z]+:[ \t]*/, "", line); sub(/[ \t]+$/, "", line); return line }
  FNR == 1            { end_entry() }
  /^[ \t]*$/          { end_entry(); next }
  /^[0-9]/            { end_entry(); n++; inside = 1; sigs = 0; where = FILENAME ":" FNR }
  !inside             { print "stray", 0, FILENAME ":" FNR > (dir "/list"); next }
  /^[ \t]+;[ \t]*sig:/ { sigs++; print tag($0) > (dir "/" n ".b64"); close(dir "/" n ".b64"); next }
  /^[ \t]+;[ \t]*id:/ && !got[n, "id"]++ { print tag($0) > (dir "/" n ".id"); close(dir "/" n ".id") }
  /^[ \t]+;[ \t]*by:/ && !got[n, "by"]++ { print tag($0) > (dir "/" n ".by"); close(dir "/" n ".by") }
                      { print > (dir "/" n ".txt") }
  END                 { end_entry() }
' "$@"
touch "$work/list"

# 2. Re-armour each signature at 70 columns and let ssh-keygen check it against the
#    recorder's keys in the allowed-signers file, in the coop's namespace.
count=0
failed=0
while read -r n sigs where; do
  if [ "$n" = stray ]; then
    echo "FAIL $where: a line outside any entry"
    failed=$((failed + 1))
    continue
  fi
  count=$((count + 1))
  id=$(cat "$work/$n.id" 2>/dev/null || echo '(no id)')
  by=$(cat "$work/$n.by" 2>/dev/null || echo '(no by)')
  if [ "$sigs" -ne 1 ]; then
    echo "FAIL $where $id by $by: $sigs sig lines, not 1"
    failed=$((failed + 1))
    continue
  fi
  {
    echo '-----BEGIN SSH SIGNATURE-----'
    fold -w 70 "$work/$n.b64"
    echo '-----END SSH SIGNATURE-----'
  } > "$work/entry.sig"
  if ssh-keygen -Y verify -f "$signers" -I "$by" -n "$namespace" -s "$work/entry.sig" \
      < "$work/$n.txt" > "$work/said" 2>&1; then
    echo "OK   $where $id by $by"
  else
    echo "FAIL $where $id by $by: $(head -n 1 "$work/said")"
    failed=$((failed + 1))
  fi
done < "$work/list"
echo "$count entries checked, $failed failed"
[ "$failed" -eq 0 ]
