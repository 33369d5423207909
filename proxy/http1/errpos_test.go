package http1

import (
	"errors"
	"testing"
)

// The error positions, parser states and message flags HAProxy 2.6.12
// printed in `show errors` for these requests and responses (measured
// with the real haproxy on 127.0.0.1; the differential test in
// internal/haproxycmd compares whole answers).
func TestErrorPositionsMatchHAProxy(t *testing.T) {
	cases := []struct {
		in    string
		resp  bool
		pos   int
		state MsgState
		flags uint32
	}{
		{"GET / HTTP/1.1\r\nHo\x01st: a\r\n\r\n", false, 18, StateHdrName, 0x1410},
		{"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", false, 1, StateRqMeth, 0x1400},
		{"G\x00T / HTTP/1.1\r\n\r\n", false, 1, StateRqMeth, 0x1400},
		{"GET / HTTP/1.x\r\nHost: a\r\n\r\n", false, 13, StateRqVer, 0x1400},
		{"GET / HTTP/1.1 \r\n\r\n", false, 14, StateRqVer, 0x1400},
		{"GET / hTTP/1.1\r\n\r\n", false, 6, StateRqVer, 0x1400},
		{"GET / HTTX/1.1\r\n\r\n", false, 6, StateData, 0x1410},
		{"GET / HTTP/11\r\n\r\n", false, 6, StateData, 0x1400},
		{"GET / HTTX/1.1\r\nContent-Length: 2\r\n\r\nab", false, 6, StateData, 0x1411},
		{"GET / HTTX/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false, 6, StateChunkSize, 0x11632},
		{"GET /\x01 HTTP/1.1\r\n\r\n", false, 5, StateRqURI, 0x1400},
		{"GET / HTTP/1.0\r\nContent-Length: x\r\n\r\n", false, 32, StateHdrL2LWS, 0x1400},
		{"GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", false, 32, StateHdrL2LWS, 0x1410},
		{"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", false, 51, StateHdrL2LWS, 0x1411},
		{"GET / HTTP/1.1\r\n: a\r\n\r\n", false, 16, StateHdrName, 0x1410},
		{"GET / HTTP/1.1\r\nHost a\r\n\r\n", false, 20, StateHdrName, 0x1410},
		{"GET / HTTP/1.1\r\n A: b\r\n\r\n", false, 16, StateHdrName, 0x1410},
		{"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Length: 0\r\nX\x7f: 1\r\n\r\n", false, 64, StateHdrName, 0x1431},
		{"GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", false, 43, StateData, 0x21610},
		{"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", false, 31, StateHdrL2LWS, 0x1410},
		{"GET http://a/ HTTP/1.1\r\nHost: b\r\n\r\n", false, 30, StateLastLF, 0x1410},
		{"GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", false, 21, StateHdrL2LF, 0x1410},
		{"HTTP/1.1 200 OK\r\nX-B\x01d: 1\r\nContent-Length: 0\r\n\r\n", true, 20, StateHdrName, 0x1414},
		{"HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n", true, 10, StateRpCode, 0x1414},
	}
	for _, c := range cases {
		buf := []byte(c.in)
		var err error
		if c.resp {
			var r Response
			err = r.Parse(buf)
		} else {
			var r Request
			err = r.Parse(buf)
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		st, fl, _ := Describe([]byte(c.in), e, c.resp, false)
		if e.Pos != c.pos || st != c.state || fl != c.flags {
			t.Errorf("%q: position %d state %v flags %#x, HAProxy %d %v %#x", c.in, e.Pos, st, fl, c.pos, c.state, c.flags)
		}
	}
}

// A chunk size refused in a body: the offset Reframe returns and the
// parser state, with the head's flags and XFER_LEN.
func TestChunkErrorMatchesHAProxy(t *testing.T) {
	for _, c := range []struct {
		in  string
		pos int
	}{
		{"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1z\r\n", 47},
		{"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n1;x\rz\r\n", 58},
	} {
		buf := []byte(c.in)
		var r Request
		if err := r.Parse(buf); err != nil {
			t.Fatal(err)
		}
		var d Dechunker
		n, err := d.Check(buf[r.HeadLen:])
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%q: %v", c.in, err)
		}
		e.Pos, e.State = r.HeadLen+n, d.State()
		st, fl, _ := Describe(buf, e, false, true)
		if e.Pos != c.pos || st != StateChunkSize || fl != 0x11712 {
			t.Errorf("%q: position %d state %v flags %#x", c.in, e.Pos, st, fl)
		}
	}
}

// Under accept-invalid-http-request HAProxy forwards these requests and
// captures them with the first byte it let through (measured).
func TestAcceptedErrorMatchesHAProxy(t *testing.T) {
	for _, c := range []struct {
		in    string
		pos   int
		state MsgState
		flags uint32
		clen  int64
	}{
		{"GET /\x80 HTTP/1.1\r\nBad Name: x\r\nHost: a\r\n\r\n", 5, StateDone, 0x1510, 0},
		{"GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", 6, StateDone, 0x1510, 0},
		{"GET /a HTTP/1.1\r\nBad Name: x\r\nHost: a\r\n\r\n", 20, StateDone, 0x1510, 0},
		{"POST /a HTTP/1.1\r\nBad Name: x\r\nContent-Length: 3\r\n\r\nabc", 21, StateData, 0x1511, 3},
		{"POST /a HTTP/1.1\r\nBad Name: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 21, StateChunkSize, 0x11712, 0},
		{"GET /a HTTP/1.1\r\nBad Name: x\r\nConnection: close\r\n\r\n", 20, StateDone, 0x1530, 0},
		{"GET /a HTTP/1.0\r\nBad Name: x\r\n\r\n", 20, StateDone, 0x1500, 0},
	} {
		r := Request{AcceptInvalid: true}
		if err := r.Parse([]byte(c.in)); err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		st, fl, clen := Describe([]byte(c.in), Accepted(r.LaxErrPos), false, false)
		if r.LaxErrPos != c.pos || st != c.state || fl != c.flags || clen != c.clen {
			t.Errorf("%q: position %d state %v flags %#x length %d, HAProxy %d %v %#x %d", c.in, r.LaxErrPos, st, fl, clen, c.pos, c.state, c.flags, c.clen)
		}
	}
	for _, c := range []struct {
		in    string
		state MsgState
		flags uint32
		clen  int64
	}{
		{"HTTP/1.1 200 OK\r\nBad Name: 1\r\nContent-Length: 2\r\n\r\nok", StateData, 0x1515, 2},
		{"HTTP/1.1 200 OK\r\nX-B\x01d: 1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", StateChunkSize, 0x11716, 0},
		{"HTTP/1.1 204 OK\r\nBad Name: 1\r\n\r\n", StateDone, 0x1514, 0},
	} {
		r := Response{AcceptInvalid: true}
		if err := r.Parse([]byte(c.in)); err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		st, fl, clen := Describe([]byte(c.in), Accepted(r.LaxErrPos), true, false)
		if r.LaxErrPos != 20 || st != c.state || fl != c.flags || clen != c.clen {
			t.Errorf("%q: position %d state %v flags %#x length %d, HAProxy 20 %v %#x %d", c.in, r.LaxErrPos, st, fl, clen, c.state, c.flags, c.clen)
		}
	}
	var r Request
	if r.Parse([]byte("GET /\x80 HTTP/1.1\r\nHost: a\r\n\r\n")); r.LaxErrPos != -1 {
		t.Errorf("without accept-invalid: LaxErrPos %d", r.LaxErrPos)
	}
}

// A head that fills the buffer is refused at its end, in the state
// HAProxy was in there (measured: a header value, flags of the lines
// before it).
func TestUnfinishedHeadState(t *testing.T) {
	buf := []byte("GET / HTTP/1.1\r\nX-Big: aaaaaaaa")
	e := Unfinished(buf, false)
	if st, fl, _ := Describe(buf, e, false, false); e.Pos != len(buf) || st != StateHdrVal || fl != 0x1410 {
		t.Errorf("position %d state %v flags %#x", e.Pos, st, fl)
	}
}
