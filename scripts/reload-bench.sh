#!/bin/sh
# Reload under load, gohaproxy and the real HAProxy side by side (issues 7
# and 11): wrk -t1 -c16 at full keep-alive speed for GOHA_RELOAD_SECONDS
# (default 12) while the proxy is reloaded GOHA_RELOADS times (default 10),
# once with SIGUSR2 to a master-worker master and once with -x/-sf
# handovers. Prints sent / ok / failed / resets / served per run, then
# wrk's socket error counts. Loopback only.
set -eu
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "reload-bench: wrk missing (make deps)"; exit 1; }
export GOHA_RELOAD_SECONDS="${GOHA_RELOAD_SECONDS:-12}"
export GOHA_RELOADS="${GOHA_RELOADS:-10}"
go test -count=1 -timeout 10m -run 'TestReloadKeepAlive' -v ./cmd/gohaproxy \
  | grep -E 'reloads over|^(---|ok|FAIL|PASS)|master_keepalive_test'
