package haproxycmd

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// cookieRecorder is a backend that answers every request with its name
// and the Cookie fields it received, in order, as the body; a path
// starting with /sc makes it set SRV=app and other=1, /cc adds
// Cache-Control: public, /302 answers a redirect.
func cookieRecorder(t *testing.T, name string) string {
	t.Helper()
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			var body strings.Builder
			body.WriteString(name + "\n")
			reqLine, err := br.ReadString('\n')
			if err != nil {
				return
			}
			length := 0
			for {
				l, err := br.ReadString('\n')
				if err != nil {
					return
				}
				if l == "\r\n" {
					break
				}
				low := strings.ToLower(l)
				if strings.HasPrefix(low, "cookie:") {
					body.WriteString(l)
				}
				if strings.HasPrefix(low, "content-length:") {
					fmt.Sscanf(strings.TrimSpace(l[len("content-length:"):]), "%d", &length)
				}
			}
			io.CopyN(io.Discard, br, int64(length))
			path := strings.Fields(reqLine + " / ")[1]
			if strings.HasPrefix(path, "/ws") {
				io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
					"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
				return
			}
			status, extra := "200 OK", ""
			if strings.HasPrefix(path, "/sc") {
				extra += "Set-Cookie: SRV=app; path=/app\r\nSet-Cookie: other=1\r\n"
			}
			switch {
			case strings.HasPrefix(path, "/cc"):
				extra += "Cache-Control: public\r\n"
			case strings.HasPrefix(path, "/ma"):
				extra += "Cache-Control: max-age=60\r\n"
			case strings.HasPrefix(path, "/m0"):
				extra += "Cache-Control: max-age=60, private\r\n"
			case strings.HasPrefix(path, "/et"):
				extra += "ETag: \"x\"\r\n"
			case strings.HasPrefix(path, "/ex"):
				extra += "Expires: Thu, 01 Jan 2099 00:00:00 GMT\r\n"
			case strings.HasPrefix(path, "/s2"):
				extra += "Set-Cookie2: a=1, SRV=app; Version=1, b=\"x,y\"\r\n"
			case strings.HasPrefix(path, "/s3"):
				extra += "Set-Cookie2: SRV = app; Version=1\r\nSet-Cookie: c=1\r\n"
			case strings.HasPrefix(path, "/s4"):
				extra += "Set-Cookie2: SRV=x, c=3;Version=1,d=4\r\n"
			case strings.HasPrefix(path, "/pn"):
				extra += "Pragma: no-cache\r\nETag: \"x\"\r\n"
			}
			if strings.HasPrefix(path, "/302") {
				status = "302 Found"
				extra += "Location: /x\r\n"
			}
			fmt.Fprintf(c, "HTTP/1.1 %s\r\n%scontent-length: %d\r\n\r\n%s", status, extra, body.Len(), body.String())
		}
	})
}

// cookieBackends are the persistence settings compared, one frontend and
// backend each: W1, W2 are live servers, DEAD refuses connections. (In
// forcedead the dead server has weight 0: only its cookie sends requests
// there, so the balancer's choices after redispatches stay out of it.)
var cookieBackends = []struct{ name, lines string }{
	{"ins", "cookie SRV insert indirect nocache httponly secure domain .a.example domain b.example attr SameSite=Lax attr x=y\n    server s1 W1 cookie one\n    server s2 W2 cookie two"},
	{"plain", "cookie SRV insert\n    server s1 W1 cookie one\n    server s2 W2 cookie two\n    server s3 W1"},
	{"rw", "cookie SRV rewrite\n    server s1 W1 cookie one\n    server s2 W2 cookie two"},
	{"pfx", "cookie SRV prefix\n    server s1 W1 cookie one\n    server s2 W2 cookie two"},
	{"pfxind", "cookie SRV prefix indirect\n    server s1 W1 cookie one\n    server s2 W2 cookie two"},
	{"dates", "cookie SRV insert indirect maxidle 30m maxlife 2h\n    server s1 W1 cookie one\n    server s2 W2 cookie two"},
	{"idle", "cookie SRV insert maxidle 10m\n    server s1 W1 cookie one\n    server s2 W2 cookie two"},
	{"post", "cookie SRV insert postonly preserve\n    server s1 W1 cookie one\n    server s2 W2 cookie two"},
	{"passive", "cookie SRV\n    server s1 W1 cookie one\n    server s2 W2 cookie two"},
	{"pasind", "cookie SRV indirect preserve\n    server s1 W1 cookie one\n    server s2 W2 cookie two"},
	{"down", "cookie SRV insert indirect\n    server s1 W1 cookie one disabled\n    server s2 W2 cookie two"},
	{"persist", "cookie SRV insert indirect\n    option persist\n    server s1 W1 cookie one disabled\n    server s2 W2 cookie two"},
	{"force", "cookie SRV insert indirect\n    force-persist if { req.hdr(x-force) 1 }\n    ignore-persist if { req.hdr(x-ign) 1 }\n    server s1 W1 cookie one disabled\n    server s2 W2 cookie two"},
	{"redisp", "cookie SRV insert indirect\n    option redispatch\n    server s1 DEAD cookie one\n    server s2 W2 cookie two"},
	{"noredisp", "cookie SRV insert indirect\n    server s1 DEAD cookie one\n    server s2 W2 cookie two"},
	{"shared", "cookie SRV insert indirect\n    server s1 W1 cookie one disabled\n    server s2 W2 cookie one"},
	{"forcedead", "cookie SRV insert indirect\n    option redispatch\n    force-persist if { req.hdr(x-force) 1 }\n    server s1 DEAD cookie one weight 0\n    server s2 W2 cookie two"},
	{"persistdead", "cookie SRV insert indirect\n    option persist\n    option redispatch\n    server s1 DEAD cookie one disabled\n    server s2 W2 cookie two"},
	{"dyn", "cookie SRV insert indirect dynamic\n    dynamic-cookie-key s3cr3t\n    server s1 W1\n    server s2 W2 cookie two"},
	// a listen section: its own rules answer /deny and /ret
	{"lst", "http-request deny if { path_beg /deny }\n    http-request return status 200 if { path_beg /ret }\n    cookie SRV insert indirect\n    server s1 W1 cookie one\n    server s2 W2 cookie two"},
	{"every", "cookie SRV insert indirect\n    option redispatch 1\n    retries 2\n    server s1 DEAD cookie one\n    server s2 W2 cookie two\n    server s3 W1 cookie three"},
}

// b64date is HAProxy's cookie date (4-second units, five base64 digits).
func b64date(unix int64) string {
	const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	v := unix >> 2
	var out []byte
	for i := 0; i < 5; i++ {
		out = append(out, digits[(v>>24)&0x3f])
		v <<= 6
	}
	return string(out)
}

// wsKey completes a WebSocket upgrade request (HAProxy refuses one
// without a key).
const wsKey = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"

// cookieRequests are sent to every frontend, each on its own connection.
func cookieRequests() []string {
	now := time.Now().Unix()
	recent, hourAgo := b64date(now-60), b64date(now-3600)
	var out []string
	for _, h := range []string{
		"",
		"Cookie: SRV=one\r\n",
		"Cookie: SRV=two; other=x\r\n",
		"Cookie: a=1; SRV=two; b=2\r\n",
		"Cookie: a=1;SRV=one\r\n",
		"Cookie: SRV=nope\r\n",
		"Cookie: SRV=\r\n",
		"Cookie: SRV=two\r\nCookie: x=1; SRV=one\r\n",
		"Cookie: $Version=1; SRV=one; $Path=/; x=2\r\n",
		"Cookie:  SRV = two ; x = 2\r\n",
		"Cookie: noeq; SRV=one; y\r\n",
		"Cookie: SRV=one, z=3\r\n",
		"Cookie: SRV=one~app; k=v\r\n",
		"Cookie: SRV=two~\r\n",
		"Cookie: SRV=one|AAAAB\r\n",
		"Cookie: SRV=one|/////\r\n",
		"Cookie: SRV=two|" + recent + "\r\n",
		"Cookie: SRV=two|" + hourAgo + "|" + hourAgo + "\r\n",
		"Cookie: SRV=one|" + recent + "|AAAAB\r\n",
		"Cookie: SRV=one\r\nX-Force: 1\r\n",
		"Cookie: SRV=two\r\nX-Ign: 1\r\n",
	} {
		out = append(out, "GET / HTTP/1.1\r\nHost: t\r\n"+h+"Connection: close\r\n\r\n")
	}
	out = append(out,
		"GET /sc HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
		"GET /sc HTTP/1.1\r\nHost: t\r\nCookie: SRV=two\r\nConnection: close\r\n\r\n",
		"GET /sc HTTP/1.1\r\nHost: t\r\nCookie: SRV=two\r\nX-Ign: 1\r\nConnection: close\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
		"POST /sc HTTP/1.1\r\nHost: t\r\nCookie: SRV=one\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
		"GET /cc HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
		"GET /ma HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
		"GET /m0 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
		"GET /et HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
		"HEAD /ex HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
		"GET /pn HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
		"POST /ma HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
		"GET /302 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
		"HEAD / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
		"GET /deny HTTP/1.1\r\nHost: t\r\nCookie: SRV=one\r\nConnection: close\r\n\r\n",
		"GET /deny HTTP/1.1\r\nHost: t\r\nCookie: SRV=nope\r\nConnection: close\r\n\r\n",
		"GET /ret HTTP/1.1\r\nHost: t\r\nCookie: SRV=one\r\nConnection: close\r\n\r\n",
		"GET /ws HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"+wsKey+"\r\n",
		"GET /ws HTTP/1.1\r\nHost: t\r\nCookie: SRV=two\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"+wsKey+"\r\n",
		"GET /s2 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
		"GET /s3 HTTP/1.1\r\nHost: t\r\nCookie: SRV=two\r\nConnection: close\r\n\r\n",
		"GET /s4 HTTP/1.1\r\nHost: t\r\nCookie: SRV=one\r\nConnection: close\r\n\r\n",
	)
	return out
}

// cookieDate masks the dates of maxidle/maxlife cookies once checked
// (checkCookieDates): two runs a moment apart may straddle a 4-second step.
var cookieDate = regexp.MustCompile(`\|[A-Za-z0-9+/]{5}`)

// checkCookieDates decodes the dates of an inserted cookie: each must be
// the current date as HAProxy writes it ((now+3)/4 in 4-second units),
// within a few steps either way, or the first date of a maxlife cookie.
func checkCookieDates(t *testing.T, setCookie string, first map[string]bool) {
	t.Helper()
	const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	value, _, _ := strings.Cut(setCookie, ";")
	now := time.Now().Unix()
	for i, d := range cookieDate.FindAllString(value, -1) {
		var v int64
		for _, c := range d[1:] {
			v = v<<6 + int64(strings.IndexRune(digits, c))
		}
		if i == 1 && first[d] {
			continue // a first date carried over from the request
		}
		if sec := v << 2; sec < now-20 || sec > now+8 {
			t.Errorf("%q: date %s is %d, now is %d", setCookie, d, sec, now)
		}
	}
}

// cookieKeepAlive sends four requests on one connection, one after the
// other (the first two pipelined), and returns what each got.
func cookieKeepAlive(t *testing.T, addr, name string) []string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	reqs := []string{
		"GET /sc?n=91 HTTP/1.1\r\nHost: t\r\nCookie: SRV=one\r\n\r\nGET /?n=92 HTTP/1.1\r\nHost: t\r\n\r\n",
		"",
		"GET /sc?n=93 HTTP/1.1\r\nHost: t\r\nCookie: x=1; SRV=two\r\n\r\n",
		"GET /?n=94 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
	}
	var out []string
	for i, r := range reqs {
		io.WriteString(c, r)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%s: keep-alive response %d: %v", name, i, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		a := fmt.Sprintf("%s keep-alive #%d: %d %q %q %s", name, i, resp.StatusCode, resp.Header.Values("Set-Cookie"),
			resp.Header.Values("Cache-Control"), body)
		out = append(out, cookieDate.ReplaceAllString(a, "|DATE"))
	}
	return out
}

// requestDates are the dates the request's cookies carry.
func requestDates(req string) map[string]bool {
	m := map[string]bool{}
	for _, d := range cookieDate.FindAllString(req, -1) {
		m[d] = true
	}
	return m
}

// cookieExchange sends req to addr and returns the status line, the
// set-cookie and cache-control fields in order, and the body.
func cookieExchange(t *testing.T, addr, req string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, req)
	raw, _ := io.ReadAll(c)
	head, body, _ := strings.Cut(string(raw), "\r\n\r\n")
	lines := strings.Split(head, "\r\n")
	out := []string{lines[0]}
	for _, l := range lines[1:] {
		low := strings.ToLower(l)
		if strings.HasPrefix(low, "set-cookie") || strings.HasPrefix(low, "cache-control:") {
			out = append(out, l)
		}
		if strings.HasPrefix(low, "set-cookie:") {
			checkCookieDates(t, l, requestDates(req))
		}
	}
	if strings.Contains(lines[0], " 200 ") || strings.Contains(lines[0], " 302 ") || strings.Contains(lines[0], " 101 ") {
		out = append(out, body)
	}
	return cookieDate.ReplaceAllString(strings.Join(out, "\n"), "|DATE")
}

// cookieRun runs bin with every cookie backend and returns, per frontend
// and request, what the client got and the log line.
func cookieRun(t *testing.T, bin string, webs []string, dead string, reqs []string) (answers, logs []string, stats string) {
	t.Helper()
	syslog := loopback.ListenUDP(t)
	sock := filepath.Join(t.TempDir(), "stats")
	var cfg strings.Builder
	fmt.Fprintf(&cfg, `global
    log %s local2
    stats socket %s level admin
defaults
    mode http
    log global
    log-format "%%f %%{+Q}HQ %%b/%%s %%ST %%tsc %%rc"
    timeout connect 100ms
    timeout client 5s
    timeout server 5s
    retries 1
`, syslog.LocalAddr(), sock)
	var binds []string
	for _, b := range cookieBackends {
		bind := loopback.FreeAddr(t)
		binds = append(binds, bind)
		lines := strings.NewReplacer("W1", webs[0], "W2", webs[1], "DEAD", dead).Replace(b.lines)
		if b.name == "lst" {
			fmt.Fprintf(&cfg, "listen %s\n    bind %s\n    %s\n", b.name, bind, lines)
			continue
		}
		fmt.Fprintf(&cfg, "frontend %s\n    bind %s\n    default_backend b%s\nbackend b%s\n    %s\n", b.name, bind, b.name, b.name, lines)
	}
	startWithConfig(t, bin, cfg.String(), binds...)
	// The lines are read while the requests go: hundreds of datagrams
	// would overflow the socket's receive buffer.
	want := len(cookieBackends) * len(reqs)
	want += 3 * 4 // cookieKeepAlive's
	got := make(chan []string, 1)
	go func() {
		var lines []string
		buf := make([]byte, 4096)
		syslog.SetReadDeadline(time.Now().Add(60 * time.Second)) // the whole run
		for len(lines) < want {
			n, err := syslog.Read(buf)
			if err != nil {
				break
			}
			// startWithConfig's readiness probes connect and close:
			// those lines are not compared.
			l := string(buf[:n])
			if i := strings.Index(l, "]: "); i >= 0 && !strings.Contains(l, " CR-- ") {
				lines = append(lines, strings.TrimSpace(l[i+3:]))
			}
		}
		// Lines are compared frontend by frontend, in request order
		// ("<frontend> "?n=<j>" ...").
		sort.Strings(lines)
		got <- lines
	}()
	for i, b := range cookieBackends {
		for j, r := range reqs {
			// ?n=<j> orders the log lines (sent after each response)
			r = strings.Replace(r, " HTTP/1.1", fmt.Sprintf("?n=%02d HTTP/1.1", j), 1)
			answers = append(answers, fmt.Sprintf("%s #%d: %s", b.name, j, cookieExchange(t, binds[i], r)))
		}
	}
	// Kept-alive connections: each transaction starts from no cookie
	// state (the second and fourth requests carry no cookie).
	for i, b := range cookieBackends {
		if b.name == "ins" || b.name == "dates" || b.name == "rw" {
			answers = append(answers, cookieKeepAlive(t, binds[i], b.name)...)
		}
	}
	logs = <-got
	return answers, logs, cookieStats(t, haproxytest.StatsCmd(t, sock, "show stat"))
}

// deadServer are the backends whose s1 refuses connections.
var deadServer = map[string]bool{"bredisp": true, "bnoredisp": true, "bforcedead": true, "bpersistdead": true, "bevery": true}

// cookieStats keeps, per backend and server row of `show stat`, the
// cookie column, the requests sent (stot) and the balancer picks (lbtot):
// requests a cookie sent straight to a server are not picks.
func cookieStats(t *testing.T, csv string) string {
	t.Helper()
	rows := strings.Split(strings.TrimSpace(csv), "\n")
	col := map[string]int{}
	for i, h := range strings.Split(strings.TrimPrefix(rows[0], "# "), ",") {
		col[h] = i
	}
	var out []string
	for _, r := range rows[1:] {
		f := strings.Split(r, ",")
		if len(f) <= col["cookie"] || f[col["svname"]] == "FRONTEND" {
			continue
		}
		px, sv := f[col["pxname"]], f[col["svname"]]
		stot, lbtot := f[col["stot"]], f[col["lbtot"]]
		if deadServer[px] && (sv == "s1" || sv == "BACKEND") {
			// gohaproxy counts a server's stot and lbtot for the
			// connections that succeeded, HAProxy for every attempt
			// (a gap of the retry path, cookies or not)
			stot, lbtot = "-", "-"
		}
		out = append(out, fmt.Sprintf("%s/%s cookie=%s stot=%s lbtot=%s", px, sv, f[col["cookie"]], stot, lbtot))
	}
	return strings.Join(out, "\n")
}

// TestCookiePersistenceMatchesHAProxy: the same requests through HAProxy
// 2.6 and gohaproxy with every cookie mode and option (insert, rewrite,
// prefix, passive, indirect, nocache, postonly, preserve, httponly,
// secure, domain, attr, maxidle, maxlife), a server in maintenance with
// and without option persist / force-persist / ignore-persist, and a dead
// server with and without option redispatch: the status, the Set-Cookie
// and Cache-control fields (dates masked), the server that answered and
// the Cookie fields it received, and the log's server, %tsc and %rc.
func TestCookiePersistenceMatchesHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	webs := []string{cookieRecorder(t, "web1"), cookieRecorder(t, "web2")}
	dead := loopback.DeadAddr(t)
	reqs := cookieRequests()
	wantA, wantL, wantS := cookieRun(t, hp, webs, dead, reqs)
	gotA, gotL, gotS := cookieRun(t, gohaproxy, webs, dead, reqs)
	if wantS != gotS {
		w, g := strings.Split(wantS, "\n"), strings.Split(gotS, "\n")
		for i := range w {
			if i >= len(g) || w[i] != g[i] {
				t.Errorf("show stat:\n haproxy   %s\n gohaproxy %s", w[i], g[min(i, len(g)-1)])
			}
		}
	}
	for i := range wantA {
		if i >= len(gotA) || wantA[i] != gotA[i] {
			g := ""
			if i < len(gotA) {
				g = gotA[i]
			}
			t.Errorf("answer differs:\n haproxy   %q\n gohaproxy %q", wantA[i], g)
		}
	}
	if len(wantL) != len(wantA) || len(gotL) != len(wantL) {
		t.Fatalf("log lines: haproxy %d, gohaproxy %d, requests %d", len(wantL), len(gotL), len(wantA))
	}
	// The requests must reach every cookie state HAProxy logs, or the
	// comparison proves less than it claims.
	seen := map[string]bool{}
	for _, l := range wantL {
		if f := strings.Fields(l); len(f) > 4 && len(f[4]) == 4 {
			seen[f[4][2:]] = true
		}
	}
	for _, st := range []string{"NI", "NN", "VN", "VU", "VD", "VR", "VP", "II", "DI", "DN", "UN", "EI", "OI", "--", "IN"} {
		if !seen[st] {
			t.Errorf("no request made HAProxy log cookie state %q (saw %v)", st, seen)
		}
	}
	for i := range wantL {
		if wantL[i] != gotL[i] {
			t.Errorf("log line %d:\n haproxy   %s\n gohaproxy %s", i, wantL[i], gotL[i])
		}
	}
}
