package h2

import (
	"bytes"
	"io"
	"testing"
	"time"

	"golang.org/x/net/http2"
)

// fuzzTransport feeds a fixed byte string and discards what is written.
type fuzzTransport struct{ r io.Reader }

func (f fuzzTransport) Read(p []byte) (int, error)    { return f.r.Read(p) }
func (fuzzTransport) Write(p []byte) (int, error)     { return len(p), nil }
func (fuzzTransport) SetReadDeadline(time.Time) error { return nil }

// FuzzConn feeds random frames (after a valid preface and SETTINGS) to
// the connection engine: it must neither panic nor hang, whatever the
// frames say.
func FuzzConn(f *testing.F) {
	var seed bytes.Buffer
	fr := http2.NewFramer(&seed, nil)
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block(":method", "POST", ":scheme", "http", ":path", "/", "content-length", "3"), EndHeaders: true})
	fr.WriteData(1, true, []byte("abc"))
	fr.WriteWindowUpdate(0, 100)
	fr.WritePing(false, [8]byte{1})
	fr.WriteRSTStream(1, http2.ErrCodeCancel)
	f.Add(seed.Bytes())
	seed.Reset()
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: block(":method", "GET", ":scheme", "http", ":path", "/")})
	fr.WriteContinuation(3, true, block("x", "y"))
	fr.WriteGoAway(0, http2.ErrCodeNo, nil)
	f.Add(seed.Bytes())
	f.Add([]byte{0, 0, 0, 4, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		var in bytes.Buffer
		in.WriteString(Preface)
		http2.NewFramer(&in, nil).WriteSettings()
		in.Write(data)
		c := NewConn(fuzzTransport{&in}, Options{Handler: echo})
		done := make(chan struct{})
		go func() { c.Serve(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Serve hung")
		}
	})
}
