package haproxycmd

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// nodeInfo runs bin with global `node` (or none) and returns `show info`'s
// node field.
func nodeInfo(t *testing.T, bin, node string) string {
	t.Helper()
	dir := t.TempDir()
	sock := filepath.Join(dir, "s.sock")
	addr := loopback.FreeAddr(t)
	cfg := filepath.Join(dir, "n.cfg")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`global
    stats socket %s level admin
    %s
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend f
    bind %s
    default_backend b
backend b
    server s 127.0.0.1:9
`, sock, node, addr)), 0o644)
	runQuiet(t, bin, cfg)
	loopback.WaitListen(t, addr)
	for i := 0; i < 100; i++ {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	return haproxytest.ShowInfoField(t, sock, "node")
}

// Global `node` names the process in `show info`; without it the host
// name does, as in HAProxy 2.6 (compared with the real haproxy when
// present).
func TestNodeInShowInfo(t *testing.T) {
	host, _ := os.Hostname()
	bins := []string{gohaproxy}
	if hp, ok := testenv.Optional(t, "haproxy"); ok {
		bins = append(bins, hp)
	}
	for _, bin := range bins {
		if got := nodeInfo(t, bin, "node lb-1.example"); got != "lb-1.example" {
			t.Errorf("%s: node %q, want lb-1.example", bin, got)
		}
		if got := nodeInfo(t, bin, ""); got != host {
			t.Errorf("%s: default node %q, want %q", bin, got, host)
		}
	}
}
