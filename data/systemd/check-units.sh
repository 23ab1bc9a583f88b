#!/bin/sh
# Verifies the unit templates offline, as systemd would load them with `umt`
# installed at the build's path (systemd-analyze checks ExecStart= exists), and
# requires the system service's exposure to be rated OK or SAFE.
set -eu
analyze=$1 umt=$2 srcdir=$3

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -m 0700 "$work/runtime"
for unit in updates-manager-tool updates-manager-tool-user; do
  sed "s|@bindir@/umt|$umt|" "$srcdir/$unit.service.in" > "$work/$unit.service"
done

# verify only warns about a key it cannot parse and still exits 0: any message fails.
"$analyze" verify --man=no "$work/updates-manager-tool.service" 2> "$work/verify.txt"
XDG_RUNTIME_DIR="$work/runtime" \
  "$analyze" --user verify --man=no "$work/updates-manager-tool-user.service" \
  2>> "$work/verify.txt"
if [ -s "$work/verify.txt" ]; then
  cat "$work/verify.txt" >&2
  exit 1
fi

"$analyze" security --offline=yes --no-pager "$work/updates-manager-tool.service" \
  > "$work/security.txt"
level=$(sed -n 's/^.*Overall exposure level for .*: \([0-9.]*\) \([A-Z]*\).*$/\2/p' \
  "$work/security.txt")
case $level in
  OK|SAFE) echo "exposure: $level" ;;
  *) cat "$work/security.txt"; echo "The system unit is rated '$level', not OK or SAFE." >&2
     exit 1 ;;
esac
