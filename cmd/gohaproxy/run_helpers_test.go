package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// httplogRe matches one RFC3164 datagram carrying HAProxy's httplog line
// for a GET / answered 200 by servers/<server>.
func httplogRe(pid int, server string) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(`^<150>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d haproxy\[%d\]: 127\.0\.0\.1:\d+ \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d\.\d{3}\] main servers/%s \d+/\d+/\d+/\d+/\d+ 200 \d+ - - ---- \d+/\d+/\d+/\d+/0 0/0 "GET / HTTP/1\.1"\n$`, pid, server))
}

// startWithConfig writes cfg to a file, runs `bin -db -q -f FILE` (bin is
// gohaproxy or haproxy), waits until each of binds accepts, and kills the
// process when the test ends.
func startWithConfig(t *testing.T, bin, cfg string, binds ...string) *exec.Cmd {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-db", "-q", "-f", path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for _, b := range binds {
		waitListen(t, b)
	}
	return cmd
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
