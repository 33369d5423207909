package http1

import (
	"errors"
	"fmt"
	"testing"
)

// FuzzParseHeadersMatchesOld feeds the same bytes to parseHeaders and to
// the parser it replaced (oldParseHeaders): the same fields at the same
// offsets, the same end, the same refusal (message, status, position,
// state) and the same buffer afterwards (obs-fold rewriting), strict and
// lax, with a few header limits.
func FuzzParseHeadersMatchesOld(f *testing.F) {
	for _, s := range []string{
		"Host: x\r\n\r\n",
		"Host: x\r\nUser-Agent: a b c d e f g h i j k\r\nConnection: keep-alive\r\n\r\n",
		"X: a\r\n b\r\n\r\n",
		"X: a\rb\r\n\r\n",
		"X: a\x00b\r\n\r\n",
		"X: \t a \t\r\n\r\n",
		"X:\n\n",
		"X Y: z\r\n\r\n",
		" X: y\r\n\r\n",
		": x\r\n\r\n",
		"X: a\r\r\n\r\n",
		"Connection: close\r\nConnection: keep-alive, close\r\nA: b\r\n\r\n",
		"X\x01: y\r\n\r\n",
		"X: y\r\n",
		"X: y\r\n\r",
		"\r\r\n",
		"X: 0123456789abcdef0123\r\n\r\n",
		"Content-Length: 3\r\nHost: a\r\ncontent-length: 3, 3\r\nHOST: A\r\nTransfer-Encoding: chunked\r\n\r\n",
		"Connection: keep-alive , Upgrade\r\nUpgrade: websocket\r\nHost: a\r\nHost: b\r\n\r\n",
	} {
		f.Add([]byte(s), uint8(0))
		f.Add([]byte(s), uint8(1))
		f.Add([]byte(s), uint8(6))
	}
	f.Fuzz(func(t *testing.T, in []byte, mode uint8) {
		lax := mode&1 != 0
		slots := headerSlots(int(mode>>1) % 8)
		checkSameHeaders(t, in, lax, slots)
	})
}

func checkSameHeaders(t *testing.T, in []byte, lax bool, slots int) {
	t.Helper()
	a, b := append([]byte(nil), in...), append([]byte(nil), in...)
	hsA, endA, errA := parseHeaders(a, 0, nil, lax, slots)
	hsB, endB, errB := oldParseHeaders(b, 0, nil, lax, slots)
	if got, want := headersResult(a, hsA, endA, errA), headersResult(b, hsB, endB, errB); got != want {
		t.Fatalf("%q lax=%v slots=%d:\n new %s\n old %s", in, lax, slots, got, want)
	}
	if string(a) != string(b) {
		t.Fatalf("%q lax=%v: buffers differ: new %q old %q", in, lax, a, b)
	}
	if errA != nil {
		return
	}
	for _, req := range []bool{false, true} {
		var fA, fB Framing
		outA, seen, errA := analyze(append([]Header(nil), hsA...), &fA, 1, req)
		outB, errB := oldAnalyze(append([]Header(nil), hsB...), &fB, 1, req)
		if errA == nil {
			if seen.hosts > 1 {
				outA, errA = mergeHosts(outA)
			}
			outB, errB = oldMergeHosts(outB)
			hosts, expect := 0, false
			for _, h := range hsB {
				hosts += boolInt(EqualFold(h.Name, "host"))
				expect = expect || EqualFold(h.Name, "expect")
			}
			if seen != (namesSeen{hosts, expect}) {
				t.Fatalf("%q: seen %+v, want %d hosts, expect %v", in, seen, hosts, expect)
			}
		}
		gotA, gotB := headersResult(a, outA, 0, errA), headersResult(b, outB, 0, errB)
		if gotA != gotB || fmt.Sprint(fA) != fmt.Sprint(fB) {
			t.Fatalf("%q: analyzed differently:\n new %s %+v\n old %s %+v", in, gotA, fA, gotB, fB)
		}
	}
	for _, h := range hsA {
		if OnlyHopTokens(h.Value) != oldOnlyHopTokens(h.Value) {
			t.Fatalf("OnlyHopTokens(%q) differs", h.Value)
		}
	}
}

// headersResult describes a parse by offsets into buf.
func headersResult(buf []byte, hs []Header, end int, err error) string {
	s := fmt.Sprintf("end %d", end)
	var e *Error
	switch {
	case err == nil:
	case errors.As(err, &e):
		pos := -1
		if e.at != nil {
			pos = cap(buf) - cap(e.at)
		}
		s += fmt.Sprintf(" err %q %d pos %d/%d state %v", e.Msg, e.Status, pos, e.Pos, e.State)
	default:
		s += " err " + err.Error()
	}
	for _, h := range hs {
		s += fmt.Sprintf(" [%d+%d %d+%d %d]", cap(buf)-cap(h.Name), len(h.Name), cap(buf)-cap(h.Value), len(h.Value), cap(h.Value)-len(h.Value))
	}
	return s
}

// TestParseHeadersMatchesOldShapes runs the comparison over every split
// of a few heads and each byte of them changed to a delimiter.
func TestParseHeadersMatchesOldShapes(t *testing.T) {
	heads := []string{
		string(typical[30:]),
		string(nginxHead[17:]),
		"X: a\r\n b\r\n\tc\r\nY:z\n\n",
		"Content-Length: 3, 3\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
	}
	for _, h := range heads {
		for n := 0; n <= len(h); n++ {
			for _, lax := range []bool{false, true} {
				checkSameHeaders(t, []byte(h[:n]), lax, headerSlots(0))
				checkSameHeaders(t, []byte(h[:n]), lax, 2)
				for _, c := range []byte{0, '\r', '\n', ' ', '\t', ':', 0x7f, 0xe9} {
					if n < len(h) {
						b := []byte(h)
						b[n] = c
						checkSameHeaders(t, b, lax, headerSlots(0))
					}
				}
			}
		}
	}
}

// TestCtlIndex compares ctlIndex with a byte loop at every offset of
// buffers holding each byte value around other control bytes.
func TestCtlIndex(t *testing.T) {
	for c := 0; c < 256; c++ {
		for _, pre := range []string{"", "\t", "a\x01\x0b\x0c\x0d", "abcdefgh\t\x7f\x80\xff"} {
			buf := []byte(pre + "xyz" + string(rune(0)) + "\t\t" + string([]byte{byte(c)}) + "abcdefghijk\x0e\x0f\x80")
			buf[len(pre)+3] = byte(c)
			for p := 0; p <= len(buf); p++ {
				want := -1
				for i := p; i < len(buf); i++ {
					if buf[i] == 0 || buf[i] == '\r' || buf[i] == '\n' {
						want = i
						break
					}
				}
				if got := ctlIndex(buf, p); got != want {
					t.Fatalf("ctlIndex(%q, %d) = %d, want %d", buf, p, got, want)
				}
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
