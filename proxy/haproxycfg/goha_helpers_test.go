package haproxycfg

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/logfmt"
)

// gohaRun starts goha on cfg in this process, as gohaproxy does. The
// parser must accept cfg; a Build notice fails the test unless the class
// table makes its line inert (a differential
// test runs the whole configuration: a line goha would refuse at start
// must not be dropped silently), and so does, with strictParser, a
// parser diagnostic of goha's own. opts, when set, makes the proxy's
// options (its log callback) from the plan. The proxy is shut down when
// the test ends.
func gohaRun(t testing.TB, cfg string, strictParser bool, opts func(*Plan) proxy.Options) (*Plan, *proxy.Proxy) {
	t.Helper()
	res := haproxy.CheckBytes("goha.cfg", []byte(cfg), nil)
	if res.Exit != 0 {
		t.Fatalf("config exit %d: %+v", res.Exit, res.Diags.List)
	}
	for _, d := range res.Diags.List {
		if strictParser && d.Goha && !strings.Contains(d.Text, "'expose-experimental-directives'") { // it only unlocks keywords
			t.Errorf("parser: %s", d.Text)
		}
	}
	plan := Build(res.Config)
	for _, d := range plan.Notices.List {
		// an inert line (a warning at -c, the class table) runs as goha
		// runs it; any other notice is a line goha refuses
		r := haproxy.Result{Config: res.Config, Diags: haproxy.Diagnostics{List: []haproxy.Diagnostic{d}}}
		if haproxy.ApplyPolicy(&r, false) {
			t.Errorf("notice: %s", d.Text)
		}
	}
	var o proxy.Options
	if opts != nil {
		o = opts(plan)
	}
	px, err := proxy.New(plan.Proxy, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := px.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { px.Shutdown(t.Context()) })
	return plan, px
}

// startAnswering is a server answering answer to each request head it
// reads, on kept-alive connections (bodies are not read).
func startAnswering(tb testing.TB, answer []byte) string {
	return loopback.ServeEach(tb, loopback.Listen(tb), func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			line, err := br.ReadSlice('\n')
			if err != nil {
				return
			}
			if len(line) <= 2 {
				if _, err := c.Write(answer); err != nil {
					return
				}
			}
		}
	})
}

// customFormats compiles the log-format of each frontend of plan that
// has one.
func customFormats(t *testing.T, plan *Plan) map[string]*logfmt.Format {
	t.Helper()
	formats := map[string]*logfmt.Format{}
	for name, spec := range plan.Logs {
		if spec.Custom != "" {
			f, err := logfmt.CompileFor(spec.Custom, true)
			if err != nil {
				t.Fatal(err)
			}
			formats[name] = f
		}
	}
	return formats
}

// lineLog gathers lines from any goroutine.
type lineLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *lineLog) add(line string) {
	l.mu.Lock()
	l.lines = append(l.lines, line)
	l.mu.Unlock()
}

// take gives the lines added since its last call, after 100 ms for the
// last ones to come.
func (l *lineLog) take() []string {
	time.Sleep(100 * time.Millisecond)
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.lines
	l.lines = nil
	return out
}

// serveHTTP serves h on a free loopback address until the test ends and
// returns the address.
func serveHTTP(t testing.TB, h http.HandlerFunc) string {
	t.Helper()
	ln := loopback.Listen(t)
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}
