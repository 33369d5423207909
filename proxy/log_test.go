package proxy

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

type logSink struct {
	mu    sync.Mutex
	lines []string
}

// add keeps a summary string: entries and their slices are not retained.
func (l *logSink) add(e *LogEntry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %s/%s %d %s rc=%d %s %s tcp=%v null=%v",
		e.Frontend, e.Backend, e.Server, e.Status, e.Term[:], e.Retries, e.Method, e.Target, e.TCP, e.NullConn))
}

func (l *logSink) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

func startLoggedProxy(t *testing.T, cfg *Config) (*logSink, string, func()) {
	var sink logSink
	p, err := New(cfg, Options{NewBalancer: newTestBalancer, Log: sink.add})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	stop := func() { p.Shutdown(context.Background()) }
	t.Cleanup(stop)
	return &sink, p.Addrs()[0].String(), stop
}

func TestLogEntries(t *testing.T) {
	web := textBackend(t, "ok")
	cfg := seedConfig(web.addr)
	cfg.Frontends[0].Timeouts.HTTPRequest = 200 * time.Millisecond
	sink, addr, stop := startLoggedProxy(t, cfg)
	rawExchange(t, addr, "GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 2*time.Second)
	rawExchange(t, addr, "GET / HTTP/1.1\r\nX A: b\r\n\r\n", 2*time.Second)
	rawExchange(t, addr, "GET / HTTP/1.1\r\n", 2*time.Second)
	stop()

	dead := seedConfig(loopback.DeadAddr(t))
	dsink, daddr, dstop := startLoggedProxy(t, dead)
	rawExchange(t, daddr, "GET /y HTTP/1.1\r\nHost: a\r\n\r\n", 2*time.Second)
	dstop()

	tcp := tcpConfig(echoHalfClose(t))
	tsink, taddr, tstop := startLoggedProxy(t, tcp)
	rawExchange(t, taddr, "", 300*time.Millisecond)
	tstop()

	deadTCP := tcpConfig(loopback.DeadAddr(t))
	deadTCP.Backends[0].Timeouts.Connect = 50 * time.Millisecond // turn-around waits between the retries
	dtsink, dtaddr, dtstop := startLoggedProxy(t, deadTCP)
	rawExchange(t, dtaddr, "", 2*time.Second)
	dtstop()

	want := []string{
		"main servers/web1 200 -- rc=0 GET /x tcp=false null=false",
		"main / 400 PR rc=0   tcp=false null=false",
		"main / 408 cR rc=0   tcp=false null=false",
	}
	got := append(sink.get(), dsink.get()...)
	// A failed connect names the server, as HAProxy 2.6 logs it
	// ("main servers/web1 0/0/-1/-1/3006 503 217 - - SC-- ...").
	want = append(want, "main servers/web1 503 SC rc=3 GET /y tcp=false null=false")
	got = append(got, tsink.get()...)
	want = append(want, "ft bt/s1 0 -- rc=0   tcp=true null=true")
	got = append(got, dtsink.get()...)
	want = append(want, "ft bt/s1 0 SC rc=3   tcp=true null=true")
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("log entries\n got %q\nwant %q", got, want)
	}
}
