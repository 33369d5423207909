package h2

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
)

// TestStreamArrivedPerRead: the streams whose HEADERS came in one write
// (one read) share one clock reading; a stream sent later has its own,
// taken after it was sent.
func TestStreamArrivedPerRead(t *testing.T) {
	var mu sync.Mutex
	arrived := map[uint32]time.Time{}
	handler := func(st *Stream) {
		mu.Lock()
		arrived[st.ID()] = st.Arrived()
		mu.Unlock()
		st.WriteHeaders(204, nil, true)
	}
	cl, _, _ := serveLoopback(t, Options{Handler: handler})
	get := block(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "x")
	var burst bytes.Buffer
	bf := http2.NewFramer(&burst, nil)
	bf.WriteSettings()
	for _, id := range []uint32{1, 3, 5} {
		bf.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: get, EndHeaders: true, EndStream: true})
	}
	start := time.Now()
	cl.Write(append([]byte(Preface), burst.Bytes()...)) // one segment: one read
	fr := http2.NewFramer(cl, cl)
	ended := func(n int) {
		for done := 0; done < n; {
			f, err := fr.ReadFrame()
			if err != nil {
				t.Fatal(err)
			}
			if h, ok := f.(*http2.HeadersFrame); ok && h.StreamEnded() {
				done++
			}
		}
	}
	ended(3)
	time.Sleep(20 * time.Millisecond)
	later := time.Now()
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 7, BlockFragment: get, EndHeaders: true, EndStream: true})
	ended(1)
	mu.Lock()
	defer mu.Unlock()
	a1 := arrived[1]
	if a1.Before(start) {
		t.Fatalf("stream 1 arrived %v before it was sent (%v)", a1, start)
	}
	if !arrived[3].Equal(a1) || !arrived[5].Equal(a1) {
		t.Fatalf("streams of one read arrived at %v, %v, %v: want one reading", a1, arrived[3], arrived[5])
	}
	if a7 := arrived[7]; a7.Before(later) {
		t.Fatalf("stream 7 arrived %v, before it was sent (%v)", a7, later)
	}
}
