package haproxycmd

// Helpers of the differential tests that run gohaproxy in this process
// beside the real haproxy (loopback servers and addresses come from
// internal/loopback, the environment checks from internal/testenv).

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// startWithConfig writes cfg to a file, runs it with bin (gohaproxy: in
// this process; another binary: `bin -db -q -f FILE`, killed when the test
// ends) and waits until each of binds accepts.
func startWithConfig(t *testing.T, bin, cfg string, binds ...string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	runQuiet(t, bin, path)
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
	cmd := exec.Command(bin, "-db", "-q", "-f", path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
}

// syslogTarget is a UDP syslog server on loopback, closed when the test
// ends; its LocalAddr goes in a `log ADDR local2` line.
func syslogTarget(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
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
