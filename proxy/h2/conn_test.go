package h2

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// echo answers every stream with 200 and the request body.
func echo(st *Stream) {
	body, err := io.ReadAll(st)
	if err != nil {
		return
	}
	if st.WriteHeaders(200, []Field{{Name: "x-method", Value: st.Req.Method}}, false) != nil {
		return
	}
	st.WriteData(body, true)
}

// serveLoopback runs a Conn with handler on one loopback connection and
// returns the client's end; Serve's result arrives on done.
func serveLoopback(t *testing.T, opt Options) (net.Conn, *Conn, chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cl, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	c := NewConn(sc.(*net.TCPConn), opt)
	done := make(chan error, 1)
	go func() { err := c.Serve(); sc.Close(); done <- err; close(done) }()
	t.Cleanup(func() { cl.Close(); sc.Close(); <-done })
	cl.SetDeadline(time.Now().Add(5 * time.Second))
	return cl, c, done
}

func block(kv ...string) []byte {
	var b bytes.Buffer
	e := hpack.NewEncoder(&b)
	for i := 0; i+1 < len(kv); i += 2 {
		e.WriteField(hpack.HeaderField{Name: kv[i], Value: kv[i+1]})
	}
	return b.Bytes()
}

// TestConnStreams: two streams interleaved on one connection, bodies
// echoed, responses carried by HEADERS and DATA with END_STREAM.
func TestConnStreams(t *testing.T) {
	cl, _, _ := serveLoopback(t, Options{Handler: echo})
	fr := http2.NewFramer(cl, cl)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	cl.Write([]byte(Preface))
	fr.WriteSettings()
	post := func() []byte {
		return block(":method", "POST", ":scheme", "http", ":path", "/", ":authority", "x")
	}
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: post(), EndHeaders: true})
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: post(), EndHeaders: true})
	fr.WriteData(3, false, []byte("three-"))
	fr.WriteData(1, true, []byte("one"))
	fr.WriteData(3, true, []byte("end"))
	got := map[uint32]string{}
	status := map[uint32]string{}
	for len(got) < 2 {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("read: %v (have %v)", err, got)
		}
		switch f := f.(type) {
		case *http2.MetaHeadersFrame:
			status[f.StreamID] = f.PseudoValue("status")
		case *http2.DataFrame:
			if f.StreamEnded() {
				got[f.StreamID] += string(f.Data())
				if got[f.StreamID] == "" {
					got[f.StreamID] = "(empty)"
				}
			} else {
				got[f.StreamID] += string(f.Data())
			}
		}
	}
	if got[1] != "one" || got[3] != "three-end" || status[1] != "200" || status[3] != "200" {
		t.Fatalf("bodies %v, statuses %v", got, status)
	}
}

// TestConnGoAway: a soft stop sends GOAWAY(NO_ERROR) naming the last
// stream, lets that stream finish, refuses later ones and ends the
// connection once drained.
func TestConnGoAway(t *testing.T) {
	release := make(chan struct{})
	cl, c, done := serveLoopback(t, Options{Handler: func(st *Stream) { <-release; echo(st) }})
	fr := http2.NewFramer(cl, cl)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	cl.Write([]byte(Preface))
	fr.WriteSettings()
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "x"), EndStream: true, EndHeaders: true})
	time.Sleep(50 * time.Millisecond) // the stream is open
	c.GoAway()
	var ev []string
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			ev = append(ev, "closed")
			break
		}
		switch f := f.(type) {
		case *http2.GoAwayFrame:
			ev = append(ev, "GOAWAY "+f.ErrCode.String())
			if len(ev) > 1 {
				continue // the drain's end
			}
			if f.LastStreamID != 1 {
				t.Errorf("GOAWAY last stream %d", f.LastStreamID)
			}
			// A new stream now is ignored; the open one completes.
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 5, BlockFragment: block(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "x"), EndStream: true, EndHeaders: true})
			close(release)
		case *http2.MetaHeadersFrame:
			ev = append(ev, "HEADERS "+f.PseudoValue("status"))
		case *http2.DataFrame:
			if f.StreamEnded() {
				ev = append(ev, "END")
			}
		}
	}
	want := "GOAWAY NO_ERROR,HEADERS 200,END,GOAWAY NO_ERROR,closed"
	if got := joinEv(ev); got != want {
		t.Fatalf("events %s, want %s", got, want)
	}
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Serve did not return after the drain")
	}
}

func joinEv(ev []string) string {
	s := ""
	for i, e := range ev {
		if i > 0 {
			s += ","
		}
		s += e
	}
	return s
}

// TestConnMaxStreams: a stream past tune.h2.max-concurrent-streams is
// refused with RST_STREAM(REFUSED_STREAM).
func TestConnMaxStreams(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	s := DefaultSettings
	s.MaxConcurrentStreams = 1
	cl, _, _ := serveLoopback(t, Options{Settings: s, Handler: func(st *Stream) { <-release }})
	fr := http2.NewFramer(cl, cl)
	cl.Write([]byte(Preface))
	fr.WriteSettings()
	get := block(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "x")
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: get, EndStream: true, EndHeaders: true})
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: get, EndStream: true, EndHeaders: true})
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		if r, ok := f.(*http2.RSTStreamFrame); ok {
			if r.StreamID != 3 || r.ErrCode != http2.ErrCodeRefusedStream {
				t.Fatalf("RST_STREAM %d %v", r.StreamID, r.ErrCode)
			}
			return
		}
	}
}

// TestParseRequest: RFC 9113 §8 rules on a request's fields.
func TestParseRequest(t *testing.T) {
	base := []string{":method", "GET", ":scheme", "https", ":path", "/a", ":authority", "h"}
	cases := []struct {
		extra []string
		ok    bool
	}{
		{nil, true},
		{[]string{"te", "trailers"}, true},
		{[]string{"te", "gzip"}, false},
		{[]string{"connection", "close"}, false},
		{[]string{"keep-alive", "1"}, false},
		{[]string{"transfer-encoding", "chunked"}, false},
		{[]string{"upgrade", "h2c"}, false},
		{[]string{"proxy-connection", "x"}, false},
		{[]string{"content-length", "x"}, false},
		{[]string{"content-length", "1", "content-length", "2"}, false},
		{[]string{"content-length", "1", "content-length", "1"}, true},
		{[]string{":status", "200"}, false},
	}
	for _, c := range cases {
		var fs []hpack.HeaderField
		all := append(append([]string{}, base...), c.extra...)
		for i := 0; i < len(all); i += 2 {
			fs = append(fs, hpack.HeaderField{Name: all[i], Value: all[i+1]})
		}
		_, err := parseRequest(fs, false)
		if (err == nil) != c.ok {
			t.Errorf("%v: %v", c.extra, err)
		}
	}
	r, err := parseRequest([]hpack.HeaderField{{Name: ":method", Value: "GET"}, {Name: ":scheme", Value: "http"}, {Name: ":path", Value: "/"},
		{Name: "cookie", Value: "a=1"}, {Name: "x", Value: "y"}, {Name: "cookie", Value: "b=2"}}, true)
	if err != nil || len(r.Fields) != 2 || r.Fields[1].Value != "a=1; b=2" {
		t.Fatalf("cookies: %+v %v", r.Fields, err)
	}
	for _, miss := range []string{":method", ":scheme", ":path"} {
		var fs []hpack.HeaderField
		for i := 0; i < len(base); i += 2 {
			if base[i] != miss {
				fs = append(fs, hpack.HeaderField{Name: base[i], Value: base[i+1]})
			}
		}
		if _, err := parseRequest(fs, true); err == nil {
			t.Errorf("without %s: accepted", miss)
		}
	}
}

// TestConnCoalescesWindowUpdates: the connection window taken by DATA
// frames that arrive together comes back in one WINDOW_UPDATE, not one
// per frame, and all of it.
func TestConnCoalescesWindowUpdates(t *testing.T) {
	cl, _, _ := serveLoopback(t, Options{Handler: echo})
	var out bytes.Buffer
	fr := http2.NewFramer(&out, cl)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	out.WriteString(Preface)
	fr.WriteSettings()
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block(":method", "POST", ":scheme", "http", ":path", "/", ":authority", "x"), EndHeaders: true})
	const frames, size = 8, 1000
	for i := range frames {
		fr.WriteData(1, i == frames-1, bytes.Repeat([]byte{'a'}, size))
	}
	if _, err := cl.Write(out.Bytes()); err != nil { // one write: one read on the server
		t.Fatal(err)
	}
	updates, credit, body := 0, 0, 0
	for ended := false; !ended; {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		switch f := f.(type) {
		case *http2.WindowUpdateFrame:
			if f.StreamID == 0 {
				updates++
				credit += int(f.Increment)
			}
		case *http2.DataFrame:
			body += len(f.Data())
			ended = f.StreamEnded()
		}
	}
	// The update may follow the response: read what is left briefly.
	cl.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	for credit < frames*size {
		f, err := fr.ReadFrame()
		if err != nil {
			break
		}
		if wu, ok := f.(*http2.WindowUpdateFrame); ok && wu.StreamID == 0 {
			updates++
			credit += int(wu.Increment)
		}
	}
	if body != frames*size || credit != frames*size || updates > 2 {
		t.Fatalf("echoed %d bytes; connection credit %d in %d WINDOW_UPDATEs, want %d in 1 (2 if the frames came in two reads)", body, credit, updates, frames*size)
	}
}

// TestIdleWorkersRetire: the workers a burst of streams started wait for
// the next streams, and the sweeper ends the idle ones half at a time.
func TestIdleWorkersRetire(t *testing.T) {
	release := make(chan struct{})
	cl, _, _ := serveLoopback(t, Options{Handler: func(st *Stream) { <-release; echo(st) }})
	fr := http2.NewFramer(cl, cl)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	cl.Write([]byte(Preface))
	fr.WriteSettings()
	const n = 6
	for i := range n {
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: uint32(2*i + 1), BlockFragment: block(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "x"), EndStream: true, EndHeaders: true})
	}
	time.Sleep(50 * time.Millisecond) // every stream is on a worker
	close(release)
	for ended := 0; ended < n; {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		if d, ok := f.(*http2.DataFrame); ok && d.StreamEnded() {
			ended++
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for idleWorkers.Load() < n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	// (The process's sweeper may retire some meanwhile: counts only
	// go down from here.)
	idle := idleWorkers.Load()
	if idle < 2 {
		t.Fatalf("%d idle workers after %d streams ended, want them waiting", idle, n)
	}
	retireIdle()
	want := idle - (idle+1)/2
	deadline = time.Now().Add(2 * time.Second)
	for idleWorkers.Load() > want && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := idleWorkers.Load(); got > want {
		t.Fatalf("%d idle workers after one sweep of %d, want at most %d", got, idle, want)
	}
}
