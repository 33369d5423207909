package proxy

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/http1"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// FuzzForwarded sends arbitrary bytes to an in-process proxy in front of a
// recording backend and checks what reached the backend against an
// independent, strict reading of it (difftest.SplitMessages: CRLF only,
// one Content-Length or exactly "chunked"):
//
//   - the bytes the backend received parse completely, as whole messages
//     (the last may be unfinished when the input ends inside a body);
//   - there are exactly as many of them as transactions the proxy logged
//     as forwarded to the server, with the same method and target;
//   - none of them carries what the deny rules refuse (a path under
//     /admin, any X-Role value "admin" in any occurrence or list element):
//     the rules saw every byte the backend reads.
//
// Seeds: every request of testdata/http1/requests.txt, plus
// testdata/fuzz/FuzzForwarded.
func FuzzForwarded(f *testing.F) {
	for _, raw := range corpusRequests(f) {
		f.Add(raw)
	}
	rec := startRecording(f)
	cfg := seedConfig(rec.addr())
	cfg.Frontends[0].RequestRules = []HeaderRule{
		{Action: Deny, Cond: denyAdminPath{}},
		{Action: Deny, Cond: denyAdminRole{}},
	}
	cfg.Backends[0].Timeouts.Server = 500 * time.Millisecond
	var mu sync.Mutex
	var logged []LogEntry
	p, err := New(cfg, Options{NewBalancer: newTestBalancer, Log: func(e *LogEntry) {
		mu.Lock()
		c := *e
		c.Method, c.Target = bytes.Clone(e.Method), bytes.Clone(e.Target)
		logged = append(logged, c)
		mu.Unlock()
	}})
	if err != nil {
		f.Fatal(err)
	}
	if err := p.Start(); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { p.Shutdown(f.Context()) })
	addr := p.Addrs()[0].String()

	f.Fuzz(func(t *testing.T, in []byte) {
		mu.Lock()
		logged = logged[:0]
		mu.Unlock()
		rec.reset()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write(in)
		c.(*net.TCPConn).CloseWrite() // no more requests: the session ends after the last
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		var sink [4096]byte
		for {
			if _, err := c.Read(sink[:]); err != nil {
				break
			}
		}
		c.Close()
		// The log entry of the last transaction is written before the
		// client connection closes.
		rec.quiet(t)
		got := rec.bytes()
		mu.Lock()
		entries := append([]LogEntry(nil), logged...)
		mu.Unlock()

		msgs, rest, perr := difftest.SplitMessages(got, false)
		if errors.Is(perr, difftest.ErrShort) {
			// The client stopped inside a body: what was forwarded of
			// it is an unfinished message, with a whole head.
			head, _, ok := bytes.Cut(rest, []byte("\r\n\r\n"))
			if !ok {
				t.Fatalf("backend received a partial head %q\nsent %q", rest, in)
			}
			msgs = append(msgs, difftest.RefMessage{Raw: rest, Lines: bytes.Split(head, []byte("\r\n"))})
		} else if perr != nil {
			t.Fatalf("backend received bytes a strict parser refuses (%v): %q\nsent %q", perr, rest, in)
		}
		var fwd []LogEntry
		for _, e := range entries {
			if e.Server != "" {
				fwd = append(fwd, e)
			}
		}
		if len(msgs) != len(fwd) {
			t.Fatalf("backend received %d requests, proxy logged %d forwarded\nsent %q\nbackend %q", len(msgs), len(fwd), in, got)
		}
		for i, m := range msgs {
			method, target, _ := strings.Cut(string(m.Lines[0]), " ")
			target, _, _ = strings.Cut(target, " ")
			if e := fwd[i]; string(e.Method) != method || string(e.Target) != target {
				t.Fatalf("request %d: backend read %s %s, proxy logged %s %s", i, method, target, e.Method, e.Target)
			}
			if strings.HasPrefix(pathOfTarget(target), "/admin") {
				t.Fatalf("denied path reached the backend: %q\nsent %q", m.Raw, in)
			}
			for _, l := range m.Lines[1:] {
				name, val, _ := strings.Cut(string(l), ":")
				if !strings.EqualFold(name, "x-role") {
					continue
				}
				for _, v := range strings.Split(val, ",") {
					if strings.EqualFold(strings.Trim(v, " \t"), "admin") {
						t.Fatalf("denied X-Role reached the backend: %q\nsent %q", m.Raw, in)
					}
				}
			}
		}
	})
}

// denyAdminPath is `deny if { path_beg /admin }`.
type denyAdminPath struct{}

func (denyAdminPath) Match(r *RequestInfo) bool {
	return strings.HasPrefix(pathOfTarget(string(r.Target)), "/admin")
}

// denyAdminRole is `deny if { hdr(x-role) -i admin }`: every occurrence,
// every comma-separated value.
type denyAdminRole struct{}

func (denyAdminRole) Match(r *RequestInfo) bool {
	for _, h := range r.Headers() {
		if !http1.EqualFold(h.Name, "x-role") {
			continue
		}
		for _, v := range strings.Split(string(h.Value), ",") {
			if strings.EqualFold(strings.Trim(v, " \t"), "admin") {
				return true
			}
		}
	}
	return false
}

// pathOfTarget is HAProxy's path: no query, no scheme and authority.
func pathOfTarget(t string) string {
	if i := strings.Index(t, "://"); i > 0 && !strings.HasPrefix(t, "/") {
		if j := strings.IndexByte(t[i+3:], '/'); j >= 0 {
			t = t[i+3+j:]
		} else {
			t = "/"
		}
	}
	t, _, _ = strings.Cut(t, "?")
	return t
}

// corpusRequests reads the raw requests of the differential corpus.
func corpusRequests(tb testing.TB) [][]byte {
	f, err := os.Open("../testdata/http1/requests.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		l := sc.Text()
		_, rest, ok := strings.Cut(l, " ")
		if !ok || strings.HasPrefix(l, "#") {
			continue
		}
		lit, err := strconv.QuotedPrefix(rest)
		if err != nil {
			continue
		}
		s, _ := strconv.Unquote(lit)
		out = append(out, []byte(expandRuns(s)))
	}
	return out
}

// expandRuns expands the corpus's "{N*c}" runs.
func expandRuns(s string) string {
	for {
		i := strings.Index(s, "{")
		if i < 0 {
			return s
		}
		j := strings.Index(s[i:], "*")
		k := strings.Index(s[i:], "}")
		n, err := strconv.Atoi(s[i+1 : i+max(j, 1)])
		if j < 0 || k != j+2 || err != nil {
			return s[:i+1] + expandRuns(s[i+1:])
		}
		s = s[:i] + strings.Repeat(string(s[i+j+1]), n) + s[i+k+1:]
	}
}

// recording is a raw backend that records every byte and answers each
// request it can frame strictly; bytes it cannot frame get no answer.
type recording struct {
	ln     net.Listener
	mu     sync.Mutex
	got    bytes.Buffer
	active int // connections open
}

func startRecording(tb testing.TB) *recording {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	r := &recording{ln: ln}
	tb.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r.mu.Lock()
			r.active++
			r.mu.Unlock()
			go r.serve(c)
		}
	}()
	return r
}

// quiet waits until the proxy has closed every connection to the backend
// (with http-server-close it closes each after its transaction): all the
// bytes it forwarded are recorded then.
func (r *recording) quiet(tb testing.TB) {
	calm := 0 // consecutive polls with nothing open: an accept may lag
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(time.Millisecond) {
		r.mu.Lock()
		n := r.active
		r.mu.Unlock()
		if calm++; n != 0 {
			calm = 0
		}
		if calm == 3 {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%d backend connections still open", n)
		}
	}
}

func (r *recording) addr() string { return r.ln.Addr().String() }

func (r *recording) serve(c net.Conn) {
	defer func() {
		c.Close()
		r.mu.Lock()
		r.active--
		r.mu.Unlock()
	}()
	var pending []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := c.Read(buf)
		r.mu.Lock()
		r.got.Write(buf[:n])
		r.mu.Unlock()
		pending = append(pending, buf[:n]...)
		msgs, rest, perr := difftest.SplitMessages(pending, false)
		pending = rest
		for range msgs {
			if _, werr := c.Write([]byte("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")); werr != nil {
				return
			}
		}
		if err != nil || (perr != nil && !errors.Is(perr, difftest.ErrShort)) {
			return
		}
	}
}

func (r *recording) reset() {
	r.mu.Lock()
	r.got.Reset()
	r.mu.Unlock()
}

func (r *recording) bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return bytes.Clone(r.got.Bytes())
}
