package haproxycmd

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2CheckRecorder is an HTTP/2 server (prior knowledge) that records the
// first connection's SETTINGS and request HEADERS, and answers 200.
type h2CheckRecorder struct {
	mu   sync.Mutex
	seen string
}

func (r *h2CheckRecorder) get() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen
}

func (r *h2CheckRecorder) serve(c net.Conn) {
	c.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	if _, err := io.ReadFull(br, make([]byte, len(http2.ClientPreface))); err != nil {
		return
	}
	var out bytes.Buffer
	fr := http2.NewFramer(&out, br)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	fr.WriteSettings()
	c.Write(out.Bytes())
	out.Reset()
	var rec []string
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if f.IsAck() {
				continue
			}
			var s []string
			f.ForeachSetting(func(x http2.Setting) error { s = append(s, x.String()); return nil })
			rec = append(rec, "settings "+strings.Join(s, " "))
			fr.WriteSettingsAck()
		case *http2.MetaHeadersFrame:
			for _, h := range f.Fields {
				rec = append(rec, h.Name+": "+h.Value)
			}
			var b bytes.Buffer
			e := hpack.NewEncoder(&b)
			e.WriteField(hpack.HeaderField{Name: ":status", Value: "200"})
			e.WriteField(hpack.HeaderField{Name: "content-length", Value: "0"})
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: f.StreamID, BlockFragment: b.Bytes(), EndHeaders: true, EndStream: true})
			r.mu.Lock()
			if r.seen == "" {
				r.seen = strings.Join(rec, "\n")
			}
			r.mu.Unlock()
		}
		c.Write(out.Bytes())
		out.Reset()
	}
}

// TestH2CheckWireMatchesHAProxy: what an HTTP/2 health check sends a
// `proto h2` server, beside HAProxy 2.6.12: the SETTINGS (the traffic's:
// no ENABLE_CONNECT_PROTOCOL under h2-workaround-bogus-websocket-clients,
// tune.h2.* applied) and the request's HEADERS (an origin-form URI as
// :scheme https without :authority, host kept; an absolute one with its
// scheme and authority, host left out).
func TestH2CheckWireMatchesHAProxy(t *testing.T) {
	haproxyBin := testenv.LookPath(t, "haproxy")
	cases := []struct{ name, global, send string }{
		{"origin", "", "http-check send meth GET uri /health ver HTTP/2 hdr host chk.example hdr x-a 1"},
		{"workaround", "    h2-workaround-bogus-websocket-clients\n    tune.h2.initial-window-size 1000\n    tune.h2.header-table-size 8192\n    tune.h2.max-frame-size 20000\n    tune.h2.max-concurrent-streams 50\n", "http-check send meth GET uri /health hdr Host chk.example"},
		{"absolute", "", "http-check send meth GET uri http://abs.example:81/h?q ver HTTP/1.1 hdr host chk.example"},
		{"no host", "", "http-check send meth OPTIONS uri /"},
	}
	for _, tc := range cases {
		run := func(bin string) string {
			rec := &h2CheckRecorder{}
			addr := loopback.ServeEach(t, loopback.Listen(t), rec.serve)
			dir, bind := t.TempDir(), loopback.FreeAddr(t)
			cfg := fmt.Sprintf("global\n%sdefaults\n%sfrontend fe\n    bind %s\n    default_backend be\nbackend be\n    option httpchk\n    %s\n    server s1 %s proto h2 check inter 100ms\n",
				tc.global, httpCheckDefaults, bind, tc.send, addr)
			path := filepath.Join(dir, "t.cfg")
			os.WriteFile(path, []byte(cfg), 0o644)
			runQuiet(t, bin, path)
			deadline := time.Now().Add(3 * time.Second)
			for rec.get() == "" && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			return rec.get()
		}
		want, got := run(haproxyBin), run(gohaproxy)
		if want == "" || want != got {
			t.Errorf("%s:\nhaproxy:\n%s\ngoha:\n%s", tc.name, want, got)
		}
	}
}
