package haproxycfg

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// The HTTP/1.1 differential corpus (testdata/http1, format in its README):
// every raw request goes to gohaproxy and to HAProxy 2.6 running the same
// configuration, each in front of its own recording backend; both must
// answer the client with the same bytes and put the same bytes on the
// backend's wire. Every raw response is served by the recording backend to
// a plain GET through both proxies; the client must receive the same
// bytes. Nothing is normalised: the configuration adds no header that
// differs between the two (no forwardfor, no Date), and both write their
// error pages identically. A case marked "~" is a deliberate divergence:
// goha must answer it with the given statuses and forward nothing, and
// HAProxy's different answer is only logged.

const corpusLanes = 6 // cases run in parallel, one frontend/backend pair each

type corpusCase struct {
	name    string
	raw     []byte
	diverge []int // "~": the statuses goha must answer, nothing forwarded
	why     string
}

var caseLine = regexp.MustCompile(`^(\S+)\s+(.*)$`)

func loadCorpus(t *testing.T, file string) []corpusCase {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusCase
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for ln := 1; sc.Scan(); ln++ {
		l := sc.Text()
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			continue
		}
		m := caseLine.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("%s:%d: no case", file, ln)
		}
		lit, err := strconv.QuotedPrefix(m[2])
		if err != nil {
			t.Fatalf("%s:%d: %v", file, ln, err)
		}
		raw, _ := strconv.Unquote(lit)
		c := corpusCase{name: m[1], raw: []byte(expandRepeat(raw))}
		if rest := strings.TrimSpace(m[2][len(lit):]); rest != "" {
			var statuses string
			if _, err := fmt.Sscanf(rest, "~ %s", &statuses); err != nil {
				t.Fatalf("%s:%d: trailing %q", file, ln, rest)
			}
			for _, s := range strings.Split(statuses, ",") {
				n, err := strconv.Atoi(s)
				if err != nil {
					t.Fatalf("%s:%d: status %q", file, ln, s)
				}
				c.diverge = append(c.diverge, n)
			}
			c.why = strings.TrimSpace(rest[strings.Index(rest, statuses)+len(statuses):])
		}
		out = append(out, c)
	}
	return out
}

// expandRepeat turns "{N*x}" into x repeated N times: oversized parts
// stay readable in the corpus.
func expandRepeat(s string) string {
	re := regexp.MustCompile(`\{(\d+)\*(.)\}`)
	return re.ReplaceAllStringFunc(s, func(m string) string {
		sub := re.FindStringSubmatch(m)
		n, _ := strconv.Atoi(sub[1])
		return strings.Repeat(sub[2], n)
	})
}

// recorder is a raw backend: it records every byte it receives and
// answers each request it can frame (difftest.SplitMessages) with
// answer; a request it cannot frame gets no answer and its connection
// is closed.
type recorder struct {
	ln     net.Listener
	mu     sync.Mutex
	got    bytes.Buffer
	answer []byte
	closes bool // close the connection after each answer (responses)
	// split counts the whole messages at the start of what was received
	// and returns the rest; a non-nil err ends the connection.
	split func(b []byte) (n int, rest []byte, err error)
}

// startRecorder frames what it receives as a strict HTTP/1.1 server does.
func startRecorder(t *testing.T) *recorder {
	return newRecorder(t, func(b []byte) (int, []byte, error) {
		msgs, rest, err := difftest.SplitMessages(b, false)
		if errors.Is(err, difftest.ErrShort) {
			err = nil
		}
		return len(msgs), rest, err
	})
}

func newRecorder(t *testing.T, split func([]byte) (int, []byte, error)) *recorder {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{ln: ln, answer: []byte("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"), split: split}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go r.serve(c)
		}
	}()
	return r
}

func (r *recorder) serve(c net.Conn) {
	defer c.Close()
	var pending []byte
	buf := make([]byte, 64<<10)
	for {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := c.Read(buf)
		r.mu.Lock()
		r.got.Write(buf[:n])
		answer, closes := r.answer, r.closes
		r.mu.Unlock()
		pending = append(pending, buf[:n]...)
		msgs, rest, perr := r.split(pending)
		pending = rest
		for range msgs {
			if _, werr := c.Write(answer); werr != nil {
				return
			}
			if closes {
				time.Sleep(50 * time.Millisecond)
				return
			}
		}
		if err != nil || perr != nil {
			return
		}
	}
}

func (r *recorder) reset(answer []byte, closes bool) {
	r.mu.Lock()
	r.got.Reset()
	if answer != nil {
		r.answer = answer
	}
	r.closes = closes
	r.mu.Unlock()
}

func (r *recorder) bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]byte(nil), r.got.Bytes()...)
}

// corpusConfig has one frontend per lane, each with the deny rules the
// smuggling cases try to get past.
func corpusConfig(binds []string, recs []*recorder) string {
	var b strings.Builder
	b.WriteString(`defaults
    mode http
    timeout connect 2s
    timeout client 3s
    timeout server 3s
    timeout http-request 2s
`)
	for i := range binds {
		fmt.Fprintf(&b, `frontend fe%d
    bind %s
    http-request deny if { path_beg /admin }
    http-request deny if { path_end .bak }
    http-request deny if { hdr(x-role) -i admin }
    http-request deny if { hdr(host) -i forbidden.example }
    default_backend be%d
backend be%d
    server s %s
`, i, binds[i], i, i, recs[i].ln.Addr())
	}
	return b.String()
}

type corpusSide struct {
	binds []string
	recs  []*recorder
}

// newCorpusSides gives HAProxy's side and goha's lanes recorders (started
// by start) and free bind addresses. Recorders come first: one listening
// on :0 could otherwise be given a port FreePort just released for a bind.
func newCorpusSides(t *testing.T, lanes int, start func(*testing.T) *recorder) (ha, goha corpusSide) {
	for _, s := range []*corpusSide{&ha, &goha} {
		for range lanes {
			s.recs = append(s.recs, start(t))
		}
	}
	for _, s := range []*corpusSide{&ha, &goha} {
		for range lanes {
			s.binds = append(s.binds, loopback.FreeAddr(t))
		}
	}
	return ha, goha
}

func startCorpusSides(t *testing.T) (ha, goha corpusSide) {
	testenv.LookPath(t, "haproxy")
	ha, goha = newCorpusSides(t, corpusLanes, startRecorder)
	difftest.StartHAProxy(t, corpusConfig(ha.binds, ha.recs), ha.binds[0])
	runPlan(t, corpusConfig(goha.binds, goha.recs))
	return ha, goha
}

// outcome is what one case produced on one side.
type outcome struct {
	client   []byte
	backend  []byte
	statuses []int
}

var statusLine = regexp.MustCompile(`(?m)^HTTP/1\.[01] (\d{3}) `)

func run1(addr string, rec *recorder, raw, answer []byte, closes bool) outcome {
	rec.reset(answer, closes)
	// The request is sent once: resending it after a slow first answer
	// let the first copy reach the recorder after the reset, so a loaded
	// machine saw it forwarded twice. The first byte may take up to
	// 2.5 s: beyond "timeout http-request 2s" (a 408 arrives), short of
	// "timeout server 3s" (a request the recorder cannot frame is
	// compared on what came before the 504, as before); after it, 250 ms
	// of silence ends the answer.
	client := exchangeFirst(addr, raw, 2500*time.Millisecond, 250*time.Millisecond)
	time.Sleep(20 * time.Millisecond) // let the recorder take the last bytes
	o := outcome{client: client, backend: rec.bytes()}
	for _, m := range statusLine.FindAllSubmatch(client, -1) {
		n, _ := strconv.Atoi(string(m[1]))
		o.statuses = append(o.statuses, n)
	}
	return o
}

// exchangeFirst sends raw on a new connection to addr and returns what
// comes back until the peer closes, or until nothing more comes for idle
// once something came (first bounds the wait for the first byte).
func exchangeFirst(addr string, raw []byte, first, idle time.Duration) []byte {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return nil
	}
	defer c.Close()
	if _, err := c.Write(raw); err != nil {
		return nil
	}
	var out bytes.Buffer
	buf := make([]byte, 8192)
	for {
		wait := first
		if out.Len() > 0 {
			wait = idle
		}
		c.SetReadDeadline(time.Now().Add(wait))
		n, err := c.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			return out.Bytes()
		}
	}
}

// runCorpus runs every case on both sides, lanes in parallel; request
// builds what is sent and the backend's answer for a case.
func runCorpus(t *testing.T, cases []corpusCase, responses bool, request func(c corpusCase) (raw, answer []byte, closes bool)) {
	ha, goha := startCorpusSides(t)
	runCorpusOn(t, ha, goha, cases, responses, request)
}

// runCorpusOn is runCorpus on sides already started (corpusLanes each).
func runCorpusOn(t *testing.T, ha, goha corpusSide, cases []corpusCase, responses bool, request func(c corpusCase) (raw, answer []byte, closes bool)) {
	type result struct{ ha, goha outcome }
	results := make([]result, len(cases))
	var wg sync.WaitGroup
	for lane := range corpusLanes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lane; i < len(cases); i += corpusLanes {
				raw, answer, closes := request(cases[i])
				var inner sync.WaitGroup
				inner.Add(1)
				go func() {
					defer inner.Done()
					results[i].ha = run1(ha.binds[lane], ha.recs[lane], raw, answer, closes)
				}()
				results[i].goha = run1(goha.binds[lane], goha.recs[lane], raw, answer, closes)
				inner.Wait()
			}
		}()
	}
	wg.Wait()
	same := 0
	for i, c := range cases {
		h, g := results[i].ha, results[i].goha
		if c.diverge != nil {
			refused := !responses // a refused request reaches no backend
			for _, st := range c.diverge {
				refused = refused && st >= 400
			}
			if fmt.Sprint(g.statuses) != fmt.Sprint(c.diverge) || (refused && len(g.backend) > 0) {
				t.Errorf("%s (deliberate divergence: %s): goha answered %v and forwarded %q, want %v", c.name, c.why, g.statuses, g.backend, c.diverge)
			}
			t.Logf("%s: diverges as documented (%s): haproxy %v, goha %v", c.name, c.why, h.statuses, g.statuses)
			continue
		}
		if !bytes.Equal(h.client, g.client) || !bytes.Equal(h.backend, g.backend) {
			t.Errorf("%s: %q\n haproxy answered %q\n    goha answered %q\n haproxy forwarded %q\n    goha forwarded %q", c.name, c.raw, h.client, g.client, h.backend, g.backend)
			continue
		}
		same++
	}
	t.Logf("%d of %d cases: same answer and same backend bytes", same, len(cases))
}

// TestHTTP1RequestCorpus: at least 200 raw requests.
func TestHTTP1RequestCorpus(t *testing.T) {
	t.Parallel() // its own daemons and servers; it waits more than it computes
	cases := loadCorpus(t, "../../testdata/http1/requests.txt")
	if len(cases) < 200 {
		t.Fatalf("corpus holds %d requests, want >= 200", len(cases))
	}
	runCorpus(t, cases, false, func(c corpusCase) ([]byte, []byte, bool) { return c.raw, nil, false })
}

// TestHTTP1ResponseCorpus: at least 50 raw responses, each served to
// "GET /r" (or to HEAD when the case name says so).
func TestHTTP1ResponseCorpus(t *testing.T) {
	t.Parallel()
	cases := loadCorpus(t, "../../testdata/http1/responses.txt")
	if len(cases) < 50 {
		t.Fatalf("corpus holds %d responses, want >= 50", len(cases))
	}
	runCorpus(t, cases, true, func(c corpusCase) ([]byte, []byte, bool) {
		method := "GET"
		if strings.HasPrefix(c.name, "head-") {
			method = "HEAD"
		}
		return []byte(method + " /r HTTP/1.1\r\nHost: t\r\n\r\n"), c.raw, true
	})
}
