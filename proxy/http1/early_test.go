package http1

import (
	"bufio"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestEarlyError: the heads HAProxy 2.6.12 refused at once (measured, a
// 400 with %Ta 0) are refused at the byte it stopped at; those it waited
// for (a 408 at timeout http-request) are not.
func TestEarlyError(t *testing.T) {
	for _, c := range []struct {
		in    string
		pos   int // -1: no early refusal
		state MsgState
	}{
		{"GET / HTTP/1.1 ", 14, StateRqVer},
		{"GET / http/1.1", 6, StateRqVer},
		{"GET / HTTP/1.1\t", 14, StateRqVer},
		{"GET / HTTP/1.1\x00", 14, StateRqVer},
		{"GET / HTTP/1.1x", 14, StateRqVer},
		{"GET / HTTP/1.1\rX", 15, StateRqLineEnd},
		{"PROXY TCP4 1.2.3.4 ", 18, StateRqVer},
		{"G\x01", 1, StateRqMeth},
		{"GE\x7f", 2, StateRqMeth},
		{" GET", 0, StateRqMeth},
		{"GET /\x01", 5, StateRqURI},
		{"GET /\x7f", -1, 0}, // HAProxy: at once here, not in "GET /a\x7fb HTTP/1.1"
		{"GET /\xff", 5, StateRqURI},
		{"GET / HTTP/1.1\r\nHost ", 20, StateHdrName},
		{"GET / HTTP/1.1\r\nHo(st", 18, StateHdrName},
		{"GET / HTTP/1.1\r\nHost: a\rX", 24, StateHdrL2LF},
		{"GET / HTTP/1.1\r\nHost:\rX", 22, StateHdrL1LF},
		{"GET / HTTP/1.1\r\nHost: a\r\n\rX", 26, StateLastLF},
		{"GET / HTTP/1.1\r\n X", 16, StateHdrName},
		{"GET /\r", -1, 0},
		{"GET / HTTP/1.1\nHost: a\nX", -1, 0},
		{"GET / HTTP/1.1", -1, 0},
		{"GET / HTTP/1.10", -1, 0},
		{"GET / X", -1, 0},
		{"GET / HTTP/1.1\r", -1, 0},
		{"GET / HTTP/1.1\n", -1, 0},
		{"PROXY ", -1, 0},
		{"GET /", -1, 0},
		{"GET", -1, 0},
		{"GET /  HTTP/1.1", -1, 0},
		{"GET / HTTP/1.1\r\nHost", -1, 0},
		{"GET / HTTP/1.1\r\nHost: a", -1, 0},
		{"GET / HTTP/1.1\r\nHost: a\r", -1, 0},
		{"GET / HTTP/1.1\r\nX: a\r\n b", -1, 0},
		{"\r\nGET / HTTP/1.1\r\n", -1, 0},
	} {
		var r Request
		err := r.EarlyError([]byte(c.in))
		e, _ := err.(*Error)
		switch {
		case c.pos < 0 && err != nil:
			t.Errorf("%q: refused (%v at %d), want a wait", c.in, err, e.Pos)
		case c.pos >= 0 && e == nil:
			t.Errorf("%q: waited for, want a refusal at %d", c.in, c.pos)
		case c.pos >= 0 && (e.Pos != c.pos || e.State != c.state || e.Status != 400):
			t.Errorf("%q: refused at %d in %v (%d), want %d in %v", c.in, e.Pos, e.State, e.Status, c.pos, c.state)
		}
	}
	lax := Request{AcceptInvalid: true}
	if err := lax.EarlyError([]byte("GET /\xff")); err != nil {
		t.Errorf("accept-invalid: a byte above 127 in the target refused: %v", err)
	}
	if err := lax.EarlyError([]byte("GET / HTTP/1.1\r\nHo(st")); err != nil {
		t.Errorf("accept-invalid: a non-token name byte refused: %v", err)
	}
}

// TestEarlyErrorNeverRefusesAHead: no prefix of a head Parse accepts (the
// differential corpus's) is refused early, strict or not.
func TestEarlyErrorNeverRefusesAHead(t *testing.T) {
	f, err := os.Open("../../testdata/http1/requests.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	line := regexp.MustCompile(`^(\S+)\s+(.*)$`)
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil || strings.HasPrefix(m[1], "#") {
			continue
		}
		lit, err := strconv.QuotedPrefix(m[2])
		if err != nil {
			continue
		}
		raw, _ := strconv.Unquote(lit)
		for _, lax := range []bool{false, true} {
			r := Request{AcceptInvalid: lax}
			if r.Parse([]byte(raw)) != nil {
				continue
			}
			n++
			for i := 1; i < r.HeadLen; i++ {
				p := Request{AcceptInvalid: lax}
				if err := p.EarlyError([]byte(raw[:i])); err != nil {
					t.Errorf("%s (lax %v): prefix %q refused: %v", m[1], lax, raw[:i], err)
					break
				}
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d accepted heads in the corpus", n)
	}
}
