package haproxycmd

// Helpers of the differential tests that run gohaproxy in this process
// beside the real haproxy. Loopback servers and addresses come from
// internal/loopback, the real haproxy and its runtime API from
// internal/haproxytest (shared with cmd/gohaproxy's tests, which exec the
// binary), the environment checks from internal/testenv.

import (
	"crypto/x509/pkix"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
)

// adminHead opens a configuration (a format: %s is its directory) with
// an admin stats socket at s.sock there and http defaults with 1 s
// connect and 5 s client and server timeouts.
const adminHead = `global
    stats socket %s/s.sock level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
`

// startWithConfig writes cfg to a file, runs it with bin (gohaproxy: in
// this process; another binary: `bin -db -q -f FILE`, killed when the test
// ends) and waits until each of binds accepts.
func startWithConfig(t *testing.T, bin, cfg string, binds ...string) {
	t.Helper()
	runQuiet(t, bin, haproxytest.WriteConfig(t, cfg))
	for _, b := range binds {
		loopback.WaitListen(t, b)
	}
}

// runQuiet runs the configuration file path as `bin -db -q -f path` until
// the test ends; gohaproxy runs in this process.
func runQuiet(t *testing.T, bin, path string) {
	t.Helper()
	if bin == gohaproxy {
		inProcess(t, path, true)
		return
	}
	haproxytest.StartQuiet(t, bin, path)
}

// runLogged runs the configuration file path under HAProxy (ha: `haproxy
// -db -f path`, killed by PID when the test ends) or gohaproxy in this
// process, not quiet, and returns what it writes to stderr.
func runLogged(t *testing.T, ha bool, path string) *haproxytest.Buffer {
	t.Helper()
	if !ha {
		_, errs := inProcess(t, path, false)
		return errs
	}
	errs := &haproxytest.Buffer{}
	cmd := exec.Command("haproxy", "-db", "-f", path)
	cmd.Stderr = errs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return errs
}

// readSyslog hands each datagram received within the next 5 s to more,
// until more returns false.
func readSyslog(c *net.UDPConn, more func(datagram string) bool) {
	buf := make([]byte, 4096)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		n, err := c.Read(buf)
		if err != nil || !more(string(buf[:n])) {
			return
		}
	}
}

// nextSyslogLine is the message of the next log datagram (what follows
// the syslog header's "]: "), or "(no log line)" after 5 s.
func nextSyslogLine(c *net.UDPConn) string {
	line := "(no log line)"
	readSyslog(c, func(d string) bool {
		if _, l, ok := strings.Cut(d, "]: "); ok {
			line = strings.TrimSpace(l)
			return false
		}
		return true
	})
	return line
}

// syslogHTTPHead is the global and defaults sections of the log tests:
// http mode, logs to the test's syslog socket at addr (local2), no line
// for empty connections.
func syslogHTTPHead(addr net.Addr) string {
	return "global\n    log " + addr.String() + " local2\ndefaults\n    mode http\n    log global\n    option dontlognull\n" +
		"    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n"
}

// exampleCertFile writes a self-signed certificate for a.example.com
// (serial) and its key to one PEM file, as `crt` reads it.
func exampleCertFile(t *testing.T, serial int64) string {
	t.Helper()
	c := makeCert(t, pkix.Name{CommonName: "a.example.com"}, []string{"a.example.com"}, nil, nil, false, serial)
	crt := filepath.Join(t.TempDir(), "a.pem")
	if err := os.WriteFile(crt, []byte(c.certPEM()+c.keyPEM(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	return crt
}

// sameMaskedLines compares haproxy's and gohaproxy's log lines one by
// one after mask, each pair logged.
func sameMaskedLines(t *testing.T, what string, want, got []string, mask func(string) string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: haproxy %d lines, gohaproxy %d", what, len(want), len(got))
	}
	for i := range min(len(want), len(got)) {
		t.Logf("haproxy   %s\ngohaproxy %s", want[i], got[i])
		if w, g := mask(want[i]), mask(got[i]); w != g {
			t.Errorf("%s %d:\n haproxy   %s\n gohaproxy %s", what, i, w, g)
		}
	}
}

// sockHTTPHead opens the table tests' configurations: an admin stats
// socket at SOCK, http defaults with a 1 s connect and 5 s client and
// server timeouts.
const sockHTTPHead = `global
    stats socket SOCK level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
`

// sockTCPHead is sockHTTPHead in mode tcp.
const sockTCPHead = `global
    stats socket SOCK level admin
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
`

// startSide runs the configuration at path in HAProxy (-db; ha) or in
// goha's worker, in process, and returns what stops it.
func startSide(t *testing.T, ha bool, path string) (stop func()) {
	t.Helper()
	if !ha {
		w, _ := inProcess(t, path, true)
		return w.close
	}
	cmd := exec.Command("haproxy", "-db", "-f", path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return func() { cmd.Process.Kill(); cmd.Wait() }
}
