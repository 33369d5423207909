package haproxycmd

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestUptime(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                               "0d00h00m00s",
		5 * time.Second:                 "0d00h00m05s",
		(26*3600 + 61) * time.Second:    "1d02h01m01s",
		(3*86400 + 59*60) * time.Second: "3d00h59m00s",
	} {
		if got := uptime(d); got != want {
			t.Errorf("uptime(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestExitCode(t *testing.T) {
	for _, tc := range []struct {
		script string
		code   int
		why    string
	}{
		{"exit 0", 0, "Exit"},
		{"exit 3", 3, "Exit"},
		{"kill -TERM $$", 143, "Terminated"},
		{"kill -KILL $$", 137, "Killed"},
	} {
		cmd := exec.Command("/bin/sh", "-c", tc.script)
		cmd.Run()
		if code, why := exitCode(cmd.ProcessState); code != tc.code || why != tc.why {
			t.Errorf("%s: %d (%s), want %d (%s)", tc.script, code, why, tc.code, tc.why)
		}
	}
}

// TestShowProcLayout compares with HAProxy 2.6.12's "show proc" after one
// reload with the previous worker still finishing.
func TestShowProcLayout(t *testing.T) {
	now := time.Now()
	m := &master{pid: 7298, started: now.Add(-3 * time.Second), reloads: 1}
	m.workers = []*child{
		{pid: 7378, started: now.Add(-time.Second)},
		{pid: 7301, started: now.Add(-3 * time.Second), reloads: 1, old: true},
	}
	var b bytes.Buffer
	m.showProc(&b)
	row := func(a, b, c, d, e string) string {
		return fmt.Sprintf("%-15s %-15s %-15s %-15s %-15s\n", a, b, c, d, e)
	}
	v := "2.6.12"
	want := "#<PID>          <type>          <reloads>       <uptime>        <version>      \n" +
		row("7298", "master", "1 [failed: 0]", "0d00h00m03s", v) +
		"# workers\n" + row("7378", "worker", "0", "0d00h00m01s", v) +
		"# old workers\n" + row("7301", "worker", "1", "0d00h00m03s", v) +
		"# programs\n"
	if got := strings.ReplaceAll(b.String(), "2.6.12-goha", v); got != want {
		t.Errorf("show proc:\n%q\nwant\n%q", got, want)
	}
}

func TestSDNotify(t *testing.T) {
	if err := os.Unsetenv("NOTIFY_SOCKET"); err != nil {
		t.Fatal(err)
	}
	if err := sdNotify("READY=1\n"); err != nil {
		t.Fatalf("without NOTIFY_SOCKET: %v", err)
	}
	name := fmt.Sprintf("@goha-notify-test-%d", os.Getpid())
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: "\x00" + name[1:], Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Setenv("NOTIFY_SOCKET", name)
	if err := sdNotify("RELOADING=1\n"); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64)
	n, err := c.Read(buf)
	if err != nil || string(buf[:n]) != "RELOADING=1\n" {
		t.Fatalf("got %q, %v", buf[:n], err)
	}
}
