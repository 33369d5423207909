#!/bin/sh
# Reload under load, gohaproxy and the real HAProxy side by side (issue 7):
# a steady 200 requests/s client (one connection per request) for
# GOHA_RELOAD_SECONDS (default 20) while the proxy is reloaded GOHA_RELOADS
# times (default 10), once with SIGUSR2 to a master-worker master (one of
# the reloads with a broken configuration) and once with -x/-sf handovers.
# Prints sent / ok / failed / resets / served per run. Loopback only.
set -eu
cd "$(dirname "$0")/.."
export GOHA_RELOAD_SECONDS="${GOHA_RELOAD_SECONDS:-20}"
export GOHA_RELOADS="${GOHA_RELOADS:-10}"
export GOHA_RELOAD_COMPARE=1
go test -count=1 -timeout 10m -run 'TestProcessModel/(reload|reference)' -v ./cmd/gohaproxy \
  | grep -E 'reloads over|^(---|ok|FAIL|PASS)|master_test' 
