package h2

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// namedAborter records its Abort calls.
type namedAborter struct {
	name string
	mu   *sync.Mutex
	ev   *[]string
}

func (a *namedAborter) Abort() {
	a.mu.Lock()
	*a.ev = append(*a.ev, "abort "+a.name)
	a.mu.Unlock()
}

// TestReleaseSkipsToldAborters: a finished stream's Aborter comes back
// through Options.Release once the stream is gone, unless it was told
// of an abort (its goroutine may still hold it): the handler reuses
// only memory nothing else can reach.
func TestReleaseSkipsToldAborters(t *testing.T) {
	var mu sync.Mutex
	var ev []string
	released := make(chan string, 4)
	handler := func(st *Stream) {
		st.SetOnAbort(&namedAborter{name: st.Req.Path, mu: &mu, ev: &ev})
		if st.Req.Method == "POST" {
			buf := make([]byte, 16)
			for {
				if _, err := st.Read(buf); err != nil {
					return // reset by the client
				}
			}
		}
		st.WriteHeaders(200, nil, true)
	}
	release := func(a Aborter, _ *any) { released <- a.(*namedAborter).name }
	cl, _, _ := serveLoopback(t, Options{Handler: handler, Release: release})
	fr := http2.NewFramer(cl, cl)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	cl.Write([]byte(Preface))
	fr.WriteSettings()
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block(":method", "POST", ":scheme", "http", ":path", "/reset", ":authority", "x"), EndHeaders: true})
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: block(":method", "GET", ":scheme", "http", ":path", "/done", ":authority", "x"), EndHeaders: true, EndStream: true})
	for answered := false; !answered; {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		if h, ok := f.(*http2.MetaHeadersFrame); ok && h.StreamID == 3 && h.StreamEnded() {
			answered = true
		}
	}
	select {
	case name := <-released:
		if name != "/done" {
			t.Fatalf("released %s first, want /done", name)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the answered stream's Aborter was not released")
	}
	fr.WriteRSTStream(1, http2.ErrCodeCancel)
	deadline := time.Now().Add(3 * time.Second)
	for {
		mu.Lock()
		n := len(ev)
		mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The reset stream's handler returns; a GET after it shows the
	// engine has finished it (streams finish in order here).
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 5, BlockFragment: block(":method", "GET", ":scheme", "http", ":path", "/after", ":authority", "x"), EndHeaders: true, EndStream: true})
	got := []string{}
	timeout := time.After(3 * time.Second)
	for len(got) < 1 || got[len(got)-1] != "/after" {
		select {
		case name := <-released:
			got = append(got, name)
		case <-timeout:
			t.Fatalf("released %v, want /after", got)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, name := range got {
		if name == "/reset" {
			t.Fatalf("the reset stream's Aborter was released: %v", got)
		}
	}
	if len(ev) != 1 || ev[0] != "abort /reset" {
		t.Fatalf("aborts %v, want [abort /reset]", ev)
	}
}

// TestStreamsReuseFinishedMemory: streams opened one after the other on
// a connection take the memory of those that finished, and each still
// sees only its own request, body and trailers.
func TestStreamsReuseFinishedMemory(t *testing.T) {
	var mu sync.Mutex
	seen := map[*Stream]bool{}
	handler := func(st *Stream) {
		mu.Lock()
		seen[st] = true
		mu.Unlock()
		echo(st)
	}
	cl, _, _ := serveLoopback(t, Options{Handler: handler})
	fr := http2.NewFramer(cl, cl)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	cl.Write([]byte(Preface))
	fr.WriteSettings()
	const n = 20
	for i := range n {
		id := uint32(2*i + 1)
		method := []string{"POST", "PUT"}[i%2]
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: block(":method", method, ":scheme", "http", ":path", "/", ":authority", "x", "x-n", strconv.Itoa(i)), EndHeaders: true})
		fr.WriteData(id, true, []byte("body-"+strconv.Itoa(i)))
		var got, gotMethod string
		for done := false; !done; {
			f, err := fr.ReadFrame()
			if err != nil {
				t.Fatal(err)
			}
			switch f := f.(type) {
			case *http2.MetaHeadersFrame:
				if f.StreamID != id {
					t.Fatalf("HEADERS on stream %d, want %d", f.StreamID, id)
				}
				gotMethod = f.PseudoValue("status") + " " + f.Fields[1].Value
			case *http2.DataFrame:
				got += string(f.Data())
				done = f.StreamEnded()
			case *http2.RSTStreamFrame:
				t.Fatalf("stream %d reset: %v", f.StreamID, f.ErrCode)
			}
		}
		if want := "body-" + strconv.Itoa(i); got != want || gotMethod != "200 "+method {
			t.Fatalf("stream %d: %q %q, want %q 200 %s", id, gotMethod, got, want, method)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) >= n {
		t.Fatalf("%d streams took %d allocations: finished streams are not reused", n, len(seen))
	}
}
