#!/bin/bash
# make bench: gohaproxy against the real HAProxy on 127.0.0.1, same
# backends (three nginx virtual servers on loopback ports), same config
# (ports aside), both proxies up at once. BENCH_ROUNDS rounds (default 3):
# each round runs every case for BENCH_SECONDS (default 5) with a
# one-thread and then a two-thread wrk client on one proxy, then on the
# other, and the next round swaps the order; the table gives each figure's
# median over the rounds and every round's ratio (the machine is shared:
# one proxy's cases all before the other's would measure the neighbours'
# load as much as the proxy). Prints req/s, p50/p99 latency, the proxy's
# CPU per request, the gohaproxy/HAProxy req/s ratio, and the proxies' RSS
# after all cases. Bounded: every process started here is killed by PID on
# exit; nothing binds outside 127.0.0.1.
#
# Cases: small response over keep-alive at c=64 and c=256, a 100 KB
# response at c=64, and a TCP-mode proxy (HTTP keep-alive through it) at
# c=64, and the rules case: the small response at c=64 through a frontend
# with 20 header rules, 10 ACLs and a map lookup per request (issue 14's
# goal: within 10% of small-c64), and the tracking case: the same through
# a frontend that tracks every request in a stick table (track-sc0 src,
# http_req_rate, a rate-limit rule that never fires; issue 15's goal:
# within 10% of small-c64). BENCH_CASES=<regex> runs only the cases
# whose names match. CPU per request is the proxy's user + system time
# (from /proc) over the run. With BENCH_PPROF=1 gohaproxy writes a CPU
# profile of its whole run (GOHAPROXY_CPUPROFILE) and its top functions are
# printed (BENCH_PPROF_SAVE=<file> keeps the
# profile); BENCH_ONLY=gohaproxy skips HAProxy (for profiling runs).
#
# TLS cases (scripts/bench-tls.sh; BENCH_TLS=0 skips them, BENCH_TLS=only
# runs them alone, BENCH_TLS_CASES=<regex> only those it matches, e.g.
# '^handshake-'): both proxies run the same TLS configuration at once, in
# the same alternating rounds, with a one-thread and a two-thread client:
# kept-alive HTTPS, new handshakes with an ECDSA P-256 and an RSA 2048
# certificate, HTTP/2 over TLS and h2c (h2load). Their table follows the
# first one.
set -u
cd "$(dirname "$0")/.."
SECS="${BENCH_SECONDS:-5}"
ROUNDS="${BENCH_ROUNDS:-3}"
BIN="${GOHAPROXY:-bin/gohaproxy}"
for c in nginx wrk; do command -v $c >/dev/null || { echo "bench: $c missing (make deps)"; exit 1; }; done
# Without GOHAPROXY the binary is rebuilt from this tree (go build only
# relinks what changed): a stale bin/gohaproxy would be measured unnoticed.
if [ -z "${GOHAPROXY:-}" ]; then go build -o "$BIN" ./cmd/gohaproxy || exit 1
elif [ ! -x "$BIN" ]; then echo "bench: GOHAPROXY=$BIN is not an executable"; exit 1; fi
HAVE_HAPROXY=1; command -v haproxy >/dev/null || HAVE_HAPROXY=0

. scripts/bench-lib.sh
bench_workdir goha-bench
bench_ports bench 31 # the proxies' ports: HAProxy base+3..5, +14; gohaproxy base+27..30; TLS base+15..26

# --- backends: nginx, three servers, a small and a 100 KB answer ----------
bench_nginx big

# --- the proxy configuration both run (only the ports differ) -------------
# proxy_cfg NAME HTTP TCP RULES TRACK: writes $W/proxy-NAME.cfg and its map.
proxy_cfg() {
  local HTTP=$2 TCP=$3 RULES=$4 TRACK=$5 MAP="$W/hosts-$1.map"
  printf '127.0.0.1:%s servers\nexample.com servers\nstatic.example.com servers\n' $RULES > "$MAP"
  cat > "$W/proxy-$1.cfg" <<CFG
global
    maxconn 5000
defaults
    mode http
    option http-keep-alive
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 30s
frontend http
    bind 127.0.0.1:$HTTP
    default_backend servers
backend servers
    balance roundrobin
    server web1 127.0.0.1:$B1
    server web2 127.0.0.1:$B2
    server web3 127.0.0.1:$B3
frontend rules
    bind 127.0.0.1:$RULES
    acl is_api path_beg /api/
    acl is_css path_end .css
    acl is_example hdr(host) -i example.com
    acl is_post method POST
    acl from_lan src 10.0.0.0/8 192.168.0.0/16
    acl is_bot hdr_sub(user-agent) -i bot crawler
    acl has_query query -m found
    acl is_js path_reg ^/static/.*[.]js$
    acl many_hops hdr_cnt(x-forwarded-for) gt 3
    acl debug url_param(debug) -m found
    http-request set-var(txn.be) req.hdr(host),lower,map_str($MAP,servers)
    http-request deny if is_post from_lan is_bot
    http-request deny deny_status 429 if many_hops debug
    http-request set-header X-Backend %[var(txn.be)]
    http-request set-header X-Api 1 if is_api
    http-request set-header X-Css 1 if is_css
    http-request set-header X-Example 1 if is_example
    http-request set-header X-Query 1 if has_query
    http-request set-header X-Js 1 if is_js
    http-request set-header X-Client %[src]
    http-request set-header X-Path %[path,lower]
    http-request add-header X-Via goha-bench
    http-request add-header X-Hops %[req.hdr_cnt(x-forwarded-for)]
    http-request del-header X-Debug
    http-request del-header Proxy
    http-request set-header X-Method %[method]
    http-request set-header X-Host %[req.hdr(host),lower]
    http-request set-header X-Bot 1 if is_bot
    http-request set-header X-Lan 1 if from_lan
    http-request set-header X-Len %[req.hdr(user-agent),length]
    http-request add-header X-Seen 1
    http-request set-header X-Hash %[path,crc32]
    http-request del-header X-Unused
    use_backend %[var(txn.be)]
    default_backend servers
frontend track
    bind 127.0.0.1:$TRACK
    stick-table type ip size 100k expire 30s store http_req_rate(10s),conn_cur,http_err_cnt
    http-request track-sc0 src
    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 1000000000 }
    default_backend servers
frontend tcpfe
    mode tcp
    bind 127.0.0.1:$TCP
    default_backend tcpservers
backend tcpservers
    mode tcp
    balance roundrobin
    server web1 127.0.0.1:$B1
    server web2 127.0.0.1:$B2
    server web3 127.0.0.1:$B3
CFG
}

waitport() { for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; echo "bench: nothing on port $1"; return 1; }
waitport $B1 || exit 1

rss_kb() { awk '/^VmRSS/ {print $2}' /proc/$1/status 2>/dev/null || echo 0; }
# cpu_ticks PID: the process's user + system time in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' /proc/$1/stat 2>/dev/null || echo 0; }
TICK=$(getconf CLK_TCK)
# cpu_us TICKS REQUESTS: CPU microseconds per request.
cpu_us() { awk -v t="$1" -v n="$2" -v hz="$TICK" 'BEGIN { if (n > 0) printf "%.1f", t * 1e6 / hz / n; else print "-" }'; }

# run_case NAME URL CONNS PID THREADS -> sets REQS P50 P99 CPU (µs per request)
run_case() {
  local out t0
  t0=$(cpu_ticks "$4")
  out=$(wrk -t"$5" -c"$3" -d"${SECS}s" --latency "$2" 2>&1)
  CPU=$(cpu_us $(( $(cpu_ticks "$4") - t0 )) "$(echo "$out" | awk '/requests in/ {print $1}')")
  REQS=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
  P50=$(echo "$out" | awk '$1=="50%" {print $2}')
  P99=$(echo "$out" | awk '$1=="99%" {print $2}')
  ERRS=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
  [ -n "$ERRS" ] && echo "  ($1: $ERRS)" >&2
  [ -n "$REQS" ] || REQS=0
}

# name|path|connections|which frontend
CASES=("small-c64|/|64|http" "small-c256|/|256|http" "100KB-c64|/big|64|http" "tcp-c64|/|64|tcp" "rules-c64|/|64|rules" "track-c64|/|64|track")
if [ -n "${BENCH_CASES:-}" ]; then
  kept=(); for c in "${CASES[@]}"; do [[ "${c%%|*}" =~ $BENCH_CASES ]] && kept+=("$c"); done; CASES=("${kept[@]}")
fi

declare -A PP # proxy -> "pid http-port tcp-port rules-port track-port"
PROXIES=()
start_proxy() { # name http tcp rules track command...
  local name=$1 h=$2 t=$3 r=$4 k=$5; shift 5
  proxy_cfg "$name" $h $t $r $k
  "$@" -db -f "$W/proxy-$name.cfg" >"$W/$name.log" 2>&1 &
  local pid=$!
  PIDS+=($pid)
  if ! waitport $h || ! waitport $t; then echo "bench: $name did not start:"; cat "$W/$name.log"; return 1; fi
  wrk -t2 -c16 -d1s "http://127.0.0.1:$h/" >/dev/null 2>&1 # warm-up
  PP[$name]="$pid $h $t $r $k"
  PROXIES+=("$name")
}

echo "bench: $ROUNDS rounds of ${SECS}s per case and client, wrk -t1 and -t2, loopback, $(nproc) cores; backends: nginx $(nginx -v 2>&1 | sed 's/.*\///')"
if [ "${BENCH_TLS:-1}" = only ]; then # the TLS cases alone, no README
  TLSBASE=$((base+15)) . scripts/bench-tls.sh
  [ -s "$W/tls-table.md" ] && { echo; cat "$W/tls-table.md"; }
  exit 0
fi
[ $HAVE_HAPROXY = 1 ] && [ "${BENCH_ONLY:-}" != gohaproxy ] && start_proxy haproxy $((base+3)) $((base+4)) $((base+5)) $((base+14)) haproxy
PROF=(); [ "${BENCH_PPROF:-0}" = 1 ] && PROF=(env GOHAPROXY_CPUPROFILE="$W/cpu.pprof")
start_proxy gohaproxy $((base+27)) $((base+28)) $((base+29)) $((base+30)) "${PROF[@]}" "$BIN"

# Both proxies are up at once; each round runs every case with a one- and
# a two-thread client on one proxy, then on the other, and the next round
# swaps the order, so both see the same machine (the machine is shared:
# a run alone, or one proxy's cases all before the other's, measures the
# neighbours' load as much as the proxy).
declare -A R # proxy,case,threads -> the rounds' "req/s|p50|p99|cpu" runs
for r in $(seq "$ROUNDS"); do
  order=("${PROXIES[@]}"); [ $((r % 2)) = 0 ] && order=($(printf '%s\n' "${PROXIES[@]}" | tac))
  for c in "${CASES[@]}"; do
    IFS='|' read -r cname path conns fe <<<"$c"
    for th in 1 2; do
      for name in "${order[@]}"; do
        read -r pid h t ru k <<<"${PP[$name]}"
        kill -0 "$pid" 2>/dev/null || continue
        case $fe in http) port=$h ;; tcp) port=$t ;; rules) port=$ru ;; track) port=$k ;; esac
        run_case "$name/$cname/t$th" "http://127.0.0.1:$port$path" "$conns" "$pid" "$th"
        R[$name,$cname,$th]+="$REQS|$P50|$P99|$CPU "
        kill -0 "$pid" 2>/dev/null || { echo "bench: $name exited during $cname:" >&2; tail -5 "$W/$name.log" >&2; }
      done
    done
  done
done
declare -A RSS
for name in "${PROXIES[@]}"; do
  read -r pid _ <<<"${PP[$name]}"
  RSS[$name]=$(( $(rss_kb "$pid") / 1024 ))
  kill -USR1 "$pid" 2>/dev/null
done
sleep 0.5

table() {
  printf '| case | client threads | HAProxy req/s | p50 | p99 | CPU µs/req | gohaproxy req/s | p50 | p99 | CPU µs/req | ratio | rounds |\n'
  printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
  local c cname th hruns gruns hr h50 h99 gr g50 g99 hcpu gcpu ratio
  for c in "${CASES[@]}"; do
    IFS='|' read -r cname _ <<<"$c"
    for th in 1 2; do
      read -ra hruns <<<"${R[haproxy,$cname,$th]:-}"; read -ra gruns <<<"${R[gohaproxy,$cname,$th]:-}"
      hr=0 h50=- h99=- hcpu=- gr=0 g50=- g99=- gcpu=-
      [ ${#hruns[@]} -gt 0 ] && { IFS='|' read -r hr h50 h99 _ <<<"$(median_run "${hruns[@]}")"; hcpu=$(median $(printf '%s\n' "${hruns[@]}" | cut -d'|' -f4)); }
      [ ${#gruns[@]} -gt 0 ] && { IFS='|' read -r gr g50 g99 _ <<<"$(median_run "${gruns[@]}")"; gcpu=$(median $(printf '%s\n' "${gruns[@]}" | cut -d'|' -f4)); }
      ratio=$(ratio "$gr" "$hr")
      printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$cname" "$th" "$hr" "$h50" "$h99" "$hcpu" "$gr" "$g50" "$g99" "$gcpu" "$ratio" "$(round_ratios "${R[haproxy,$cname,$th]:-}" "${R[gohaproxy,$cname,$th]:-}")"
    done
  done
  printf '\nMeasured by `make bench` on %s: %s cores, %s rounds of %ss per case and client (wrk -t1 and -t2), haproxy %s and gohaproxy up at once with the same configuration (ports aside), the two alternating and their order swapped each round; backends nginx %s. Each figure is the median of the rounds (latency: the median req/s run); ratio = gohaproxy/HAProxy median req/s, rounds = each round'"'"'s ratio; CPU = the proxy'"'"'s user + system time over the run per request. RSS after all cases: HAProxy %s MB, gohaproxy %s MB.\n' \
    "$(date -u +%Y-%m-%d)" "$(nproc)" "$ROUNDS" "$SECS" "$(haproxy -v 2>/dev/null | awk 'NR==1 {print $3}')" "$(nginx -v 2>&1 | sed 's/.*\///')" "${RSS[haproxy]:--}" "${RSS[gohaproxy]:--}"
}
echo; table | tee "$W/table.md"
if [ "${BENCH_TLS:-1}" = 1 ]; then
  TLSBASE=$((base+15)) . scripts/bench-tls.sh
  [ -s "$W/tls-table.md" ] && { echo; cat "$W/tls-table.md"; echo >> "$W/table.md"; cat "$W/tls-table.md" >> "$W/table.md"; }
fi
# BENCH_README=README.md puts the table between the bench markers.
if [ -n "${BENCH_README:-}" ] && grep -q '<!-- bench:begin -->' "$BENCH_README"; then
  awk -v t="$W/table.md" '/<!-- bench:end -->/ {skip=0} !skip {print} /<!-- bench:begin -->/ {while ((getline l < t) > 0) print l; skip=1}' "$BENCH_README" > "$W/readme" && cat "$W/readme" > "$BENCH_README"
  echo "bench: table written to $BENCH_README"
fi
if [ "${BENCH_PPROF:-0}" = 1 ] && [ -s "$W/cpu.pprof" ]; then
  echo; echo "gohaproxy CPU profile (all cases), top 25:"
  go tool pprof -top -nodecount=25 "$BIN" "$W/cpu.pprof" 2>/dev/null | sed -n '1,32p'
  [ -n "${BENCH_PPROF_SAVE:-}" ] && cp "$W/cpu.pprof" "$BENCH_PPROF_SAVE"
  echo; echo "cumulative, top 30:"
  go tool pprof -top -cum -nodecount=30 "$BIN" "$W/cpu.pprof" 2>/dev/null | sed -n '6,37p'
fi
exit 0
