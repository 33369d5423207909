package haproxycmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// TestDefaultPathBesideHAProxy: a default-path that leaves relative paths
// at the working directory (origin naming it) runs, and a relative
// errorfile is served from there by HAProxy 2.6 and goha alike; one that
// moves them (config, with the configuration in another directory) makes
// HAProxy serve the configuration directory's file, which goha refuses
// to start with (it resolves relative paths from the working directory).
func TestDefaultPathBesideHAProxy(t *testing.T) {
	haproxyBin := testenv.LookPath(t, "haproxy")
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	cfg := func(dp, page string) (string, string) {
		fe := loopback.FreeAddr(t)
		return fe, `global
    default-path ` + dp + `
defaults
    mode http
    retries 0
    timeout connect 1s
    timeout client 2s
    timeout server 2s
frontend fe
    bind ` + fe + `
    errorfile 503 ` + page + `
    default_backend be
backend be
    server s1 ` + loopback.DeadAddr(t) + `
`
	}
	get := "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
	page := "../../testdata/haproxy/files/errors/503.http"
	var got []string
	for _, bin := range []string{haproxyBin, gohaproxy} {
		fe, c := cfg("origin "+cwd, page)
		startWithConfig(t, bin, c, fe)
		got = append(got, rawExchange(t, fe, get))
	}
	want, _ := os.ReadFile(page)
	if got[0] != got[1] || !strings.HasPrefix(got[0], strings.SplitN(string(want), "\r\n", 2)[0]) {
		t.Errorf("origin %s:\nhaproxy %q\ngoha    %q", cwd, got[0], got[1])
	}

	// default-path config, the page beside the configuration only
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "mine.http"), []byte("HTTP/1.0 503 Mine\r\ncontent-length: 5\r\n\r\nmine\n"), 0o644)
	fe, c := cfg("config", "mine.http")
	path := filepath.Join(dir, "h.cfg")
	os.WriteFile(path, []byte(c), 0o644)
	haproxytest.StartQuiet(t, haproxyBin, path)
	loopback.WaitListen(t, fe)
	if resp := rawExchange(t, fe, get); !strings.HasPrefix(resp, "HTTP/1.0 503 Mine") {
		t.Errorf("haproxy with default-path config: %q", resp)
	}
	stderr := &haproxytest.Buffer{}
	if _, _, ok := loadForRun(workerOptions{Files: []string{path}, Stderr: stderr, NoPidfile: true}, false); ok ||
		!strings.Contains(stderr.String(), "default-path config (relative paths from "+dir+"/") {
		t.Errorf("goha started with default-path config, or said:\n%s", stderr)
	}
}
