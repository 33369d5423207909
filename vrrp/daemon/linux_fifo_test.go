package daemon

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// The notify FIFO as keepalived 2.2.7 keeps it: created 0600 when missing,
// open for the daemon's lifetime so that one reader sees every line (an
// open-write-close per line gave `cat` an end of file after the first),
// removed on stop only when gokeepalived created it.
func TestLinuxNotifyFIFO(t *testing.T) {
	for _, existed := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "notify")
		if existed {
			if err := syscall.Mkfifo(path, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		e := NewLinuxEdge()
		if err := e.OpenFIFO(path); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil || st.Mode()&os.ModeNamedPipe == 0 {
			t.Fatalf("existed %v: %v %v", existed, st, err)
		}
		if !existed && st.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, want 0600", st.Mode().Perm())
		}
		r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			t.Fatal(err)
		}
		lines := []string{`INSTANCE "A" BACKUP 100`, `INSTANCE "A" BACKUP_PRIORITY 120`, `INSTANCE "A" MASTER 120`}
		for _, l := range lines {
			e.WriteFIFO(path, l+"\n")
		}
		sc := bufio.NewScanner(r)
		for _, want := range lines {
			if !sc.Scan() || sc.Text() != want {
				t.Fatalf("existed %v: read %q (%v), want %q", existed, sc.Text(), sc.Err(), want)
			}
		}
		// No end of file while the daemon runs: the reader waits for more.
		r.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if _, err := r.Read(make([]byte, 64)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("existed %v: read after the lines: %v, want a timeout (no EOF)", existed, err)
		}
		r.Close()
		e.CloseFIFOs()
		if _, err := os.Stat(path); (err == nil) != existed {
			t.Errorf("existed %v: after stop, stat error %v", existed, err)
		}
	}
}
