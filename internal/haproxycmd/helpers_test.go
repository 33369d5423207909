package haproxycmd

// Helpers of the differential tests that run gohaproxy in this process
// beside the real haproxy. Loopback servers and addresses come from
// internal/loopback, the real haproxy and its runtime API from
// internal/haproxytest (shared with cmd/gohaproxy's tests, which exec the
// binary), the environment checks from internal/testenv.

import (
	"net"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
)

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
