#!/bin/sh
# Regenerate testdata/haproxy/*.golden from the real `haproxy -c` (Debian
# HAProxy 2.6.12). For every NAME.cfg the golden holds `exit: N` and then the
# combined stdout+stderr of `haproxy -c -f NAME.cfg [ARGS]`, run with the case
# directory as cwd, an environment holding only PATH plus the case's
# `# goha-env: NAME=value` lines, and `# goha-args: ARGS` appended to the
# command line. The process id in "[ALERT]    (1234) :" style prefixes is
# replaced by "(PID)" so goldens do not change between runs (everywhere on a
# line: a truncated HAProxy message can leave the next prefix mid-line).
#
# `haproxy -c` only parses and checks: it binds nothing and starts no daemon,
# and `timeout` bounds every run, so nothing is left behind. File descriptors
# 3-9 are closed so `bind fd@N` cases see the same (absent) fds every time.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
dir="$here/testdata/haproxy"
haproxy=${HAPROXY:-$(command -v haproxy)}
path=$PATH
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT INT TERM

# Each run happens in a fresh, empty network namespace: `haproxy -c` resolves
# server addresses with getaddrinfo, and an invalid IP literal such as
# 192.168.110.300 is looked up as a host name. In an empty namespace that
# lookup fails at once (no route), identically everywhere, and nothing leaves
# the machine. Loopback is brought up inside it, as on any host.
if ! unshare -n true 2>/dev/null; then
	echo "golden-haproxy: needs 'unshare -n' (root) to run haproxy -c without network" >&2
	exit 1
fi

cd "$dir"
n=0
for cfg in *.cfg; do
	[ -e "$cfg" ] || continue
	name=${cfg%.cfg}
	# Extras are read from comment lines; tolerate CRLF files.
	args=$(sed -n 's/\r$//; s/^# goha-args: //p' "$cfg" | tr '\n' ' ')
	envs=$(sed -n 's/\r$//; s/^# goha-env: //p' "$cfg")
	set --
	if [ -n "$envs" ]; then
		# One NAME=value per line; values may hold spaces.
		old_ifs=$IFS
		IFS='
'
		# shellcheck disable=SC2086 # split on newlines only
		set -- $envs
		IFS=$old_ifs
	fi
	set +e
	# shellcheck disable=SC2086 # args are word-split on purpose
	unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
		env -i PATH="$path" "$@" timeout 10 "$haproxy" -c -f "$cfg" $args >"$tmp" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
	code=$?
	set -e
	{
		printf 'exit: %d\n' "$code"
		sed -E 's/(\[(ALERT|WARNING|NOTICE|DIAG)\] +)\([0-9]+\)/\1(PID)/g' "$tmp"
	} >"$name.golden"
	n=$((n + 1))
done
echo "golden-haproxy: wrote $n goldens in $dir"
