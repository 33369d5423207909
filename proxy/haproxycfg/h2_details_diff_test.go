package haproxycfg

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/logfmt"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2Origin is an HTTP/2 server (prior knowledge) that records the
// HEADERS of each request, by its :path, as the fields came in order,
// and answers by path with frames written by hand: bodies with and
// without content-length, trailers, 204, 304, a 403 without length.
type h2Origin struct {
	mu   sync.Mutex
	seen map[string]string
}

func startH2Origin(t *testing.T) (*h2Origin, string) {
	o := &h2Origin{seen: map[string]string{}}
	return o, loopback.ServeEach(t, loopback.Listen(t), o.serve)
}

// startH2OriginTLS is startH2Origin over TLS (ALPN h2) with certFile.
func startH2OriginTLS(t *testing.T, certFile string) (*h2Origin, string) {
	cert := pemCert(t, certFile)
	o := &h2Origin{seen: map[string]string{}}
	ln := loopback.Listen(t)
	addr := ln.Addr().String()
	loopback.ServeEach(t, tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}}), o.serve)
	return o, addr
}

func (o *h2Origin) serve(c net.Conn) {
	c.SetDeadline(time.Now().Add(10 * time.Second))
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
	pending := map[uint32]*http2.MetaHeadersFrame{} // requests whose body is coming
	bodies := map[uint32]string{}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		var h *http2.MetaHeadersFrame
		switch f := f.(type) {
		case *http2.MetaHeadersFrame:
			if pending[f.StreamID] != nil { // trailers
				bodies[f.StreamID] += fmt.Sprintf(" trailers %v", f.Fields)
				h = pending[f.StreamID]
				break
			}
			if !f.StreamEnded() {
				pending[f.StreamID] = f
				continue
			}
			h = f
		case *http2.DataFrame:
			bodies[f.StreamID] += string(f.Data())
			if len(f.Data()) > 0 {
				fr.WriteWindowUpdate(0, uint32(len(f.Data())))
			}
			if !f.StreamEnded() || pending[f.StreamID] == nil {
				continue
			}
			h = pending[f.StreamID]
		default:
			continue
		}
		delete(pending, h.StreamID)
		var rec []string
		for _, hf := range h.Fields {
			rec = append(rec, hf.Name+": "+hf.Value)
		}
		path, id := h.PseudoValue("path"), h.StreamID
		head := h.PseudoValue("method") == "HEAD"
		rec = append(rec, fmt.Sprintf("body %q", bodies[id]))
		delete(bodies, id)
		o.mu.Lock()
		o.seen[h.PseudoValue("method")+" "+path] = strings.Join(rec, "\n")
		o.mu.Unlock()
		hdrs := func(end bool, kv ...string) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: h2Block(kv...), EndHeaders: true, EndStream: end})
		}
		switch path {
		case "/403":
			hdrs(head, ":status", "403", "content-type", "text/plain")
			if !head {
				fr.WriteData(id, true, []byte("forbidden\n"))
			}
		case "/len":
			hdrs(head, ":status", "200", "content-length", "5", "x-a", "b")
			if !head {
				fr.WriteData(id, true, []byte("hello"))
			}
		case "/nolen":
			hdrs(head, ":status", "200", "x-a", "bc")
			if !head {
				fr.WriteData(id, false, []byte("abc"))
				fr.WriteData(id, true, []byte("defg"))
			}
		case "/trailers":
			hdrs(head, ":status", "200")
			if !head {
				fr.WriteData(id, false, []byte("abc"))
				hdrs(true, "x-t", "v1")
			}
		case "/empty":
			hdrs(true, ":status", "200", "x-e", "1")
		case "/204":
			hdrs(true, ":status", "204", "x-n", "1")
		case "/304":
			hdrs(true, ":status", "304", "etag", `"x"`)
		default:
			hdrs(true, ":status", "404")
		}
		if _, err := c.Write(out.Bytes()); err != nil {
			return
		}
		out.Reset()
	}
}

// h2Ask sends one request on a new HTTP/2 connection (fields: name,
// value pairs) and says what came back: each HEADERS' fields, the DATA
// joined, how the stream ended.
func h2Ask(addr string, body string, kv ...string) string {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return err.Error()
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(4 * time.Second))
	fr := h2Start(c)
	fr.AllowIllegalWrites = true
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: h2Block(kv...), EndHeaders: true, EndStream: body == ""})
	if body != "" {
		fr.WriteData(1, true, []byte(body))
	}
	var out []string
	var data bytes.Buffer
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return strings.Join(append(out, fmt.Sprintf("data %q", data.String()), "end: "+endOf(err)), "\n")
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				fr.WriteSettingsAck()
			}
		case *http2.MetaHeadersFrame:
			out = append(out, fmt.Sprintf("headers end=%v %s", f.StreamEnded(), h2FieldList(f)))
			if f.StreamEnded() {
				return strings.Join(append(out, fmt.Sprintf("data %q", data.String()), "end: END_STREAM"), "\n")
			}
		case *http2.DataFrame:
			data.Write(f.Data())
			if f.StreamEnded() {
				return strings.Join(append(out, fmt.Sprintf("data %q", data.String()), "end: END_STREAM"), "\n")
			}
		case *http2.RSTStreamFrame:
			return strings.Join(append(out, fmt.Sprintf("data %q", data.String()), "end: RST_STREAM "+f.ErrCode.String()), "\n")
		case *http2.GoAwayFrame:
			out = append(out, "goaway "+f.ErrCode.String())
		}
	}
}

// startGohaFormatted runs goha on cfg; the function returned gives its
// log lines since its last call, formatted by each frontend's
// log-format.
func startGohaFormatted(t *testing.T, cfg string) func() []string {
	t.Helper()
	var lines lineLog
	gohaRun(t, cfg, false, func(plan *Plan) proxy.Options {
		formats := customFormats(t, plan)
		return proxy.Options{
			Logs: func(string) bool { return true },
			Log: func(e *proxy.LogEntry) {
				if f := formats[e.Frontend]; f != nil {
					le := logfmt.Entry(*e)
					lines.add(string(f.Append(nil, &le, nil)))
				}
			},
		}
	})
	return lines.take
}

// h2DetailsConfig sends HTTP/1.1 (FE) and HTTP/2 (FE2) clients to an
// HTTP/2 server in clear text.
const h2DetailsConfig = `global
    log LOGADDR local0
defaults
    mode http
    log global
    log-format "%ST %B %U %ts %b/%s %HM %HU"
    timeout connect 1s
    timeout client 3s
    timeout server 1s
frontend fe
    bind FE
    bind FE2 proto h2
    use_backend tls if { path_beg /tls/ }
    default_backend be
backend be
    server s1 ORIGIN proto h2
backend tls
    server s1 TLSORIGIN ssl verify none alpn h2
`

type h2DetailsSide struct {
	fe, fe2        string
	origin, tlsOrg *h2Origin
	logs           func() []string
}

func startH2DetailsPair(t *testing.T, cfg string) (ha, goha h2DetailsSide) {
	t.Helper()
	testenv.LookPath(t, "haproxy")
	pki := newTestPKI(t)
	mk := func(logAddr string) (h2DetailsSide, string) {
		var s h2DetailsSide
		var addr, tlsAddr string
		s.origin, addr = startH2Origin(t)
		s.tlsOrg, tlsAddr = startH2OriginTLS(t, filepath.Join(pki.Dir, "a.pem"))
		s.fe, s.fe2 = loopback.FreeAddr(t), loopback.FreeAddr(t)
		return s, strings.NewReplacer("TLSORIGIN", tlsAddr, "ORIGIN", addr, "FE2", s.fe2, "FE", s.fe, "LOGADDR", logAddr).Replace(cfg)
	}
	haLogs := loopback.ListenUDP(t)
	var text string
	ha, text = mk(haLogs.LocalAddr().String())
	ha.logs = startHAProxyLogged(t, text, ha.fe, haLogs)
	goha, text = mk("127.0.0.1:9")
	goha.logs = startGohaFormatted(t, text)
	return ha, goha
}

// TestH2ServerBytesMatchHAProxy: responses of an HTTP/2 server with and
// without content-length, with trailers, without a body (HEAD, 204, 304,
// END_STREAM on the HEADERS), to HTTP/1.1, HTTP/1.0 and HTTP/2 clients:
// the bytes the client gets and the log line's %B and %U are HAProxy
// 2.6.12's (which counts the response's HTX, without the chunking its
// HTTP/1 output adds).
func TestH2ServerBytesMatchHAProxy(t *testing.T) {
	t.Parallel() // its own daemons and servers; it waits more than it computes
	ha, goha := startH2DetailsPair(t, h2DetailsConfig)
	paths := []string{"/403", "/len", "/nolen", "/trailers", "/empty", "/204", "/304"}
	for _, path := range paths {
		for _, method := range []string{"GET", "HEAD"} {
			for _, ver := range []string{"HTTP/1.1", "HTTP/1.0"} {
				raw := method + " " + path + " " + ver + "\r\nHost: h\r\nConnection: close\r\n\r\n"
				want, got := exchangeText(ha.fe, raw), exchangeText(goha.fe, raw)
				wl, gl := fmt.Sprint(ha.logs()), fmt.Sprint(goha.logs())
				if want != got || wl != gl {
					t.Errorf("%s %s %s:\nhaproxy: %q %s\ngoha:    %q %s", ver, method, path, want, wl, got, gl)
				}
			}
			ask2 := func(fe string) string {
				return h2Ask(fe, "", ":method", method, ":scheme", "http", ":authority", "h", ":path", path)
			}
			want, got := ask2(ha.fe2), ask2(goha.fe2)
			wl, gl := fmt.Sprint(ha.logs()), fmt.Sprint(goha.logs())
			wl = strings.ReplaceAll(wl, ha.fe2, "FE2")
			gl = strings.ReplaceAll(gl, goha.fe2, "FE2")
			if want != got || wl != gl {
				t.Errorf("HTTP/2 %s %s:\nhaproxy: %q %s\ngoha:    %q %s", method, path, want, wl, got, gl)
			}
		}
	}
}

// seenAll gives every request recorded, by key, and forgets them.
func (o *h2Origin) seenAll() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for k, v := range o.seen {
		out = append(out, k+"\n"+v)
	}
	clear(o.seen)
	return strings.Join(out, "\n")
}
