package h2

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
)

// netTransport is a net.Conn as a Transport.
type netTransport struct{ net.Conn }

// serveH2 runs Go's HTTP/2 server (h2c, prior knowledge) allowing
// maxStreams streams at once (0: its default) and returns a ClientConn
// to it.
func serveH2(t *testing.T, maxStreams int, h http.HandlerFunc) *ClientConn {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	srv := &http.Server{Handler: h, Protocols: &p, HTTP2: &http.HTTP2Config{MaxConcurrentStreams: maxStreams}}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	cc, err := NewClientConn(netTransport{c}, c, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	if err := cc.WaitReady(time.Now().Add(2 * time.Second)); err != nil {
		t.Fatal(err)
	}
	return cc
}

func get(path string) []Field {
	return []Field{{Name: ":method", Value: "GET"}, {Name: ":scheme", Value: "http"}, {Name: ":authority", Value: "x"}, {Name: ":path", Value: path}}
}

// TestClientConnStreamLimit: the server's SETTINGS_MAX_CONCURRENT_STREAMS
// bounds the streams open at once; a finished one frees its place.
func TestClientConnStreamLimit(t *testing.T) {
	release := make(chan struct{})
	cc := serveH2(t, 2, func(w http.ResponseWriter, r *http.Request) {
		<-release
		io.WriteString(w, "done")
	})
	a, err := cc.Open(get("/a"), true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cc.Open(get("/b"), true); err != nil {
		t.Fatal(err)
	}
	if cc.CanOpen() {
		t.Fatal("a third stream may open past the server's limit of 2")
	}
	if _, err := cc.Open(get("/c"), true); err != ErrNoCapacity {
		t.Fatalf("third stream: %v, want ErrNoCapacity", err)
	}
	close(release)
	a.SetReadDeadline(time.Now().Add(2 * time.Second))
	h, err := a.ReadHead()
	if err != nil || h.Status != 200 {
		t.Fatalf("head %+v, %v", h, err)
	}
	body, err := io.ReadAll(a)
	if err != nil || string(body) != "done" {
		t.Fatalf("body %q, %v", body, err)
	}
	a.Close()
	if !cc.CanOpen() {
		t.Fatal("a finished stream did not free its place")
	}
}

// TestClientConnBodiesAndTrailers: bodies past every flow-control window
// both ways, and trailers both ways.
func TestClientConnBodiesAndTrailers(t *testing.T) {
	cc := serveH2(t, 0, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Trailer", "X-Sum")
		w.Write(bytes.Repeat(b[:1], 3*len(b)))
		w.Header().Set("X-Sum", r.Trailer.Get("X-Up")+"/"+r.Header.Get("X-A"))
	})
	fields := append(get("/up")[:0:0], Field{Name: ":method", Value: "POST"}, Field{Name: ":scheme", Value: "http"},
		Field{Name: ":authority", Value: "x"}, Field{Name: ":path", Value: "/up"}, Field{Name: "x-a", Value: "b"},
		Field{Name: "trailer", Value: "x-up"})
	st, err := cc.Open(fields, false)
	if err != nil {
		t.Fatal(err)
	}
	st.SetWriteDeadline(time.Now().Add(5 * time.Second))
	st.SetReadDeadline(time.Now().Add(5 * time.Second))
	up := strings.Repeat("z", 200000)
	done := make(chan error, 1)
	go func() {
		if err := st.WriteData([]byte(up), false); err != nil {
			done <- err
			return
		}
		done <- st.WriteTrailers([]Field{{Name: "x-up", Value: "v"}})
	}()
	h, err := st.ReadHead()
	if err != nil || h.Status != 200 {
		t.Fatalf("head %+v, %v", h, err)
	}
	body, err := io.ReadAll(st)
	if err != nil || len(body) != 3*len(up) {
		t.Fatalf("body %d bytes, %v", len(body), err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(st.Trailers) != 1 || st.Trailers[0].Value != "v/b" {
		t.Fatalf("trailers %+v", st.Trailers)
	}
	if !st.Complete() {
		t.Fatal("stream not complete")
	}
}

// gatedReader delivers nothing until open is closed: the stream is
// opened before the server's frames are read.
type gatedReader struct {
	open <-chan struct{}
	r    io.Reader
}

func (g gatedReader) Read(p []byte) (int, error) {
	<-g.open
	return g.r.Read(p)
}

type closerFunc func()

func (f closerFunc) Close() error { f(); return nil }

// FuzzClientConn feeds random frames (after a valid SETTINGS) to a
// connection to a server with one stream open: it must neither panic nor
// hang, and the stream ends one way or another.
func FuzzClientConn(f *testing.F) {
	var seed bytes.Buffer
	fr := http2.NewFramer(&seed, nil)
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block(":status", "200", "content-length", "3"), EndHeaders: true})
	fr.WriteData(1, true, []byte("abc"))
	f.Add(seed.Bytes())
	seed.Reset()
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block(":status", "103")})
	fr.WriteContinuation(1, true, block("link", "x"))
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block(":status", "200"), EndHeaders: true})
	fr.WriteData(1, false, []byte("abc"))
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block("x-t", "v"), EndHeaders: true, EndStream: true})
	fr.WriteGoAway(1, http2.ErrCodeNo, nil)
	f.Add(seed.Bytes())
	seed.Reset()
	fr.WriteRSTStream(1, http2.ErrCodeRefusedStream)
	fr.WriteWindowUpdate(0, 1<<31-1)
	fr.WriteWindowUpdate(1, 1<<31-1)
	fr.WritePushPromise(http2.PushPromiseParam{StreamID: 1, PromiseID: 2, BlockFragment: block(":method", "GET"), EndHeaders: true})
	f.Add(seed.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		var in bytes.Buffer
		http2.NewFramer(&in, nil).WriteSettings()
		in.Write(data)
		open := make(chan struct{})
		cc, err := NewClientConn(fuzzTransport{gatedReader{open, &in}}, closerFunc(func() {}), Settings{})
		if err != nil {
			t.Fatal(err)
		}
		st, err := cc.Open(get("/"), false)
		close(open)
		if err != nil {
			return
		}
		st.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		st.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
		st.WriteData([]byte("body"), true)
		if _, err := st.ReadHead(); err == nil {
			io.Copy(io.Discard, st)
		}
		st.Close()
		cc.Close()
	})
}

// TestClientConnGoAwayLetsStreamsFinish: a server's GOAWAY stops new
// streams, and the open one still gets its response.
func TestClientConnGoAwayLetsStreamsFinish(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		pre := make([]byte, len(http2.ClientPreface))
		if _, err := io.ReadFull(c, pre); err != nil {
			return
		}
		fr := http2.NewFramer(c, c)
		fr.WriteSettings()
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				return
			}
			if h, ok := f.(*http2.HeadersFrame); ok {
				fr.WriteGoAway(h.StreamID, http2.ErrCodeNo, nil)
				fr.WriteHeaders(http2.HeadersFrameParam{StreamID: h.StreamID, BlockFragment: block(":status", "200"), EndHeaders: true})
				fr.WriteData(h.StreamID, true, []byte("last"))
			}
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	cc, err := NewClientConn(netTransport{c}, c, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	if err := cc.WaitReady(time.Now().Add(2 * time.Second)); err != nil {
		t.Fatal(err)
	}
	st, err := cc.Open(get("/"), true)
	if err != nil {
		t.Fatal(err)
	}
	st.SetReadDeadline(time.Now().Add(2 * time.Second))
	if h, err := st.ReadHead(); err != nil || h.Status != 200 {
		t.Fatalf("head %+v, %v", h, err)
	}
	if b, err := io.ReadAll(st); err != nil || string(b) != "last" {
		t.Fatalf("body %q, %v", b, err)
	}
	if cc.CanOpen() {
		t.Fatal("a stream may open after GOAWAY")
	}
	if ok, _ := cc.Usable(); ok {
		t.Fatal("the connection is still usable after GOAWAY")
	}
}
