package keepalived

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzLint runs pre-pass, grammar, keyword walker and typer over arbitrary
// input: it must never panic, and its verdict must be one of keepalived's.
func FuzzLint(f *testing.F) {
	for _, glob := range []string{"../../testdata/keepalived/*.conf", "../../testdata/seed/keepalived*.conf"} {
		files, _ := filepath.Glob(glob)
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("$A=$B\n$B=${A}x\n$A\n~SEQ(i,1,3) ~SEQ(j,1,2) x $i $j\n@ x\n@^\n{\n}}}\n\"\n"))
	f.Add([]byte("vrrp_instance V {\nvirtual_ipaddress {\n1.2.3.4/99 dev\n}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		// includes would read the file system: keep them out of the fuzzer
		if strings.Contains(string(data), "include") {
			return
		}
		done := make(chan *Result, 1)
		go func() {
			done <- Lint(Options{File: "fuzz.conf", Data: data, Interfaces: []string{"lo", "eth0"},
				FileMode: func(string) (fs.FileMode, bool) { return 0o755, true }, UserExists: func(string) bool { return false }})
		}()
		var r *Result
		select {
		case r = <-done:
		case <-time.After(20 * time.Second):
			// not a speed assertion: a lint that has not finished by now is looping
			t.Fatalf("lint does not terminate on %q", data)
		}
		switch r.ExitCode {
		case 0, 2, 4, 5, 6:
		default:
			t.Fatalf("exit code %d", r.ExitCode)
		}
		_ = Format(r.Diagnostics)
	})
}
