package haproxycfg

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
)

// h2Streams sends the paths one after the other as GET streams of one
// HTTP/2 connection (each waited for) and returns, per stream, its
// status and body ("status body"), or how the exchange failed.
func h2Streams(addr string, paths ...string) []string {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return []string{err.Error()}
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fr := h2Start(c)
	var out []string
	for i, p := range paths {
		id := uint32(2*i + 1)
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, EndHeaders: true, EndStream: true,
			BlockFragment: h2Block(":method", "GET", ":scheme", "http", ":authority", "h", ":path", p)})
		status, data := "", bytes.Buffer{}
	read:
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				return append(out, "error: "+err.Error())
			}
			switch f := f.(type) {
			case *http2.SettingsFrame:
				if !f.IsAck() {
					fr.WriteSettingsAck()
				}
			case *http2.MetaHeadersFrame:
				if f.StreamID == id {
					status = f.PseudoValue("status")
					if f.StreamEnded() {
						break read
					}
				}
			case *http2.DataFrame:
				if f.StreamID == id {
					data.Write(f.Data())
					if f.StreamEnded() {
						break read
					}
				}
			case *http2.RSTStreamFrame:
				return append(out, "reset "+f.ErrCode.String())
			case *http2.GoAwayFrame:
				return append(out, "goaway "+f.ErrCode.String())
			}
		}
		out = append(out, status+" "+data.String())
	}
	return out
}

// TestH2SessVarsMatchHAProxy: the streams of an HTTP/2 connection share
// its session variables, as in HAProxy 2.6 — those the connection's
// tcp-request session rule set, and those each stream sets or unsets
// for the next — while txn and req variables stay the stream's. The
// streams' answers on two connections (the second starting again from
// the session rule's variable only) must be equal.
func TestH2SessVarsMatchHAProxy(t *testing.T) {
	cfg := `defaults
    mode http
    timeout connect 2s
    timeout client 3s
    timeout server 3s
frontend fe
    bind BIND proto h2
    tcp-request session set-var(sess.c) str(conn)
    http-request set-var(sess.n) var(sess.n),add(1) if { var(sess.n) -m found }
    http-request set-var(sess.n) int(1) unless { var(sess.n) -m found }
    http-request set-var(sess.s) path,field(3,/) if { path_beg /s/ }
    http-request set-var(txn.t) path,field(3,/) if { path_beg /t/ }
    http-request set-var(req.r) str(r) if { path_beg /t/ }
    http-request unset-var(sess.s) if { path /unset }
    http-request return status 200 content-type text/plain lf-string "n=%[var(sess.n)] c=%[var(sess.c)] s=%[var(sess.s)] t=%[var(txn.t)] r=%[var(req.r)]"
`
	ha, goha := startBoth(t, cfg)
	paths := []string{"/a", "/s/one", "/t/x", "/b", "/s/two", "/unset", "/t/y", "/c"}
	for round := 0; round < 2; round++ {
		want, got := h2Streams(ha, paths...), h2Streams(goha, paths...)
		if strings.Join(want, "\n") != strings.Join(got, "\n") {
			t.Errorf("round %d:\nhaproxy %q\ngoha    %q", round, want, got)
		}
		if round == 0 {
			all := strings.Join(want, "\n") + "\n"
			for _, w := range []string{"n=8 c=conn", "n=4 c=conn s=one t= r=\n", "n=6 c=conn s= "} {
				if !strings.Contains(all, w) {
					t.Errorf("haproxy's answers lack %q in %q", w, want)
				}
			}
		}
	}
}

// TestH2SessVarLimitsMatchHAProxy: tune.vars.sess-max-size bounds the
// session variables an HTTP/2 connection's streams share together with
// each stream's txn and req variables, as in HAProxy 2.6: a variable
// that cannot be created stays absent, a stream's txn and req variables
// are given back before the next stream starts (a stream right behind
// finds their room), an unset frees room for later streams. The
// streams' answers on two connections must be equal.
func TestH2SessVarLimitsMatchHAProxy(t *testing.T) {
	cfg := `global
    tune.vars.sess-max-size 420
defaults
    mode http
    timeout connect 2s
    timeout client 3s
    timeout server 3s
frontend fe
    bind BIND proto h2
    tcp-request session set-var(sess.c) str(conn)
    http-request set-var(sess.n) var(sess.n),add(1) if { var(sess.n) -m found }
    http-request set-var(sess.n) int(1) unless { var(sess.n) -m found }
    http-request set-var(sess.s) path,field(3,/) if { path_beg /s/ }
    http-request set-var(txn.t) path,field(3,/) if { path_beg /t/ }
    http-request set-var(req.r) str(r)
    http-request unset-var(sess.s) if { path /unset }
    http-request return status 200 content-type text/plain lf-string "n=%[var(sess.n)] c=%[var(sess.c)] s=%[var(sess.s)] t=%[var(txn.t)] r=%[var(req.r)]"
`
	ha, goha := startBoth(t, cfg)
	x := func(n int) string { return strings.Repeat("x", n) }
	// sess: c (84) and n (80) made; s, t and r made and filled per path
	paths := []string{"/a", "/s/" + x(50), "/t/" + x(40), "/t/" + x(41), "/s/" + x(120), "/t/" + x(1), "/unset", "/t/" + x(41), "/s/" + x(10)}
	for round := 0; round < 2; round++ {
		want, got := h2Streams(ha, paths...), h2Streams(goha, paths...)
		if strings.Join(want, "\n") != strings.Join(got, "\n") {
			t.Errorf("round %d:\nhaproxy %q\ngoha    %q", round, want, got)
		}
		if round == 0 {
			all := strings.Join(want, "\n") + "\n"
			// a req variable, then a txn one, refused for want of
			// room in the session
			for _, w := range []string{"n=9 c=conn", "t=" + x(40) + " r=\n", "n=5 c=conn s=" + x(120) + " t= r=\n"} {
				if !strings.Contains(all, w) {
					t.Errorf("haproxy's answers lack %q in %q", w, want)
				}
			}
		}
	}
}
