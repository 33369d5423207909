package proxy

import (
	"bufio"
	"bytes"
	"net"
	"runtime"
	"testing"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// An HTTP/2 stream to a kept-alive HTTP/1 server allocates nothing in
// the proxy once the connection is warm: its session, bridge, stream,
// header lists and frames are reused from stream to stream (the
// collector's work grows with every byte allocated per request).
// The whole process is measured, the bare framer client included (its
// HEADERS and DATA frames: 2 allocations per stream), so the bounds
// leave room for stray background allocations.
func TestH2StreamAllocations(t *testing.T) {
	t.Run("small", func(t *testing.T) { testH2StreamAllocations(t, rawBackend(t, "hello world\n")) })
	// nginx's head: its fields after connection (dropped for HTTP/2)
	// reuse their values too.
	t.Run("nginx", func(t *testing.T) { testH2StreamAllocations(t, rawResponseBackend(t, nginxResponse)) })
}

func testH2StreamAllocations(t *testing.T, backend string) {
	if raceBuild {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	cfg := keepAliveCfg(backend)
	cfg.Frontends[0].H2 = map[string]bool{"127.0.0.1:0": true}
	_, addr := startProxy(t, cfg)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fr := http2.NewFramer(c, bufio.NewReader(c))
	c.Write([]byte(http2.ClientPreface))
	fr.WriteSettings()
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	id := uint32(1)
	get := func() {
		hb.Reset()
		for _, kv := range [][2]string{{":method", "GET"}, {":scheme", "http"}, {":path", "/alloc"}, {":authority", "x"}} {
			enc.WriteField(hpack.HeaderField{Name: kv[0], Value: kv[1]})
		}
		if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: hb.Bytes(), EndStream: true, EndHeaders: true}); err != nil {
			t.Fatal(err)
		}
		id += 2
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				t.Fatal(err)
			}
			switch f := f.(type) {
			case *http2.DataFrame:
				if f.StreamEnded() {
					return
				}
			case *http2.HeadersFrame:
				if f.StreamEnded() {
					t.Fatal("a stream ended without its body")
				}
			case *http2.RSTStreamFrame, *http2.GoAwayFrame:
				t.Fatalf("%v", f)
			case *http2.SettingsFrame:
				if !f.IsAck() {
					fr.WriteSettingsAck()
				}
			}
		}
	}
	for range 200 {
		get()
	}
	const n = 2000
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for range n {
		get()
	}
	runtime.ReadMemStats(&m1)
	allocs := float64(m1.Mallocs-m0.Mallocs) / n
	bytes := float64(m1.TotalAlloc-m0.TotalAlloc) / n
	t.Logf("%.2f allocations, %.0f bytes per stream", allocs, bytes)
	if allocs > 2.5 {
		t.Errorf("%.2f allocations per stream, want 2 (the client's)", allocs)
	}
	if bytes > 1024 {
		t.Errorf("%.0f bytes allocated per stream: the stream's session is not reused", bytes)
	}
}
