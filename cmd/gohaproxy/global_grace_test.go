package main

import (
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// global grace: after SIGUSR1 the listeners keep accepting for the grace
// time with the stopping fetch true, then the soft stop proceeds; HAProxy
// says so in two notices.
func TestGlobalGraceMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	bin := gohaproxyBin(t)
	var got [2]string
	for i, b := range []string{"haproxy", bin} {
		addr := loopback.FreeAddr(t)
		cfg := fmt.Sprintf("global\n    grace 600ms\ndefaults\n    mode http\n    timeout client 2s\n    timeout server 2s\n    timeout connect 2s\n"+
			"frontend f\n    bind %s\n    http-request return status 200 content-type text/plain lf-string \"stopping=%%[stopping]\"\n", addr)
		var stderr haproxytest.Buffer
		cmd := exec.Command(b, "-db", "-f", haproxytest.WriteConfig(t, cfg))
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		t.Cleanup(func() { cmd.Process.Kill(); <-exited })
		loopback.WaitListen(t, addr)
		steps := []string{graceGet(addr)}
		cmd.Process.Signal(syscall.SIGUSR1)
		time.Sleep(100 * time.Millisecond)
		steps = append(steps, graceGet(addr))
		time.Sleep(900 * time.Millisecond)
		steps = append(steps, graceGet(addr))
		select {
		case err := <-exited:
			exited <- err
			steps = append(steps, fmt.Sprintf("exit %v", err))
		case <-time.After(6 * time.Second): // HAProxy was seen still running at 3 s in a full run
			steps = append(steps, "still running")
		}
		for _, l := range strings.Split(stderr.String(), "\n") {
			if _, rest, ok := strings.Cut(l, ") : "); ok {
				steps = append(steps, l[:strings.IndexByte(l, ' ')]+" "+rest)
			}
		}
		got[i] = strings.Join(steps, "\n")
	}
	if got[0] != got[1] {
		t.Errorf("haproxy:\n%s\ngohaproxy:\n%s", got[0], got[1])
	}
	if !strings.Contains(got[0], "stopping=1") {
		t.Errorf("haproxy's answers changed:\n%s", got[0])
	}
}

// graceGet is the body of GET / on addr, or "refused".
func graceGet(addr string) string {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "refused"
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
	b, _ := io.ReadAll(c)
	_, body, _ := strings.Cut(string(b), "\r\n\r\n")
	return body
}
