package haproxycmd

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/sink"
)

// debugConvConfig captures samples of every type with the debug
// converter, to buf0 (the default), stdout and stderr, with and without
// a prefix, in the middle of a chain too.
const debugConvConfig = sockHTTPHead + `frontend fe
    bind BIND
    http-request set-var(txn.a) path,debug
    http-request set-var(txn.b) path,debug(pfx)
    http-request set-var(txn.c) req.hdr(x),debug(p2,stdout)
    http-request set-var(txn.d) src,debug(ip,stderr)
    http-request set-var(txn.e) req.hdr(x),hex2i,debug(int)
    http-request set-var(txn.f) str(a),debug(,stdout)
    http-request set-var(txn.g) bin(00ff41),debug("bin x")
    http-request set-var(txn.h) always_true,debug(b)
    http-request set-var(txn.i) meth(GET),debug(m)
    http-request set-var(txn.j) method,debug(m2)
    http-request set-var(txn.k) src,ipmask(16),debug(v4)
    http-request set-var(txn.l) bin(4142),debug(b2,stderr)
    http-request return status 200 content-type text/plain lf-string "%[var(txn.c)]|%[path,debug(lf),upper]|%[var(txn.g),hex]|%[var(txn.e)]"
`

// TestDebugConverterMatchHAProxy: the debug converter passes its sample
// on unchanged and writes HAProxy 2.6's line for it: in buf0 as `show
// events buf0` lists it (the date aside), and on the standard output
// and error of a process not run quiet.
func TestDebugConverterMatchHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	type run struct {
		sock, bind     string
		stdout, stderr *haproxytest.Buffer
	}
	start := func(bin string) run {
		dir := t.TempDir()
		r := run{sock: filepath.Join(dir, "s.sock"), bind: loopback.FreeAddr(t), stdout: &haproxytest.Buffer{}, stderr: &haproxytest.Buffer{}}
		path := haproxytest.WriteConfig(t, strings.NewReplacer("SOCK", r.sock, "BIND", r.bind).Replace(debugConvConfig))
		if bin == gohaproxy {
			_, r.stderr = inProcess(t, path, false)
			sink.SetFDs(r.stdout, r.stderr) // this process's stdout is the test's
		} else {
			cmd := exec.Command(bin, "-db", "-f", path) // not quiet: -q silences stdout and stderr
			cmd.Stdout, cmd.Stderr = r.stdout, r.stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		}
		loopback.WaitListen(t, r.bind)
		return r
	}
	ha, goha := start(hp), start(gohaproxy)
	reqs := []string{
		"GET /p%41th?x=1 HTTP/1.1\r\nHost: h\r\nX: 1f\r\nConnection: close\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nX: a\x01\xc3\xa9\r\nConnection: close\r\n\r\n",
		"GET /n HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
	}
	for _, r := range reqs {
		if w, g := sendRaw(t, ha.bind, r), sendRaw(t, goha.bind, r); w != g {
			t.Errorf("%q\nhaproxy %q\n   goha %q", r, w, g)
		}
	}
	timed := regexp.MustCompile(`(?m)^<0>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d `)
	events := func(r run) string {
		out := haproxytest.StatsCmd(t, r.sock, "show events buf0")
		if n, lines := len(timed.FindAllString(out, -1)), strings.Count(out, "\n")-1; n != lines {
			t.Errorf("%d of %d lines timed: %q", n, lines, out)
		}
		return timed.ReplaceAllString(out, "<0>DATE ")
	}
	debugLines := func(b *haproxytest.Buffer) string {
		var out []string
		for _, l := range strings.SplitAfter(b.String(), "\n") {
			if strings.HasPrefix(l, "[debug]") {
				out = append(out, l)
			}
		}
		return strings.Join(out, "")
	}
	w, g := events(ha), events(goha)
	t.Logf("haproxy buf0:\n%s", w)
	if w != g {
		t.Errorf("show events buf0\nhaproxy %q\n   goha %q", w, g)
	}
	for name, f := range map[string]func(run) *haproxytest.Buffer{"stdout": func(r run) *haproxytest.Buffer { return r.stdout },
		"stderr": func(r run) *haproxytest.Buffer { return r.stderr }} {
		w, g := debugLines(f(ha)), debugLines(f(goha))
		t.Logf("haproxy %s:\n%s", name, w)
		if w != g || w == "" {
			t.Errorf("%s\nhaproxy %q\n   goha %q", name, w, g)
		}
	}
}
