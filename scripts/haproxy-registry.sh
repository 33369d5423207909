#!/bin/sh
# Regenerate testdata/haproxy/registry/haproxy-2.6.12-dK.txt: every keyword
# the installed HAProxy registers (ACL keywords, configuration keywords
# including bind/server options and rule actions, CLI keywords, converters,
# filters, sample fetches with their usage matrix, services), as dumped by
# `haproxy -dKall`. parser/haproxy's class table test reads it: every entry
# must have a class. Keywords HAProxy parses in hard-coded if/else chains
# (global "daemon", proxy "balance", ...) are not in the dump.
#
# Usage: scripts/haproxy-registry.sh [OUTPUT]   (HAPROXY=path to override)
# With OUTPUT "-" the dump goes to stdout (the test compares it).
set -eu
LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")/.." && pwd)
haproxy=${HAPROXY:-$(command -v haproxy)}
out=${1:-$here/testdata/haproxy/registry/haproxy-2.6.12-dK.txt}

version=$("$haproxy" -v | sed -n '1s/^HAProxy version \([^ ]*\).*/\1/p')
# -c on an empty file parses nothing, binds nothing and starts nothing; it
# exits 2 ("no listener") after the dump, which is expected.
dump() {
	echo "# goha registry: output of 'haproxy -dKall -q -c -f /dev/null', HAProxy $version; regenerate with scripts/haproxy-registry.sh"
	"$haproxy" -dKall -q -c -f /dev/null 2>&1 </dev/null || true
}
if [ "$out" = - ]; then
	dump
else
	dump >"$out"
fi
