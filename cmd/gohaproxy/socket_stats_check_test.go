package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
)

// TestSocketStatsCheckMatchesHAProxy: `option socket-stats` in a backend
// (a proxy without listeners) is only warned about and ignored by HAProxy
// 2.6.12, and `no option socket-stats` leaves the option in its default
// (off) state: goha's `-c` prints the same lines with the same exit code.
// Where the option would add per-listener stats rows (frontend, listen,
// defaults) goha keeps refusing it while HAProxy accepts it.
func TestSocketStatsCheckMatchesHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	head := "defaults\n    mode http\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\n"
	fe := "frontend fe\n    bind 127.0.0.1:1\n    default_backend be\n"
	be := "backend be\n    server s 127.0.0.1:2\n"
	check := func(name, body string) (hcode int, hout string, code int, gout string) {
		cfg := filepath.Join(dir, "s.cfg")
		if err := os.WriteFile(cfg, []byte(head+body), 0o644); err != nil {
			t.Fatal(err)
		}
		return checkBoth(t, hp, cfg)
	}
	for name, body := range map[string]string{
		"backend":     fe + be + "    option socket-stats\n",
		"backend no":  fe + be + "    no option socket-stats\n",
		"frontend no": fe + "    no option socket-stats\n" + be,
		"listen no":   "listen li\n    bind 127.0.0.1:1\n    no option socket-stats\n    server s 127.0.0.1:2\n",
	} {
		hcode, want, code, got := check(name, body)
		if want != got || code != hcode {
			t.Errorf("%s: haproxy exit %d:\n%s\ngoha exit %d:\n%s", name, hcode, want, code, got)
		}
		if name == "backend" && !strings.Contains(want, "'socket-stats' ignored because backend 'be' has no frontend capability.") {
			t.Errorf("%s: haproxy did not warn:\n%s", name, want)
		}
	}
	for name, c := range map[string]struct {
		body string
		line string
	}{
		"frontend": {fe + "    option socket-stats\n" + be, "s.cfg:9]"},
		"listen":   {"listen li\n    bind 127.0.0.1:1\n    option socket-stats\n    server s 127.0.0.1:2\n", "s.cfg:8]"},
		"defaults": {"defaults\n    option socket-stats\n" + fe + be, "s.cfg:7]"},
	} {
		hcode, want, code, got := check(name, c.body)
		if hcode != 0 {
			t.Errorf("%s: haproxy exit %d:\n%s", name, hcode, want)
		}
		if code != 1 || !strings.Contains(got, c.line+" : 'option socket-stats' is not supported by goha.") {
			t.Errorf("%s: goha exit %d, want 1 naming %s:\n%s", name, code, c.line, got)
		}
	}
}
