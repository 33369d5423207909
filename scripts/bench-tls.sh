# Sourced by scripts/bench.sh (its W, PIDS, SECS, ROUNDS, BIN, HAVE_HAPROXY, nginx
# backends B1-B3, waitport, cpu_ticks, cpu_us; TLSBASE: the first of twelve
# free ports). Writes $W/tls-table.md.
#
# HAProxy and gohaproxy run the same TLS configuration at the same time, on
# ports of their own; in each of ROUNDS rounds every case runs on one, then
# on the other, with a one-thread and then a two-thread client, the order
# swapped each round, so both see the same machine state; the table gives
# medians and each round's ratio. Cases:
#   https-keepalive   wrk, c=64, kept-alive HTTPS (ECDSA P-256 certificate)
#   handshake-ecdsa   wrk, c=16, "Connection: close": one new TLS
#   handshake-rsa     connection per request, req/s = handshakes/s. wrk
#                     resumes sessions, so these binds allow none (every
#                     handshake is a full one): no-tls-tickets, and for
#                     HAProxy also tune.ssl.cachesize 0 (goha keeps no
#                     session cache; it refuses that keyword). Both
#                     daemons make the same handshake: an X25519 key
#                     share, an ECDSA or RSA-PSS signature with SHA-256,
#                     and TLS_AES_128_GCM_SHA256, first on the binds'
#                     ciphersuites list (OpenSSL takes the server's order,
#                     which would otherwise give HAProxy AES-256 with
#                     SHA-384; Go picks AES-128 by its own preference)
#   handshake-ecdsa-tls12, handshake-rsa-tls12
#                     the same on binds with ssl-max-ver TLSv1.2 and
#                     ciphers ECDHE-ECDSA-AES128-GCM-SHA256 and
#                     ECDHE-RSA-AES128-GCM-SHA256
#   h2-tls            h2load, c=16, 32 streams each, ALPN h2
#   h2c               h2load, c=16, 32 streams each, bind ... proto h2
# CPU is the proxy's user + system time over the case per request.
# BENCH_TLS_CASES=<regex> runs only the TLS cases whose names match.

for c in openssl h2load; do
  command -v $c >/dev/null || { echo "bench: $c missing (make deps), TLS cases skipped"; return 0; }
done

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
  -keyout "$W/ecdsa.key" -out "$W/ecdsa.crt" 2>/dev/null && cat "$W/ecdsa.crt" "$W/ecdsa.key" > "$W/ecdsa.pem"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
  -keyout "$W/rsa.key" -out "$W/rsa.crt" 2>/dev/null && cat "$W/rsa.crt" "$W/rsa.key" > "$W/rsa.pem"
[ -s "$W/ecdsa.pem" ] && [ -s "$W/rsa.pem" ] || { echo "bench: certificates not made, TLS cases skipped"; return 0; }

# The handshake binds' options (see above).
HS_OPTS="alpn http/1.1 no-tls-tickets ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
HS12_OPTS="alpn http/1.1 no-tls-tickets ssl-max-ver TLSv1.2 ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"

# tls_cfg ECDSA-PORT ECDSA-HANDSHAKE-PORT RSA-HANDSHAKE-PORT H2C-PORT ECDSA-TLS12-PORT RSA-TLS12-PORT [GLOBAL-LINE]
tls_cfg() {
  cat <<CFG
global
    maxconn 5000
    ${7:-}
defaults
    mode http
    option http-keep-alive
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 30s
frontend https
    bind 127.0.0.1:$1 ssl crt $W/ecdsa.pem alpn h2,http/1.1
    bind 127.0.0.1:$2 ssl crt $W/ecdsa.pem $HS_OPTS
    bind 127.0.0.1:$3 ssl crt $W/rsa.pem $HS_OPTS
    bind 127.0.0.1:$4 proto h2
    bind 127.0.0.1:$5 ssl crt $W/ecdsa.pem $HS12_OPTS
    bind 127.0.0.1:$6 ssl crt $W/rsa.pem $HS12_OPTS
    default_backend servers
backend servers
    balance roundrobin
    server web1 127.0.0.1:$B1
    server web2 127.0.0.1:$B2
    server web3 127.0.0.1:$B3
CFG
}

declare -A TP # proxy -> "pid ecdsa-port ecdsa-handshake-port rsa-handshake-port h2c-port ecdsa-tls12-port rsa-tls12-port"
start_tls() { # name port-offset global-line command...
  local name=$1 off=$2 extra=$3; shift 3
  local e=$((TLSBASE+off)) eh=$((TLSBASE+off+1)) r=$((TLSBASE+off+2)) h=$((TLSBASE+off+3)) e12=$((TLSBASE+off+4)) r12=$((TLSBASE+off+5))
  tls_cfg $e $eh $r $h $e12 $r12 "$extra" > "$W/tls-$name.cfg"
  "$@" -db -f "$W/tls-$name.cfg" >"$W/tls-$name.log" 2>&1 &
  local pid=$!
  PIDS+=($pid)
  if ! waitport $e || ! waitport $h; then echo "bench: $name (TLS) did not start:"; cat "$W/tls-$name.log"; return 1; fi
  TP[$name]="$pid $e $eh $r $h $e12 $r12"
}
TLS_PROXIES=()
if [ $HAVE_HAPROXY = 1 ] && [ "${BENCH_ONLY:-}" != gohaproxy ]; then
  start_tls haproxy 0 "tune.ssl.cachesize 0" haproxy && TLS_PROXIES+=(haproxy)
fi
start_tls gohaproxy 6 "" "$BIN" && TLS_PROXIES+=(gohaproxy)

# tls_case CASE THREADS PID ECDSA-PORT ECDSA-HS-PORT RSA-HS-PORT H2C-PORT ECDSA-TLS12-PORT RSA-TLS12-PORT -> sets REQS CPU
tls_case() {
  local out t0 n
  t0=$(cpu_ticks "$3")
  case $1 in
  https-keepalive) out=$(wrk -t"$2" -c64 -d"${SECS}s" "https://127.0.0.1:$4/" 2>&1) ;;
  handshake-ecdsa) out=$(wrk -t"$2" -c16 -d"${SECS}s" -H 'Connection: close' "https://127.0.0.1:$5/" 2>&1) ;;
  handshake-rsa) out=$(wrk -t"$2" -c16 -d"${SECS}s" -H 'Connection: close' "https://127.0.0.1:$6/" 2>&1) ;;
  handshake-ecdsa-tls12) out=$(wrk -t"$2" -c16 -d"${SECS}s" -H 'Connection: close' "https://127.0.0.1:$8/" 2>&1) ;;
  handshake-rsa-tls12) out=$(wrk -t"$2" -c16 -d"${SECS}s" -H 'Connection: close' "https://127.0.0.1:$9/" 2>&1) ;;
  h2-tls) out=$(h2load -t"$2" -c16 -m32 -D "$SECS" "https://127.0.0.1:$4/" 2>&1) ;;
  h2c) out=$(h2load -t"$2" -c16 -m32 -D "$SECS" "http://127.0.0.1:$7/" 2>&1) ;;
  esac
  if [[ $1 == h2* ]]; then
    REQS=$(echo "$out" | awk '/^finished in/ {printf "%.2f", $4}')
    n=$(echo "$out" | awk '/^requests:/ {print $8}') # succeeded
    local bad=$(echo "$out" | awk '/^requests:/ && ($10 > 0 || $12 > 0) {print $10 " failed, " $12 " errored"}')
    [ -n "$bad" ] && echo "  ($1 t$2: $bad)" >&2
  else
    REQS=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
    n=$(echo "$out" | awk '/requests in/ {print $1}')
    local errs=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
    [ -n "$errs" ] && echo "  ($1 t$2: $errs)" >&2
  fi
  CPU=$(cpu_us $(( $(cpu_ticks "$3") - t0 )) "${n:-0}")
  [ -n "$REQS" ] || REQS=0
}

TLS_CASES=(https-keepalive handshake-ecdsa handshake-rsa handshake-ecdsa-tls12 handshake-rsa-tls12 h2-tls h2c)
if [ -n "${BENCH_TLS_CASES:-}" ]; then # a regex: only the TLS cases it matches
  kept=(); for c in "${TLS_CASES[@]}"; do [[ $c =~ $BENCH_TLS_CASES ]] && kept+=("$c"); done; TLS_CASES=("${kept[@]}")
fi
declare -A TR # proxy,case,threads -> the rounds' "req/s|cpu" runs
if [ ${#TLS_PROXIES[@]} -gt 0 ]; then
  echo "bench: TLS cases, $ROUNDS rounds of ${SECS}s per case, 1 and 2 client threads, ${TLS_PROXIES[*]} alternating"
  for r in $(seq "$ROUNDS"); do
    order=("${TLS_PROXIES[@]}"); [ $((r % 2)) = 0 ] && order=($(printf '%s\n' "${TLS_PROXIES[@]}" | tac))
    for tc in "${TLS_CASES[@]}"; do
      for th in 1 2; do
        for name in "${order[@]}"; do
          read -r pid e eh rp h e12 r12 <<<"${TP[$name]}"
          kill -0 "$pid" 2>/dev/null || continue
          tls_case "$tc" "$th" "$pid" "$e" "$eh" "$rp" "$h" "$e12" "$r12"
          TR[$name,$tc,$th]+="$REQS|$CPU "
        done
      done
    done
  done
  for name in "${TLS_PROXIES[@]}"; do
    read -r pid _ <<<"${TP[$name]}"
    kill -USR1 "$pid" 2>/dev/null
  done
  sleep 0.5
  {
    printf '| TLS case | client threads | HAProxy req/s | CPU µs/req | gohaproxy req/s | CPU µs/req | ratio | rounds |\n'
    printf '|---|---:|---:|---:|---:|---:|---:|---:|\n'
    for tc in "${TLS_CASES[@]}"; do
      for th in 1 2; do
        read -ra hruns <<<"${TR[haproxy,$tc,$th]:-}"; read -ra gruns <<<"${TR[gohaproxy,$tc,$th]:-}"
        hr=0 hcpu=- gr=0 gcpu=-
        [ ${#hruns[@]} -gt 0 ] && { hr=$(median_run "${hruns[@]}" | cut -d'|' -f1); hcpu=$(median $(printf '%s\n' "${hruns[@]}" | cut -d'|' -f2)); }
        [ ${#gruns[@]} -gt 0 ] && { gr=$(median_run "${gruns[@]}" | cut -d'|' -f1); gcpu=$(median $(printf '%s\n' "${gruns[@]}" | cut -d'|' -f2)); }
        ratio=$(ratio "$gr" "$hr")
        printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$tc" "$th" "$hr" "$hcpu" "$gr" "$gcpu" "$ratio" "$(round_ratios "${TR[haproxy,$tc,$th]:-}" "${TR[gohaproxy,$tc,$th]:-}")"
      done
    done
    printf '\nTLS cases: both proxies up at once with the same configuration, %s rounds of %ss per case and client, the two alternating and their order swapped each round (medians; rounds = each round'"'"'s ratio); wrk (https-keepalive c=64; handshake-* c=16 with Connection: close on binds that resume no session, one full handshake per request, X25519 and TLS_AES_128_GCM_SHA256 on both daemons, ECDHE-*-AES128-GCM-SHA256 in the -tls12 cases) and h2load %s (c=16, 32 streams per connection); ECDSA P-256 and RSA 2048 self-signed certificates. HAProxy on OpenSSL %s, gohaproxy on Go %s crypto/tls (RSA signatures by %s).\n' \
      "$ROUNDS" "$SECS" "$(h2load --version 2>/dev/null | awk '{print $2; exit}' | sed 's/nghttp2\///')" \
      "$(haproxy -vv 2>/dev/null | awk -F' : ' '/^Running on OpenSSL version/ {split($2, v, " "); print v[2]}')" "$(go version "$BIN" 2>/dev/null | awk '{print $2}' | sed 's/^go//')" \
      "$("$BIN" -vv 2>/dev/null | sed -n 's/^Running on OpenSSL version : .*RSA signatures by //p' | grep . || echo 'Go crypto/rsa')"
  } > "$W/tls-table.md"
fi
