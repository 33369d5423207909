package main

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// TestIgnoredStopSignalsMatchHAProxy: HAProxy leaves SIGINT to its default
// action, so when the parent ignored it (a shell's background job does)
// it stays ignored and the worker keeps serving, while SIGTERM still ends
// it. gohaproxy used to take SIGINT over, "stop" on it without dying and
// then answer no signal at all. (An ignored SIGTERM is not in the test: Go's
// runtime takes SIGTERM over before main, so goha cannot see it ignored.)
func TestIgnoredStopSignalsMatchHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	bins := map[string]string{"haproxy": hp, "gohaproxy": pmBinary(t, dir)}
	be := startPMBackend(t)
	for _, name := range []string{"haproxy", "gohaproxy"} {
		for _, c := range []struct {
			ignored, stop syscall.Signal
			trap          string
		}{{syscall.SIGINT, syscall.SIGTERM, "INT"}} {
			addr := loopback.FreeAddr(t)
			cfg := filepath.Join(dir, name+c.trap+".cfg")
			pmConfig(t, cfg, addr, be.addr, "")
			p := startPM(t, "/bin/sh", []string{"BIN=" + bins[name], "CFG=" + cfg}, nil,
				"-c", `trap "" `+c.trap+`; exec "$BIN" -db -f "$CFG"`)
			waitServing(t, addr)
			p.cmd.Process.Signal(c.ignored)
			time.Sleep(300 * time.Millisecond)
			if b, err := pmGet(addr); err != nil || b != "ok" {
				t.Errorf("%s: after the ignored %v: %q, %v; output:\n%s", name, c.ignored, b, err, p.stderr)
			}
			p.cmd.Process.Signal(c.stop)
			p.exitCode(t, 5*time.Second)
			ws := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
			if !ws.Signaled() || ws.Signal() != c.stop {
				t.Errorf("%s: after %v: status %v, want killed by it", name, c.stop, p.cmd.ProcessState)
			}
		}
	}
}
