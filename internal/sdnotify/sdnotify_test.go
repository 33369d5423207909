package sdnotify

import (
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestNotifyTo(t *testing.T) {
	for _, abstract := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "notify")
		name := path
		if abstract {
			path = "\x00goha-sdnotify-test"
			name = "@goha-sdnotify-test"
		}
		c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
		if err != nil {
			t.Fatal(err)
		}
		if err := NotifyTo(name, "READY=1\nMAINPID=7"); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 64)
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, err := c.Read(buf)
		c.Close()
		if err != nil || string(buf[:n]) != "READY=1\nMAINPID=7" {
			t.Errorf("abstract %v: got %q, %v", abstract, buf[:n], err)
		}
	}
	if err := NotifyTo("", "READY=1"); err != nil {
		t.Errorf("no socket: %v", err)
	}
	if err := NotifyTo(filepath.Join(t.TempDir(), "absent"), "READY=1"); err == nil {
		t.Error("a missing socket is not reported")
	}
}

func TestIsSystemd(t *testing.T) {
	root := t.TempDir()
	write := func(pid, comm string) {
		os.MkdirAll(filepath.Join(root, pid), 0o755)
		os.WriteFile(filepath.Join(root, pid, "comm"), []byte(comm), 0o644)
	}
	write("1", "systemd\n")
	write("2", "systemd\n")
	if !IsSystemd(root, 1) || IsSystemd(root, 2) || IsSystemd(root, 3) {
		t.Error("pid 1 named systemd is systemd; others are not")
	}
	write("1", "init\n")
	if IsSystemd(root, 1) {
		t.Error("an init that is not systemd")
	}
}
