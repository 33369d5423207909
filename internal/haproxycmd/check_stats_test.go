package haproxycmd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
)

// checkBackend is one backend of sameCheckStats: its lines and its one
// server s1's address and options (check included).
type checkBackend struct{ name, lines, server string }

// sameCheckStats runs haproxy and gohaproxy with the backends (after
// the defaults lines given), waits settle for their checks, and compares
// what `show stat` says of each server: status, check_status,
// check_code, last_chk when lastChk is set, and check_desc. A check
// running at the instant of `show stat` shows a blank last_chk and a
// "* " mark in HAProxy: both are read again until they agree (bounded).
func sameCheckStats(t *testing.T, haproxyBin, defaults string, backends []checkBackend, settle time.Duration, lastChk bool) {
	t.Helper()
	start := func(bin string) string {
		dir, bind := t.TempDir(), loopback.FreeAddr(t)
		var cfg strings.Builder
		fmt.Fprintf(&cfg, "global\n    stats socket %s/s.sock level admin\ndefaults\n%sfrontend fe\n    bind %s\n    default_backend %s\n", dir, defaults, bind, backends[0].name)
		for _, b := range backends {
			fmt.Fprintf(&cfg, "backend %s\n    %s\n    server s1 %s inter 100ms\n", b.name, b.lines, b.server)
		}
		path := filepath.Join(dir, "t.cfg")
		os.WriteFile(path, []byte(cfg.String()), 0o644)
		runQuiet(t, bin, path)
		loopback.WaitListen(t, bind)
		return filepath.Join(dir, "s.sock")
	}
	haSock, goSock := start(haproxyBin), start(gohaproxy)
	time.Sleep(settle)
	cols := func(sock string) map[string]string {
		out := map[string]string{}
		for _, l := range strings.Split(haproxytest.StatsCmd(t, sock, "show stat"), "\n") {
			f := strings.Split(l, ",")
			if len(f) > 65 && f[1] == "s1" {
				last := ""
				if lastChk {
					last = fmt.Sprintf("last_chk=%q ", f[56])
				}
				out[f[0]] = fmt.Sprintf("status=%s check_status=%s check_code=%s %scheck_desc=%q", f[17], strings.TrimPrefix(f[36], "* "), f[37], last, f[65])
			}
		}
		return out
	}
	var problems []string
	for try := 0; try < 20; try++ {
		want, got := cols(haSock), cols(goSock)
		problems = nil
		for _, b := range backends {
			if want[b.name] == "" || want[b.name] != got[b.name] {
				problems = append(problems, fmt.Sprintf("%s:\nhaproxy %s\n   goha %s", b.name, want[b.name], got[b.name]))
			}
		}
		if len(problems) == 0 {
			for _, b := range backends {
				t.Logf("%s: %s", b.name, want[b.name])
			}
			break
		}
		time.Sleep(150 * time.Millisecond)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// httpCheckDefaults are the defaults of the HTTP check tests.
const httpCheckDefaults = "    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n    timeout check 300ms\n"
