package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// pipeFDs counts the pipes process pid opened itself (pipes it inherited
// from this test process are left out): splice(2) moves bytes through a
// pipe, which the relay holds while it waits for more data and keeps in a
// pool after, so a relay that spliced has one; a copying relay has none.
func pipeFDs(t *testing.T, pid int) int {
	t.Helper()
	pipes := func(dir string) map[string]bool {
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, e := range ents {
			if l, err := os.Readlink(filepath.Join(dir, e.Name())); err == nil && strings.HasPrefix(l, "pipe:") {
				out[l] = true
			}
		}
		return out
	}
	inherited := pipes("/proc/self/fd")
	n := 0
	for l := range pipes(fmt.Sprintf("/proc/%d/fd", pid)) {
		if !inherited[l] {
			n++
		}
	}
	return n
}

// echoServer echoes every connection until it closes.
func echoServer(t *testing.T) string {
	t.Helper()
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) { io.Copy(c, c) })
}

// option splice-request/splice-response reach the tcp relay of the running
// binary (it splices, so it holds a pipe while the connection is idle), and
// global nosplice, -dS or no option at all leave it copying (no pipe), as
// HAProxy, which never splices without an option.
func TestSpliceOptionsReachTheRelay(t *testing.T) {
	bin := gohaproxyBin(t)
	echo := echoServer(t)
	for _, tc := range []struct {
		name, global, defOpt, opts string
		flag                       string
		pipes                      bool
	}{
		{"splice options", "", "", "option splice-request\n    option splice-response", "", true},
		{"from defaults", "", "option splice-request", "", "", true},
		{"nosplice", "nosplice", "", "option splice-request\n    option splice-response", "", false},
		{"-dS", "", "", "option splice-request\n    option splice-response", "-dS", false},
		{"no option", "", "option splice-request", "no option splice-request", "", false},
		{"none", "", "", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := loopback.FreeAddr(t)
			cfg := filepath.Join(t.TempDir(), "s.cfg")
			os.WriteFile(cfg, []byte(fmt.Sprintf(`global
    %s
defaults
    mode tcp
    timeout connect 1s
    timeout client 10s
    timeout server 10s
    %s
listen l
    bind %s
    %s
    server s %s
`, tc.global, tc.defOpt, addr, tc.opts, echo)), 0o644)
			args := []string{"-db", "-q", "-f", cfg}
			if tc.flag != "" {
				args = append(args, tc.flag)
			}
			cmd := exec.Command(bin, args...) // fds 0-2 on /dev/null: no pipes of ours
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { cmd.Process.Kill(); cmd.Wait() }()
			loopback.WaitListen(t, addr)
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			msg := strings.Repeat("x", 64<<10)
			go io.WriteString(c, msg)
			got := make([]byte, len(msg))
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.ReadFull(c, got); err != nil || string(got) != msg {
				t.Fatalf("echo through the relay: %v", err)
			}
			n := 0
			for i := 0; i < 40; i++ { // the relay is idle now, waiting in its pump
				if n = pipeFDs(t, cmd.Process.Pid); n > 0 == tc.pipes && i >= 4 {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if n > 0 != tc.pipes {
				t.Errorf("%d pipes of its own with the relay idle, want spliced=%v", n, tc.pipes)
			}
		})
	}
}
