# Sourced by scripts/bench.sh and scripts/bench-h2-ab.sh: the start-up
# they share. Loopback only; whatever is started is stopped by PID.

# bench_workdir PREFIX: W, a fresh directory under /tmp readable by
# nginx's workers (they run as nobody); PIDS, the processes bench_cleanup
# stops on exit (TERM, then KILL) before it removes W.
bench_workdir() {
  W=$(mktemp -d "/tmp/$1.XXXXXX")
  chmod 755 "$W"
  PIDS=()
  trap bench_cleanup EXIT
}

bench_cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.3
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$W"
}

# bench_ports NAME COUNT: base, the first of COUNT ports in 20000-28999
# (below the ephemeral range) that nothing listens on, or exit.
bench_ports() {
  base=$((20000 + RANDOM % 9000))
  for i in $(seq 0 $(($2 - 1))); do
    if (exec 3<>/dev/tcp/127.0.0.1/$((base + i))) 2>/dev/null; then echo "$1: port $((base + i)) busy"; exit 1; fi
  done
}

# bench_nginx [big]: three nginx servers on base, base+1 and base+2 (B1,
# B2, B3), server<i> answering "server<i>" (and, with big, a 100 KB /big);
# NGM is nginx's master PID, added to PIDS.
bench_nginx() {
  B1=$base B2=$((base + 1)) B3=$((base + 2))
  mkdir -p "$W/nginx/logs"
  for i in 1 2 3; do
    mkdir -p "$W/html$i"
    echo "server$i" >"$W/html$i/index.html"
    if [ "${1:-}" = big ]; then head -c 102400 /dev/zero | tr '\0' 'x' >"$W/html$i/big"; fi
  done
  cat >"$W/nginx.conf" <<NGX
worker_processes 1;
pid $W/nginx.pid;
error_log $W/nginx/logs/error.log crit;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  server { listen 127.0.0.1:$B1 backlog=4096; root $W/html1; }
  server { listen 127.0.0.1:$B2 backlog=4096; root $W/html2; }
  server { listen 127.0.0.1:$B3 backlog=4096; root $W/html3; }
}
NGX
  nginx -p "$W/nginx" -c "$W/nginx.conf" -g 'daemon off;' &
  NGM=$!
  PIDS+=($NGM)
}

# median_run RUN...: of "req/s|...|cpu" runs (one per round), the one with
# the median req/s; median N...: the median number (the lower middle of an
# even count).
median_run() { printf '%s\n' "$@" | sort -t'|' -k1,1g | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'; }

# ratio G H: G/H to two decimals, "-" without H.
ratio() { awk -v g="$1" -v h="$2" 'BEGIN { if (h > 0) printf "%.2f", g/h; else print "-" }'; }

# round_ratios "HAPROXY-RUNS" "GOHAPROXY-RUNS": each round's gohaproxy/
# HAProxy req/s (runs "req/s|...", one per round), "-" if none.
round_ratios() {
  local h g i out=()
  read -ra h <<<"$1"
  read -ra g <<<"$2"
  for i in "${!g[@]}"; do
    [ -n "${h[$i]:-}" ] && out+=("$(awk -v g="${g[$i]%%|*}" -v h="${h[$i]%%|*}" 'BEGIN { if (h > 0) printf "%.2f", g/h }')")
  done
  echo "${out[*]:--}"
}
