package main

import (
	"io"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// tcpStatsPid asks the stats socket at addr for show info and returns its
// Pid ("" when nothing answers).
func tcpStatsPid(addr string) string {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return ""
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	io.WriteString(c, "show info\n")
	b, _ := io.ReadAll(c)
	if m := regexp.MustCompile(`(?m)^Pid: (\d+)`).FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return ""
}

// TestReloadKeepsTCPStatsSocket: a master-worker reload with a `stats
// socket` on a TCP address succeeds and the new worker answers on it,
// beside HAProxy 2.6.12 (which binds it with SO_REUSEPORT beside the old
// worker's); goha's new worker could not bind it ("Loading failure!") and
// the old one kept serving.
func TestReloadKeepsTCPStatsSocket(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	for _, bin := range []string{hp, pmBinary(t, dir)} {
		be := startPMBackend(t)
		fe, stats := loopback.FreeAddr(t), loopback.FreeAddr(t)
		cfg := filepath.Join(dir, filepath.Base(bin)+".cfg")
		pmConfig(t, cfg, fe, be.addr, "    stats socket "+stats+" level admin")
		m := startPM(t, bin, nil, nil, "-W", "-db", "-f", cfg)
		waitServing(t, fe)
		before := ""
		for deadline := time.Now().Add(10 * time.Second); before == "" && time.Now().Before(deadline); {
			before = tcpStatsPid(stats)
			time.Sleep(20 * time.Millisecond)
		}
		if before == "" {
			t.Fatalf("%s: the stats socket %s never answered:\n%s", bin, stats, m.stderr)
		}
		time.Sleep(1500 * time.Millisecond) // HAProxy's master loses a signal sent too early
		m.cmd.Process.Signal(syscall.SIGUSR2)
		m.waitLog(t, `Loading (success\.|failure!)[\s\S]*Loading (success\.|failure!)`, 10*time.Second)
		if strings.Contains(m.stderr.String(), "Loading failure!") {
			t.Errorf("%s: the reload failed:\n%s", bin, m.stderr)
			continue
		}
		after := ""
		for deadline := time.Now().Add(10 * time.Second); (after == "" || after == before) && time.Now().Before(deadline); {
			after = tcpStatsPid(stats)
			time.Sleep(50 * time.Millisecond)
		}
		if after == "" || after == before {
			t.Errorf("%s: after the reload the stats socket answers with pid %q (before %q)", bin, after, before)
		}
		waitServing(t, fe)
	}
}
