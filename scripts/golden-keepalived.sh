#!/bin/sh
# Regenerate testdata/keepalived/*.golden from the real `keepalived -t`
# (Debian keepalived 2.2.7). For every top-level NAME.conf the golden holds
# `exit: N` (keepalived's exit code) and then keepalived's stderr verbatim, as
# produced by `keepalived -t -f NAME.conf [ARGS]` run with testdata/keepalived
# as cwd and `! goha-args: ARGS` lines of the file appended to the command line.
# The same is done for samples/NAME.conf (cwd testdata/keepalived/samples).
#
# keepalived never runs in the root namespace: every run happens inside a
# throw-away network namespace whose interfaces are exactly
# `lo ens160 eth0 eth1 eth2 eth3` (veth ends with fixed MACs, all up; their
# peers live in a second throw-away namespace). Both namespaces carry this
# script's PID in their names and are deleted on any exit. `-t` only parses:
# it reads the config, writes a memfd copy of it and dumps links/addresses
# over netlink; it writes no pid file and nothing under /etc (checked with
# strace, and re-checked below by comparing /run and /etc/keepalived).
set -eu
# keepalived has no include-loop detection: it recurses until open() fails
# with EMFILE, so the output of a loop depends on the fd limit. Pin it.
ulimit -n 256

here=$(cd "$(dirname "$0")/.." && pwd)
dir="$here/testdata/keepalived"
keepalived=${KEEPALIVED:-$(command -v keepalived || true)}
[ -x "$keepalived" ] || { echo "golden-keepalived: keepalived not found (make deps)" >&2; exit 1; }
# A fixed environment: keepalived's output must not depend on the caller's.
path=/usr/sbin:/usr/bin:/sbin:/bin

ns="goha-ka-lint-$$"
peer="goha-ka-peer-$$"
tmp=$(mktemp -d)
cleanup() {
	ip netns del "$ns" 2>/dev/null || true
	ip netns del "$peer" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

ip netns add "$ns"
ip netns add "$peer"
ip -n "$ns" link set lo up
i=0
for ifname in ens160 eth0 eth1 eth2 eth3; do
	# Created inside the lint namespace directly, so names like eth0 never
	# clash with (or touch) the root namespace's interfaces.
	ip -n "$ns" link add "$ifname" address "02:00:5e:00:01:0$i" type veth \
		peer name "p$i" netns "$peer" address "02:00:5e:00:02:0$i"
	ip -n "$peer" link set "p$i" up
	ip -n "$ns" link set "$ifname" up
	i=$((i + 1))
done
got=$(ip -n "$ns" -o link show | awk -F': ' '{sub(/@.*/, "", $2); print $2}' | sort | tr '\n' ' ')
[ "$got" = "ens160 eth0 eth1 eth2 eth3 lo " ] || { echo "golden-keepalived: unexpected interfaces: $got" >&2; exit 1; }

host_state() {
	ls -la --time-style=+%s /run /etc/keepalived 2>/dev/null | grep -i keepalived || true
}
before=$(host_state)

# lint_dir DIR: write DIR/NAME.golden for every DIR/NAME.conf.
lint_dir() {
	cd "$1"
	for conf in *.conf; do
		[ -e "$conf" ] || continue
		name=${conf%.conf}
		args=$(sed -n 's/\r$//; s/^! goha-args: //p' "$conf" | tr '\n' ' ')
		set +e
		# shellcheck disable=SC2086 # args are word-split on purpose
		ip netns exec "$ns" env -i PATH="$path" \
			timeout -k 2 10 "$keepalived" -t -f "$conf" $args \
			>"$tmp/stdout" 2>"$tmp/stderr" </dev/null
		code=$?
		set -e
		if [ -s "$tmp/stdout" ]; then
			echo "golden-keepalived: note: $1/$conf wrote to stdout (not kept)" >&2
		fi
		{
			printf 'exit: %d\n' "$code"
			cat "$tmp/stderr"
		} >"$name.golden"
		n=$((n + 1))
	done
}

n=0
lint_dir "$dir"
if [ -d "$dir/samples" ]; then
	lint_dir "$dir/samples"
fi

after=$(host_state)
if [ "$before" != "$after" ]; then
	echo "golden-keepalived: keepalived changed /run or /etc/keepalived:" >&2
	echo "$after" >&2
	exit 1
fi
echo "golden-keepalived: wrote $n goldens under $dir"
