#!/usr/bin/env bash
# HTTP/2 side by side: HAProxy and one or more gohaproxy builds up at once
# with the same configuration (scripts/bench-tls.sh's h2 binds, three
# nginx servers), driven in turn by h2load -t1 -c16 -m32 (512 streams in
# flight; H2AB_THREADS=2 makes it -t2) for a bounded count of requests, in
# alternating rounds, so that an old and a new build see the same machine
# state.
#
#   scripts/bench-h2-ab.sh ROUNDS REQUESTS GOHAPROXY-BINARY...
#   e.g. scripts/bench-h2-ab.sh 3 100000 /tmp/gohaproxy-main bin/gohaproxy
#
# Per run and daemon: req/s, CPU µs per request (user and system, from
# /proc/<pid>/stat), context switches per request of all its threads
# (voluntary: its own sleeps; involuntary: preempted), the nginx
# worker's, and the daemon's resident memory after the run. With perf
# installed, H2AB_SYSCALLS=1 adds sendto, recvfrom, epoll and futex calls
# per request (tracepoints: they slow the daemons).
# CASES="h2c h2-tls" by default. Loopback only; everything started is
# stopped by PID on exit.
set -u
[ $# -ge 3 ] || { sed -n '2,19p' "$0"; exit 2; }
ROUNDS=$1 N=$2
shift 2
BINS=("$@")
for c in nginx h2load openssl haproxy; do command -v $c >/dev/null || { echo "bench-h2-ab: $c missing"; exit 1; }; done
. "$(dirname "$0")/bench-lib.sh"
bench_workdir goha-h2ab
bench_ports bench-h2-ab $((13 + 2 * ${#BINS[@]}))
bench_nginx
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
  -keyout "$W/k" -out "$W/c" 2>/dev/null && cat "$W/c" "$W/k" >"$W/ecdsa.pem"

# cfg TLS-PORT H2C-PORT GLOBAL-LINE
cfg() {
  cat <<CFG
global
    maxconn 5000
    $3
defaults
    mode http
    option http-keep-alive
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 30s
frontend https
    bind 127.0.0.1:$1 ssl crt $W/ecdsa.pem alpn h2,http/1.1
    bind 127.0.0.1:$2 proto h2
    default_backend servers
backend servers
    balance roundrobin
    server web1 127.0.0.1:$B1
    server web2 127.0.0.1:$B2
    server web3 127.0.0.1:$B3
CFG
}
waitport() {
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done
  echo "bench-h2-ab: nothing on port $1"
  return 1
}
# ctxsw PID: voluntary and involuntary context switches of all its threads.
ctxsw() {
  cat /proc/$1/task/*/status 2>/dev/null |
    awk '/^voluntary_ctxt/ {v += $2} /^nonvoluntary_ctxt/ {i += $2} END {print v + 0, i + 0}'
}

declare -A PID TLS H2C
NAMES=(haproxy)
cfg $((base + 10)) $((base + 11)) "tune.ssl.cachesize 0" >"$W/haproxy.cfg"
haproxy -db -f "$W/haproxy.cfg" >"$W/haproxy.log" 2>&1 &
PID[haproxy]=$! TLS[haproxy]=$((base + 10)) H2C[haproxy]=$((base + 11))
PIDS+=($!)
i=0
for b in "${BINS[@]}"; do
  name="g$i:$(basename "$b")" off=$((12 + 2 * i))
  cfg $((base + off)) $((base + off + 1)) "" >"$W/g$i.cfg"
  "$b" -db -f "$W/g$i.cfg" >"$W/g$i.log" 2>&1 &
  PID[$name]=$! TLS[$name]=$((base + off)) H2C[$name]=$((base + off + 1))
  PIDS+=($!)
  NAMES+=("$name")
  i=$((i + 1))
done
waitport $B1 || exit 1
for n in "${NAMES[@]}"; do waitport ${TLS[$n]} && waitport ${H2C[$n]} || exit 1; done
NGW=$(pgrep -P $NGM | head -1)
PERF=()
if [ "${H2AB_SYSCALLS:-0}" = 1 ] && command -v perf >/dev/null; then
  PERF=(perf stat -x, -o "$W/perf.txt" -e syscalls:sys_enter_sendto,syscalls:sys_enter_recvfrom,syscalls:sys_enter_epoll_pwait,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_futex)
fi
T=${H2AB_THREADS:-1}
echo "bench-h2-ab: load average $(cut -d' ' -f1-3 /proc/loadavg); h2load -t$T -c16 -m32 -n $N, $ROUNDS rounds"
for r in $(seq "$ROUNDS"); do
  for case in ${CASES:-h2c h2-tls}; do
    for n in "${NAMES[@]}"; do
      p=${PID[$n]}
      url=http://127.0.0.1:${H2C[$n]}/
      [ "$case" = h2-tls ] && url=https://127.0.0.1:${TLS[$n]}/
      read -r u0 s0 < <(awk '{print $14, $15}' /proc/$p/stat)
      read -r v0 i0 < <(ctxsw $p)
      read -r nv0 ni0 < <(ctxsw "$NGW")
      if [ ${#PERF[@]} -gt 0 ]; then
        "${PERF[@]}" -p $p -- timeout 60 h2load -t"$T" -c16 -m32 -n "$N" "$url" >"$W/h2.txt" 2>&1
      else
        timeout 60 h2load -t"$T" -c16 -m32 -n "$N" "$url" >"$W/h2.txt" 2>&1
      fi
      read -r u1 s1 < <(awk '{print $14, $15}' /proc/$p/stat)
      read -r v1 i1 < <(ctxsw $p)
      read -r nv1 ni1 < <(ctxsw "$NGW")
      ok=$(awk '/^requests:/ {print $8}' "$W/h2.txt")
      rps=$(awk '/^finished in/ {print $4}' "$W/h2.txt")
      rss=$(awk '/^VmRSS/ {print $2}' /proc/$p/status)
      awk -v r="$r" -v c="$case" -v n="$n" -v q="${rps:-0}" -v ok="${ok:-0}" -v hz="$(getconf CLK_TCK)" \
        -v ut=$((u1 - u0)) -v st=$((s1 - s0)) -v v=$((v1 - v0)) -v i=$((i1 - i0)) -v ng=$((nv1 + ni1 - nv0 - ni0)) -v rss="${rss:-0}" 'BEGIN {
        if (ok == 0) { printf "r%d %-6s %-24s failed\n", r, c, n; exit }
        printf "r%d %-6s %-24s %8.0f req/s  CPU %5.2f µs/req (user %5.2f sys %5.2f)  ctxsw %.3f/req (vol %.3f invol %.3f)  nginx %.3f  RSS %d MB\n",
          r, c, n, q, (ut + st) * 1e6 / hz / ok, ut * 1e6 / hz / ok, st * 1e6 / hz / ok, (v + i) / ok, v / ok, i / ok, ng / ok, rss / 1024 }'
      if [ ${#PERF[@]} -gt 0 ] && [ -n "$ok" ] && [ "$ok" -gt 0 ]; then
        awk -F, -v ok="$ok" '/syscalls/ {sub(/.*sys_enter_/, "", $3); printf "   %s %.2f", $3, $1 / ok} END {print " per request"}' "$W/perf.txt"
      fi
    done
  done
done
echo "bench-h2-ab: load average $(cut -d' ' -f1-3 /proc/loadavg)"
