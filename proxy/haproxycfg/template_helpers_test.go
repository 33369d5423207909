package haproxycfg

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// httpDefaults2s is a defaults section in mode http with 2 s timeouts.
const httpDefaults2s = `defaults
    mode http
    timeout connect 2s
    timeout client 2s
    timeout server 2s
`

// crtBaseHead opens a TLS test template: certificates under PKIDIR,
// http defaults with 2 s timeouts.
const crtBaseHead = "global\n    crt-base PKIDIR\n" + httpDefaults2s

// pkiHead is crtBaseHead with the CA files under PKIDIR too.
const pkiHead = "global\n    crt-base PKIDIR\n    ca-base PKIDIR\n" + httpDefaults2s

// startTemplated starts HAProxy, then goha, on the configuration tmpl
// with a free loopback address of each one's own in place of key and the
// old, new pairs of repl replaced (in that order, key first), and
// returns once both listen on their address.
func startTemplated(t *testing.T, tmpl, key string, repl ...string) (ha, goha string) {
	t.Helper()
	has, gohas := startTemplatedAddrs(t, tmpl, []string{key}, repl...)
	return has[0], gohas[0]
}

// startTemplatedAddrs is startTemplated with an address for each of
// keys; it waits on the first.
func startTemplatedAddrs(t *testing.T, tmpl string, keys []string, repl ...string) (ha, goha []string) {
	t.Helper()
	return startTemplatedEach(t, tmpl, tmpl, keys, repl...)
}

// startTemplatedEach is startTemplatedAddrs with a template of each
// side's own (haTmpl for HAProxy, goTmpl for goha).
func startTemplatedEach(t *testing.T, haTmpl, goTmpl string, keys []string, repl ...string) (ha, goha []string) {
	t.Helper()
	mk := func(tmpl string) ([]string, string) {
		var addrs, pairs []string
		for _, k := range keys {
			a := loopback.FreeAddr(t)
			addrs, pairs = append(addrs, a), append(pairs, k, a)
		}
		return addrs, strings.NewReplacer(append(pairs, repl...)...).Replace(tmpl)
	}
	ha, cfg := mk(haTmpl)
	difftest.StartHAProxy(t, cfg, ha[0])
	goha, cfg = mk(goTmpl)
	runPlan(t, cfg)
	loopback.WaitListen(t, goha[0])
	return ha, goha
}

// startHAProxyProcess runs bin (HAProxy) in the foreground on cfg and
// waits until addr accepts connections; the test may signal the process
// (a soft stop) and wait on exited. It is killed, by PID, when the test
// ends.
func startHAProxyProcess(t *testing.T, bin, cfg, addr string) (cmd *exec.Cmd, exited <-chan struct{}) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "h.cfg")
	os.WriteFile(path, []byte(cfg), 0o644)
	cmd = exec.Command(bin, "-db", "-f", path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-done })
	loopback.WaitListen(t, addr)
	return cmd, done
}
