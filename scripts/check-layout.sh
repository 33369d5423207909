#!/usr/bin/env bash
# The issue-12 layout rules, checked (make layout):
#  - no hand-written non-test Go file over 600 lines (generated files, marked
#    "Code generated ... DO NOT EDIT.", are exempt);
#  - cmd/gohaproxy and cmd/gokeepalived at most 500 non-test lines each;
#  - nothing under parser/, vrrp/ or proxy/ imports lab/ or cmd/.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
for f in $(git ls-files '*.go' | grep -v '_test\.go$'); do
  grep -q '^// Code generated .* DO NOT EDIT\.$' "$f" && continue
  n=$(wc -l < "$f")
  if [ "$n" -gt 600 ]; then echo "layout: $f has $n lines (at most 600)"; fail=1; fi
done
for c in cmd/gohaproxy cmd/gokeepalived; do
  n=$(cat $(git ls-files "$c/*.go" | grep -v '_test\.go$') /dev/null | wc -l)
  if [ "$n" -gt 500 ]; then echo "layout: $c has $n non-test lines (at most 500)"; fail=1; fi
done
mod=$(go list -m)
bad=$(go list -f '{{.ImportPath}}: {{join .Imports " "}}' ./parser/... ./vrrp/... ./proxy/... |
  awk -v m="$mod" '{for (i = 2; i <= NF; i++) if (index($i, m "/lab") == 1 || index($i, m "/cmd/") == 1) print $1, "imports", $i}')
if [ -n "$bad" ]; then echo "layout: $bad"; fail=1; fi
exit $fail
