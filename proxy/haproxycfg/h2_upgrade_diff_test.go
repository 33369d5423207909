package haproxycfg

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/testenv"
	"golang.org/x/net/http2"
)

// h2UpgradeConfig is one HTTP frontend on BIND (OPTION: nothing, or
// `option disable-h2-upgrade`) in front of a recording HTTP/1.1 server.
const h2UpgradeConfig = `global
    log LOG local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 3s
    timeout server 3s
frontend fe
    bind BIND
    OPTION
    http-request return status 200 content-type text/plain string ver-2.0 if { path /ver } { req.ver 2.0 }
    default_backend be
backend be
    server s1 REC
`

// h2UpgradeRun is one configuration started on both daemons, with what
// each client saw and the recorder saw, by step.
type h2UpgradeRun struct {
	t             *testing.T
	ha, goha      string
	haLog, goLog  chan string
	rec           *h2Recorder
	sock, base    string
	frontendStats func() (req, ereq, h4xx, h2xx int64)
	step          int
}

func startH2Upgrade(t *testing.T, option, bind string) *h2UpgradeRun {
	t.Helper()
	rec, recAddr := startH2Recorder(t)
	cfg := strings.NewReplacer("OPTION", option, "REC", recAddr).Replace(h2UpgradeConfig)
	cfg = strings.Replace(cfg, "bind BIND", "bind BIND"+bind, 1)
	ha, goha, haLog, goLog, px, sock, base := startSettled(t, cfg)
	r := &h2UpgradeRun{t: t, ha: ha, goha: goha, haLog: haLog, goLog: goLog, rec: rec, sock: sock, base: base}
	r.frontendStats = func() (int64, int64, int64, int64) {
		s := px.Frontends()[0].Stats
		return s.Requests, s.ReqErrors, s.HRsp4xx, s.HRsp2xx
	}
	return r
}

// both runs do against HAProxy (id "ha-N") and goha ("go-N") at once and
// compares what it returns, then the recorder's copy of each request
// (the id put back to N) and the log lines.
func (r *h2UpgradeRun) both(name string, logs int, expect string, do func(addr, id string) string) {
	t := r.t
	t.Helper()
	r.step++
	haID, goID := fmt.Sprintf("ha-%d", r.step), fmt.Sprintf("go-%d", r.step)
	var want string
	done := make(chan struct{})
	go func() { want = do(r.ha, haID); close(done) }()
	got := do(r.goha, goID)
	<-done
	want = strings.NewReplacer(haID, "ID", r.ha, "ADDR").Replace(want)
	got = strings.NewReplacer(goID, "ID", r.goha, "ADDR").Replace(got)
	if !strings.Contains(want, expect) {
		t.Errorf("%s: haproxy's answer has no %q: %q", name, expect, want)
	}
	if want != got {
		t.Errorf("%s: client\nhaproxy: %q\ngoha:    %q", name, want, got)
	}
	wantRec := strings.NewReplacer(haID, "ID", r.ha, "ADDR").Replace(r.rec.get(haID))
	gotRec := strings.NewReplacer(goID, "ID", r.goha, "ADDR").Replace(r.rec.get(goID))
	if wantRec != gotRec {
		t.Errorf("%s: server\nhaproxy: %q\ngoha:    %q", name, wantRec, gotRec)
	}
	for i := 0; i < logs; i++ {
		w := strings.ReplaceAll(nextLine(t, r.haLog, "haproxy"), r.ha, "ADDR")
		g := strings.ReplaceAll(nextLine(t, r.goLog, "goha"), r.goha, "ADDR")
		if w != g {
			t.Errorf("%s: log\nhaproxy: %s\ngoha:    %s", name, w, g)
		}
	}
}

// checkStats compares the frontend's req_tot, ereq, hrsp_4xx and
// hrsp_2xx moves since the start.
func (r *h2UpgradeRun) checkStats() {
	t := r.t
	t.Helper()
	before, after := allStatRows(r.base), allStatRows(haproxytest.StatsCmd(t, r.sock, "show stat"))
	req, ereq, h4, h2 := r.frontendStats()
	for col, g := range map[string]int64{"req_tot": req, "ereq": ereq, "hrsp_4xx": h4, "hrsp_2xx": h2} {
		if w := after["fe/FRONTEND"][col] - before["fe/FRONTEND"][col]; w != g {
			t.Errorf("fe %s: haproxy %d, goha %d", col, w, g)
		}
	}
}

var curlDate = regexp.MustCompile(`(?mi)^date: .*\r?\n`)

// curlOut runs curl with args on url and gives its exit code and what it
// printed (-i: the head and the body; the Date line left out).
func curlOut(t *testing.T, url string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "curl", append(append([]string{"-sS", "-i", "--max-time", "4"}, args...), url)...)
	out, err := cmd.Output()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("exit %d\n%s", code, curlDate.ReplaceAllString(string(out), ""))
}

// h2Raw speaks HTTP/2 by hand on c: the preface, SETTINGS, one GET of
// path with x-id, and reports the response's status, fields (date left
// out) and body, or how the connection ended.
func h2Raw(c net.Conn, path, id string) string {
	defer c.Close()
	c.SetDeadline(time.Now().Add(4 * time.Second))
	fr := h2Start(c)
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, EndStream: true, EndHeaders: true,
		BlockFragment: h2Block(":method", "GET", ":scheme", "http", ":path", path, ":authority", "h", "x-id", id)})
	var out []string
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return strings.Join(append(out, "end: "+err.Error()), "\n")
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				fr.WriteSettingsAck()
			}
		case *http2.MetaHeadersFrame:
			var hs []string
			for _, h := range f.Fields {
				if h.Name != "date" {
					hs = append(hs, h.Name+": "+h.Value)
				}
			}
			sort.Strings(hs)
			out = append(out, hs...)
			if f.StreamEnded() {
				return strings.Join(out, "\n")
			}
		case *http2.DataFrame:
			out = append(out, "data "+string(f.Data()))
			if f.StreamEnded() {
				return strings.Join(out, "\n")
			}
		case *http2.GoAwayFrame:
			out = append(out, "GOAWAY "+f.ErrCode.String())
		case *http2.RSTStreamFrame:
			return strings.Join(append(out, "RST_STREAM "+f.ErrCode.String()), "\n")
		}
	}
}

// rawExchange sends raw on a new connection to addr and gives what came
// back and how the connection ended.
func rawExchange(t *testing.T, addr, raw string) string {
	out, end := exchangeFrom(t, "", addr, raw, 600*time.Millisecond)
	return string(out) + "\n[" + end + "]"
}

// TestH2UpgradeMatchesHAProxy: HAProxy 2.6's implicit HTTP/2 upgrade on
// an HTTP/1 bind (no proto, no ALPN). curl --http2-prior-knowledge,
// Go's HTTP/2 client over clear text and a hand-made preface are served
// as HTTP/2; a plain HTTP/1.1 request and curl's `Upgrade: h2c` request
// on the same bind stay HTTP/1.1 (the header is forwarded, not acted
// on); a PRI request cut after its head is refused with the HTX 400.
// Compared: the client's bytes, the server's, the log lines, show stat.
func TestH2UpgradeMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "curl")
	r := startH2Upgrade(t, "", "")
	r.both("curl --http2-prior-knowledge", 1, "HTTP/2 200", func(addr, id string) string {
		return curlOut(t, "http://"+addr+"/a", "--http2-prior-knowledge", "-H", "x-id: "+id)
	})
	r.both("curl --http2-prior-knowledge /ver", 1, "ver-2.0", func(addr, id string) string {
		return curlOut(t, "http://"+addr+"/ver", "--http2-prior-knowledge")
	})
	r.both("go h2c client", 2, "HTTP/2.0 200", func(addr, id string) string {
		cl := h2Client(t, testPKI{}, addr, false)
		var out []string
		for _, m := range []string{"GET", "POST"} {
			req, _ := http.NewRequest(m, "http://h/p"+m, strings.NewReader(strings.Repeat("b", 100)))
			if m == "GET" {
				req.Body, req.ContentLength = nil, 0
			}
			req.Header.Set("x-id", id+m)
			resp, err := cl.Do(req)
			proto := ""
			if err == nil {
				proto = resp.Proto
			}
			out = append(out, proto+" "+describe(resp, err))
		}
		return strings.Join(out, "\n")
	})
	for _, m := range []string{"GET", "POST"} {
		if w, g := r.rec.get("ha-3"+m), r.rec.get("go-3"+m); strings.ReplaceAll(w, "ha-3", "") != strings.ReplaceAll(g, "go-3", "") || w == "" {
			t.Errorf("go h2c client %s: server\nhaproxy: %q\ngoha:    %q", m, w, g)
		}
	}
	r.both("raw preface", 1, ":status: 200", func(addr, id string) string {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			return err.Error()
		}
		return h2Raw(c, "/raw", id)
	})
	r.both("http/1.1", 1, "HTTP/1.1 200", func(addr, id string) string {
		return rawExchange(t, addr, "GET /h1 HTTP/1.1\r\nHost: h\r\nx-id: "+id+"\r\nConnection: close\r\n\r\n")
	})
	r.both("curl --http2 (Upgrade: h2c)", 1, "HTTP/1.1 200", func(addr, id string) string {
		return curlOut(t, "http://"+addr+"/up", "--http2", "-H", "x-id: "+id)
	})
	r.both("PRI head alone", 1, "HTTP/1.1 400 Bad request\r\ncontent-length", func(addr, id string) string {
		return rawExchange(t, addr, "PRI * HTTP/2.0\r\n\r\n")
	})
	r.both("PRI after a request", 2, "HTTP/1.1 400 Bad request\r\ncontent-length", func(addr, id string) string {
		return rawExchange(t, addr, "GET /k HTTP/1.1\r\nHost: h\r\nx-id: "+id+"\r\n\r\n"+http2.ClientPreface)
	})
	r.both("PRI with a bad field", 1, "HTTP/1.1 400 Bad request\r\nContent-length", func(addr, id string) string {
		return rawExchange(t, addr, "PRI * HTTP/2.0\r\nBad Field: x\r\n\r\nSM\r\n\r\n")
	})
	r.checkStats()
}

// TestH2UpgradeDisabledMatchesHAProxy: with option disable-h2-upgrade the
// preface is an HTTP/1 request with the PRI method: 400 through HAProxy's
// HTX layer, logged PR with its size; HTTP/1.1 is served as before.
func TestH2UpgradeDisabledMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "curl")
	r := startH2Upgrade(t, "option disable-h2-upgrade", "")
	r.both("preface", 1, "HTTP/1.1 400 Bad request\r\ncontent-length", func(addr, id string) string {
		return rawExchange(t, addr, http2.ClientPreface)
	})
	r.both("preface and frames", 1, "HTTP/1.1 400", func(addr, id string) string {
		var b bytes.Buffer
		fr := http2.NewFramer(&b, nil)
		fr.WriteSettings()
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, EndStream: true, EndHeaders: true,
			BlockFragment: h2Block(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "h")})
		return rawExchange(t, addr, http2.ClientPreface+b.String())
	})
	r.both("http/1.1", 1, "HTTP/1.1 200", func(addr, id string) string {
		return rawExchange(t, addr, "GET /h1 HTTP/1.1\r\nHost: h\r\nx-id: "+id+"\r\nConnection: close\r\n\r\n")
	})
	r.checkStats()
}

// TestH2UpgradeTLSMatchesHAProxy: on a TLS bind with no ALPN (and with
// ALPN http/1.1 chosen) the preface upgrades the connection too.
func TestH2UpgradeTLSMatchesHAProxy(t *testing.T) {
	pki := newTestPKI(t)
	r := startH2Upgrade(t, "", " ssl crt "+filepath.Join(pki.Dir, "a.pem")+" alpn http/1.1")
	for _, alpn := range [][]string{nil, {"http/1.1"}} {
		r.both(fmt.Sprintf("tls alpn %v", alpn), 1, ":status: 200", func(addr, id string) string {
			d := tls.Dialer{Config: &tls.Config{InsecureSkipVerify: true, NextProtos: alpn}}
			c, err := d.DialContext(t.Context(), "tcp", addr)
			if err != nil {
				return err.Error()
			}
			proto := c.(*tls.Conn).ConnectionState().NegotiatedProtocol
			return "alpn " + proto + "\n" + h2Raw(c, "/tls", id)
		})
	}
	r.checkStats()
}
