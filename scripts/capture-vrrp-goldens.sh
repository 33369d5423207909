#!/usr/bin/env bash
# Regenerates the golden VRRP captures in testdata/vrrp/ from the REAL
# keepalived (Debian 12: 2.2.7). Everything happens inside two throw-away
# network namespaces joined by a veth pair named ens160 on both sides
# (192.168.110.11/24 and .22/24); nothing touches the root namespace's links.
#
# For each case keepalived runs alone in namespace A, becomes MASTER after the
# master-down interval, sends a few adverts, then gets SIGTERM (so the capture
# ends with its priority-0 advert). tcpdump in namespace B writes the pcap.
#
# Usage (root): scripts/capture-vrrp-goldens.sh [case...]
set -euo pipefail

cd "$(dirname "$0")/.."
out=testdata/vrrp
cases=("$@")
mkdir -p "$out"

suffix="$$-$RANDOM"
nsA="gvA-$suffix"
nsB="gvB-$suffix"
work=$(mktemp -d /tmp/capture-vrrp.XXXXXX)
pids=()

cleanup() {
	for p in "${pids[@]:-}"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null || true
	done
	sleep 0.3
	ip netns del "$nsA" 2>/dev/null || true
	ip netns del "$nsB" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

ip netns add "$nsA"
ip netns add "$nsB"
ip link add "gva$$" type veth peer name "gvb$$"
ip link set "gva$$" netns "$nsA"
ip link set "gvb$$" netns "$nsB"
setup_side() {
	# No DAD: keepalived needs the link-local source at once for IPv6.
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	ip -n "$1" link set "$2" name ens160
	ip -n "$1" link set lo up
	ip -n "$1" addr add "$3/24" dev ens160
	ip -n "$1" link set ens160 up
}
setup_side "$nsA" "gva$$" 192.168.110.11
setup_side "$nsB" "gvb$$" 192.168.110.22
sleep 1

# run_case NAME SECONDS CONFIG-TEXT
run_case() {
	local name=$1 secs=$2 conf=$work/$1.conf
	printf '%s\n' "$3" >"$conf"
	echo "== $name"
	timeout $((secs + 10)) ip netns exec "$nsB" tcpdump -i ens160 -U -n -w "$out/$name.pcap" \
		'(ip proto 112) or (ip6 proto 112)' 2>"$work/$name.tcpdump" &
	local tpid=$!
	pids+=("$tpid")
	sleep 1
	timeout $((secs + 10)) ip netns exec "$nsA" keepalived -n -l -D -P -f "$conf" \
		-p "$work/$name.pid" -r "$work/$name.vrrp.pid" >"$work/$name.log" 2>&1 &
	local kpid=$!
	pids+=("$kpid")
	sleep "$secs"
	kill -TERM "$kpid" 2>/dev/null || true
	wait "$kpid" 2>/dev/null || true
	sleep 0.5
	kill -INT "$tpid" 2>/dev/null || true
	wait "$tpid" 2>/dev/null || true
	# Keep keepalived's own words next to the capture (timestamps stripped).
	sed -E 's/^[A-Z][a-z]{2} [A-Z][a-z]{2} +[0-9]+ [0-9:]+ [0-9]{4}: //' "$work/$name.log" >"$out/$name.log"
}

sel() { local c=$1; [ ${#cases[@]} -eq 0 ] && return 0; for x in "${cases[@]}"; do [ "$x" = "$c" ] && return 0; done; return 1; }

# 1. The seed's lb1 config, verbatim (strict: PASS dropped, v2).
sel v2-seed-strict && run_case v2-seed-strict 7 "$(cat testdata/seed/keepalived-lb1.conf)"

# 2. v2 with PASS authentication (non-strict); a long password shows truncation to 8.
sel v2-auth-pass && run_case v2-auth-pass 7 '
vrrp_instance VI_PASS {
    state BACKUP
    interface ens160
    virtual_router_id 52
    priority 150
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass goha-secret
    }
    virtual_ipaddress {
        192.168.110.100/24
        192.168.110.101/24
    }
}'

# 3. v3 IPv4, advert_int 1.
sel v3-ipv4 && run_case v3-ipv4 7 '
vrrp_instance VI_V3 {
    state BACKUP
    version 3
    interface ens160
    virtual_router_id 53
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.168.110.100/24
    }
}'

# 4. v3 IPv4, advert_int 0.5 (50 centiseconds).
sel v3-ipv4-halfsec && run_case v3-ipv4-halfsec 5 '
vrrp_instance VI_V3H {
    state BACKUP
    version 3
    interface ens160
    virtual_router_id 54
    priority 200
    advert_int 0.5
    virtual_ipaddress {
        192.168.110.100/24
        192.168.110.200/24
    }
}'

# 5. v3 IPv6: link-local source to ff02::12, first VIP link-local.
sel v3-ipv6 && run_case v3-ipv6 7 '
vrrp_instance VI_V6 {
    state BACKUP
    interface ens160
    virtual_router_id 55
    priority 100
    advert_int 1
    native_ipv6
    virtual_ipaddress {
        fe80::55/64
        2001:db8:110::100/64
    }
}'

# 6. v2 unicast to one peer.
sel v2-unicast && run_case v2-unicast 7 '
vrrp_instance VI_UC {
    state BACKUP
    interface ens160
    virtual_router_id 56
    priority 100
    advert_int 1
    unicast_src_ip 192.168.110.11
    unicast_peer {
        192.168.110.22
    }
    virtual_ipaddress {
        192.168.110.100/24
    }
}'

# 7. The seed pair, lb2 started first so lb1 preempts it, then lb1 stops: both
#    daemons' logs show keepalived's words for every election step.
if sel seed-pair; then
	echo "== seed-pair"
	cp testdata/seed/keepalived-lb1.conf "$work/lb1.conf"
	cp testdata/seed/keepalived-lb2.conf "$work/lb2.conf"
	timeout 40 ip netns exec "$nsA" tcpdump -i ens160 -U -n -w "$out/seed-pair.pcap" \
		'(ip proto 112) or (ip6 proto 112)' 2>/dev/null &
	tpid=$!; pids+=("$tpid")
	sleep 1
	timeout 40 ip netns exec "$nsB" keepalived -n -l -D -P -f "$work/lb2.conf" \
		-p "$work/lb2.pid" -r "$work/lb2.vrrp.pid" >"$work/lb2.log" 2>&1 &
	p2=$!; pids+=("$p2")
	sleep 6
	timeout 40 ip netns exec "$nsA" keepalived -n -l -D -P -f "$work/lb1.conf" \
		-p "$work/lb1.pid" -r "$work/lb1.vrrp.pid" >"$work/lb1.log" 2>&1 &
	p1=$!; pids+=("$p1")
	sleep 7
	kill -TERM "$p1"; wait "$p1" 2>/dev/null || true
	sleep 3
	kill -TERM "$p2"; wait "$p2" 2>/dev/null || true
	sleep 0.5
	kill -INT "$tpid"; wait "$tpid" 2>/dev/null || true
	for n in lb1 lb2; do
		sed -E 's/^[A-Z][a-z]{2} [A-Z][a-z]{2} +[0-9]+ [0-9:]+ [0-9]{4}: //' "$work/$n.log" >"$out/seed-pair-$n.log"
	done
fi

# 8. Non-strict pair: B (p90) master first, A (`state MASTER` p100, not the
#    owner) starts in BACKUP and preempts on timeout; A's link goes down (FAULT;
#    the veth peer B loses carrier too) and up again; HUP on the master; stop.
if sel nonstrict-fault-hup; then
	echo "== nonstrict-fault-hup"
	for side in "a MASTER 100" "b BACKUP 90"; do
		set -- $side
		cat >"$work/ns-$1.conf" <<EOC
vrrp_instance VI_X {
    state $2
    interface ens160
    virtual_router_id 60
    priority $3
    advert_int 1
    virtual_ipaddress {
        192.168.110.100/24
    }
}
EOC
	done
	timeout 60 ip netns exec "$nsB" keepalived -n -l -D -P -f "$work/ns-b.conf" \
		-p "$work/ns-b.pid" -r "$work/ns-b.vrrp.pid" >"$work/ns-b.log" 2>&1 &
	pb=$!; pids+=("$pb")
	sleep 5
	timeout 60 ip netns exec "$nsA" keepalived -n -l -D -P -f "$work/ns-a.conf" \
		-p "$work/ns-a.pid" -r "$work/ns-a.vrrp.pid" >"$work/ns-a.log" 2>&1 &
	pa=$!; pids+=("$pa")
	sleep 6
	ip -n "$nsA" link set ens160 down
	sleep 6
	ip -n "$nsA" link set ens160 up
	sleep 6
	kill -HUP "$pa"
	sleep 2
	kill -TERM "$pa"; wait "$pa" 2>/dev/null || true
	sleep 1
	kill -TERM "$pb"; wait "$pb" 2>/dev/null || true
	for n in a b; do
		sed -E 's/^[A-Z][a-z]{2} [A-Z][a-z]{2} +[0-9]+ [0-9:]+ [0-9]{4}: //' "$work/ns-$n.log" >"$out/nonstrict-fault-hup-$n.log"
	done
fi

# 9. HUP on a MASTER with an unchanged config. keepalived 2.2.7 is not
#    deterministic here (measured 5 runs: 2 kept MASTER logging "setting
#    VIPs." with no priority 0 and no GARP; 3 resigned: "sent 0 priority",
#    "removing VIPs.", "Entering BACKUP STATE (init)"). gokeepalived keeps the
#    state, which is keepalived's intent and what issue 4 asks for.
if sel hup-master; then
	echo "== hup-master"
	cat >"$work/hup.conf" <<EOC
vrrp_instance VI_X {
    state BACKUP
    interface ens160
    virtual_router_id 60
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.168.110.100/24
    }
}
EOC
	timeout 40 ip netns exec "$nsA" keepalived -n -l -D -P -f "$work/hup.conf" \
		-p "$work/hup.pid" -r "$work/hup.vrrp.pid" >"$work/hup.log" 2>&1 &
	pa=$!; pids+=("$pa")
	sleep 6
	kill -HUP "$pa"
	sleep 3
	kill -TERM "$pa"; wait "$pa" 2>/dev/null || true
	sed -E 's/^[A-Z][a-z]{2} [A-Z][a-z]{2} +[0-9]+ [0-9:]+ [0-9]{4}: //' "$work/hup.log" >"$out/hup-master.log"
fi

ls -l "$out"/*.pcap
