package h2

import (
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// TestKillConnServesNoLaterStream: a stream whose handler kills the
// connection (a backend's tcp-request content reject) is reset, and a
// stream the client opens as soon as it reads that RST_STREAM is never
// served: the connection takes no new stream from the reset on, as
// HAProxy's mux, in error from then, serves none (the client retries it
// on a new connection). Rounds on fresh connections, bounded: the
// stream came in before the GOAWAY's flag was set in some of them when
// the flag followed the reset.
func TestKillConnServesNoLaterStream(t *testing.T) {
	get := block(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "x")
	var served atomic.Int32
	for round := range 200 {
		cl, _, _ := serveLoopback(t, Options{Handler: func(st *Stream) {
			if st.ID() == 1 {
				st.KillConn(http2.ErrCodeEnhanceYourCalm)
				return
			}
			served.Add(1)
			echo(st)
		}})
		fr := http2.NewFramer(cl, cl)
		fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
		cl.Write([]byte(Preface))
		fr.WriteSettings()
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: get, EndStream: true, EndHeaders: true})
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				t.Fatalf("round %d: %v before the RST_STREAM", round, err)
			}
			if rst, ok := f.(*http2.RSTStreamFrame); ok && rst.StreamID == 1 {
				fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: get, EndStream: true, EndHeaders: true})
				break
			}
		}
		for {
			if _, err := fr.ReadFrame(); err != nil {
				break // the connection's end
			}
		}
		cl.Close()
	}
	time.Sleep(50 * time.Millisecond)
	if n := served.Load(); n != 0 {
		t.Errorf("%d streams opened after the reset were served", n)
	}
}
