package main

import (
	"fmt"
	"os/exec"
	"regexp"
	"testing"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
)

// httplogRe matches one RFC3164 datagram carrying HAProxy's httplog line
// for a GET / answered 200 by servers/<server>.
func httplogRe(pid int, server string) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(`^<150>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d haproxy\[%d\]: 127\.0\.0\.1:\d+ \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d\.\d{3}\] main servers/%s \d+/\d+/\d+/\d+/\d+ 200 \d+ - - ---- \d+/\d+/\d+/\d+/0 0/0 "GET / HTTP/1\.1"\n$`, pid, server))
}

// startWithConfig writes cfg to a file, runs `bin -db -q -f FILE` (bin is
// gohaproxy or haproxy), waits until each of binds accepts, and kills the
// process when the test ends.
func startWithConfig(t testing.TB, bin, cfg string, binds ...string) *exec.Cmd {
	t.Helper()
	cmd := haproxytest.StartQuiet(t, bin, haproxytest.WriteConfig(t, cfg))
	for _, b := range binds {
		loopback.WaitListen(t, b)
	}
	return cmd
}
