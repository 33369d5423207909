package runtimeapi

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func dialCLI(t *testing.T, path string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("unix", path, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	return c
}

// ask sends one line on a fresh connection and reads until the server
// closes it, as socat/nc users do.
func ask(t *testing.T, path, line string) string {
	t.Helper()
	c := dialCLI(t, path)
	defer c.Close()
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestListenerOverUnixSocket(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "stats")
	// A stale socket file from a previous run is replaced.
	if ln, err := net.Listen("unix", path); err == nil {
		ln.(*net.UnixListener).SetUnlinkOnClose(false)
		ln.Close()
	}
	src := newFakeSource()
	l, err := Listen(path, src, Options{Level: LevelAdmin, Mode: 0o660})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o660 || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("socket file: %v %v", fi.Mode(), err)
	}

	if got := ask(t, path, "show servers state tcpbe"); !strings.HasSuffix(got, "\n6 tcpbe 1 t1 127.0.0.1 2 0 1 1 1 6 3 4 6 0 0 0 - 18090 - 0 0 - - 0\n\n") {
		t.Errorf("show servers state: %q", got)
	}
	if got := ask(t, path, "disable server servers/web2;get weight servers/web2"); got != "\n5 (initial 5)\n\n" {
		t.Errorf("two commands: %q", got)
	}
	if len(src.calls) != 1 || src.calls[0] != "state servers/web2 maint" {
		t.Errorf("calls %v", src.calls)
	}

	// Interactive: each answer ends with the prompt; quit closes.
	c := dialCLI(t, path)
	defer c.Close()
	r := bufio.NewReader(c)
	readUntilPrompt := func() string {
		var sb strings.Builder
		for !strings.HasSuffix(sb.String(), "\n> ") {
			b, err := r.ReadByte()
			if err != nil {
				t.Fatalf("read: %v after %q", err, sb.String())
			}
			sb.WriteByte(b)
		}
		return sb.String()
	}
	io.WriteString(c, "prompt\n")
	if got := readUntilPrompt(); got != "\n> " {
		t.Fatalf("prompt answer %q", got)
	}
	io.WriteString(c, "show cli level\n")
	if got := readUntilPrompt(); got != "admin\n\n> " {
		t.Fatalf("level answer %q", got)
	}
	io.WriteString(c, "quit\n")
	if rest, _ := io.ReadAll(r); string(rest) != "" {
		t.Fatalf("after quit: %q", rest)
	}
}

func TestListenerIdleTimeoutAndClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stats")
	l, err := Listen(path, newFakeSource(), Options{Level: LevelOperator, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c := dialCLI(t, path)
	start := time.Now()
	b, _ := io.ReadAll(c) // a client that sends no command is closed
	if string(b) != "" || time.Since(start) > 3*time.Second {
		t.Errorf("idle client: got %q after %v", b, time.Since(start))
	}
	c.Close()

	// An interactive session is never closed for being idle (HAProxy 2.6).
	c = dialCLI(t, path)
	io.WriteString(c, "prompt\n")
	buf := make([]byte, 3)
	io.ReadFull(c, buf)
	c.SetReadDeadline(time.Now().Add(600 * time.Millisecond))
	if n, err := c.Read(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("interactive session after 3 idle timeouts: read %d, %v; want still open", n, err)
	}
	c.Close()

	// Close ends open sessions and the accept loop.
	c2 := dialCLI(t, path)
	io.WriteString(c2, "prompt\n")
	io.ReadFull(c2, buf)
	if err := l.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	if _, err := c2.Read(buf); err == nil {
		t.Errorf("session still open after Close")
	}
	c2.Close()
	if _, err := net.Dial("unix", path); err == nil {
		t.Errorf("socket still accepting after Close")
	}
}

// TestListenReplacesAndSurvivesPredecessor: a second Listen on the same
// path (a reload) takes the path over at once; closing the first one
// afterwards leaves the second's socket in place.
func TestListenReplacesAndSurvivesPredecessor(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stats")
	old, err := Listen(path, newFakeSource(), Options{Level: LevelOperator})
	if err != nil {
		t.Fatal(err)
	}
	src := newOperatorFakeSource()
	cur, err := Listen(path, src, Options{Level: LevelOperator})
	if err != nil {
		t.Fatal(err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	if got := ask(t, path, "show backend"); got != "# name\nservers\nst\n\n" {
		t.Fatalf("after the old listener closed, the path answers %q", got)
	}
	cur.Close()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("socket file left after the last Close: %v", err)
	}
	if m, _ := filepath.Glob(path + ".*"); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
}
