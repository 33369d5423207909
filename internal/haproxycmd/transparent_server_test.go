package haproxycmd

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// transparentWebs listens on 127.0.0.1, .2 and .3, one port for all: each
// answers with its own name ("w1", "w2", "w3") and the path.
func transparentWebs(t *testing.T) int {
	t.Helper()
	for try := 0; ; try++ {
		port := loopback.FreePort(t)
		var lns []net.Listener
		for _, ip := range []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"} {
			ln, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
			if err != nil {
				break
			}
			lns = append(lns, ln)
		}
		if len(lns) < 3 {
			for _, ln := range lns {
				ln.Close()
			}
			if try < 20 {
				continue
			}
			t.Fatal("no port free on 127.0.0.1-3")
		}
		for i, ln := range lns {
			name := fmt.Sprintf("w%d", i+1)
			srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				rw.Header().Set("Date", "fixed")
				io.WriteString(rw, name+" "+r.URL.Path+"\n")
			})}
			go srv.Serve(ln)
			t.Cleanup(func() { srv.Close() })
		}
		return port
	}
}

// transparentRun runs bin with servers at 0.0.0.0, *, no address and no
// fixed port, in http and tcp mode, fed by set-dst and set-dst-port, and
// returns the answers, the log lines and the servers' rows of show stat
// and show servers state (the web port shown as W).
func transparentRun(t *testing.T, bin string) (answers, lines, stat, state []string) {
	t.Helper()
	w := transparentWebs(t)
	syslog := loopback.ListenUDP(t)
	dir := t.TempDir()
	fp, tp := loopback.FreePort(t), loopback.FreePort(t)
	startWithConfig(t, bin, fmt.Sprintf(`global
    log %[1]s local2
    stats socket %[2]s level admin
defaults
    log global
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fh
    mode http
    log-format "%%ft %%b/%%s %%ST %%[dst] %%HP"
    bind 127.0.0.2:%[3]d
    bind 127.0.0.3:%[3]d
    http-request set-dst ipv4(127.0.0.3) if { path /setdst }
    http-request set-dst-port int(%[5]d) if { path /noport } || { path /fixedhost }
    http-request set-dst-port int(%[6]d) if { path /offset }
    use_backend bnoport if { path /noport }
    use_backend boffset if { path /offset }
    use_backend bfixedhost if { path /fixedhost }
    default_backend bany
frontend ft
    mode tcp
    log-format "%%ft %%b/%%s %%[dst] %%U"
    bind 127.0.0.2:%[4]d
    bind 127.0.0.3:%[4]d
    tcp-request connection set-dst-port int(%[5]d)
    default_backend bt
backend bany
    mode http
    http-reuse always
    server any 0.0.0.0:%[5]d
backend bnoport
    mode http
    server noport 0.0.0.0
backend boffset
    mode http
    server offset *:+1
backend bfixedhost
    mode http
    server fixedhost 127.0.0.3
backend bt
    mode tcp
    server tany ipv4@0.0.0.0
backend bchk
    mode http
    server up 0.0.0.0:%[5]d check inter 100
    server down :+1 check inter 100
`, syslog.LocalAddr(), filepath.Join(dir, "s.sock"), fp, tp, w, w-1), fmt.Sprintf("127.0.0.2:%d", fp), fmt.Sprintf("127.0.0.3:%d", tp))
	for _, req := range []struct{ ip, path string }{
		{"127.0.0.2", "/any"}, {"127.0.0.3", "/any"}, {"127.0.0.2", "/any"},
		{"127.0.0.2", "/setdst"}, {"127.0.0.3", "/noport"}, {"127.0.0.2", "/offset"},
		{"127.0.0.2", "/fixedhost"},
	} {
		c, err := net.Dial("tcp", net.JoinHostPort(req.ip, strconv.Itoa(fp)))
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", req.path)
		b, _ := io.ReadAll(c)
		c.Close()
		head, body, _ := strings.Cut(string(b), "\r\n\r\n")
		answers = append(answers, req.ip+req.path+" "+strings.SplitN(head, "\r\n", 2)[0]+" "+strings.TrimSpace(body))
	}
	for _, ip := range []string{"127.0.0.2", "127.0.0.3"} {
		c, err := net.Dial("tcp", net.JoinHostPort(ip, strconv.Itoa(tp)))
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, "GET /tcp HTTP/1.0\r\n\r\n")
		b, _ := io.ReadAll(c)
		c.Close()
		_, body, _ := strings.Cut(string(b), "\r\n\r\n")
		answers = append(answers, "tcp "+ip+" "+strings.TrimSpace(body))
	}
	readSyslog(syslog, func(l string) bool {
		l = syslogBody.ReplaceAllString(strings.TrimSpace(l), "")
		// not the checks' lines nor the listen probe's on fh
		if strings.HasPrefix(l, "fh ") && !strings.Contains(l, "<BADREQ>") || strings.HasPrefix(l, "ft ") {
			lines = append(lines, l)
		}
		return len(lines) < 10
	})
	sort.Strings(lines)
	time.Sleep(600 * time.Millisecond) // the checks settle (3 failures 100 ms apart)
	sock := filepath.Join(dir, "s.sock")
	ws := strconv.Itoa(w)
	for _, l := range statColumns(t, haproxytest.StatsCmd(t, sock, "show stat"), []string{"pxname", "svname", "status", "check_status", "addr"}) {
		if !strings.Contains(l, "FRONTEND") && !strings.Contains(l, "BACKEND") {
			// "* L4OK": a check was running at that moment
			stat = append(stat, strings.ReplaceAll(strings.ReplaceAll(l, "check_status=* ", "check_status="), ws, "W"))
		}
	}
	for _, l := range strings.Split(haproxytest.StatsCmd(t, sock, "show servers state"), "\n") {
		if f := strings.Fields(l); len(f) > 18 && f[0] != "#" {
			// name, address, op state, port
			state = append(state, strings.Join([]string{f[1], f[3], f[4], f[5], strings.ReplaceAll(f[18], ws, "W")}, " "))
		}
	}
	return answers, lines, stat, state
}

// TestTransparentServerMatchesHAProxy: a server at 0.0.0.0, *, or no
// address connects to the address the client connected to, one without
// a fixed port (none, +N) to the client's port plus the offset; set-dst
// and set-dst-port feed both, in http and tcp mode; a kept-alive
// connection to one destination is not reused for another (http-reuse
// always); the health check goes to the address as written (0.0.0.0:W
// reaches 127.0.0.1, 0.0.0.0:1 is refused).
// Compared with HAProxy 2.6: answers, log lines, show stat and show
// servers state columns.
func TestTransparentServerMatchesHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	wa, wl, ws, wst := transparentRun(t, hp)
	ga, gl, gs, gst := transparentRun(t, gohaproxy)
	diffLines(t, "answers", wa, ga)
	diffLines(t, "log lines", wl, gl)
	diffLines(t, "show stat", ws, gs)
	diffLines(t, "show servers state", wst, gst)
	if len(ga) != 9 || len(gl) != 10 || !strings.Contains(ga[1], "w3 /any") || !strings.Contains(ga[3], "w3 /setdst") {
		t.Errorf("answers %q", ga)
	}
}
