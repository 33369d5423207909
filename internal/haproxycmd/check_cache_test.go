package haproxycmd

import (
	"bufio"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// checkCacheServer answers /r?s=<status>&h=<Name:value>... with that
// status and those header fields, head and body in one write (so what
// the proxy has buffered of the body when it blocks is the same in both).
func checkCacheServer(t *testing.T) string {
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		defer c.Close()
		r := bufio.NewReader(c)
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		for {
			l, err := r.ReadString('\n')
			if err != nil || l == "\r\n" {
				break
			}
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			return
		}
		u, _ := url.Parse(f[1])
		q := u.Query()
		status := q.Get("s")
		var b strings.Builder
		b.WriteString("HTTP/1.1 " + status + " X\r\ncontent-length: 5\r\n")
		for _, h := range q["h"] {
			name, value, _ := strings.Cut(h, ":")
			b.WriteString(name + ": " + value + "\r\n")
		}
		b.WriteString("\r\n")
		if f[0] != "HEAD" {
			b.WriteString("body\n")
		}
		c.Write([]byte(b.String()))
	})
}

var checkCacheConnsRE = regexp.MustCompile(` \d+/\d+/(\d+/\d+/\d+ \d+/\d+ ")`)

var checkCacheLogRE = regexp.MustCompile(`127\.0\.0\.1:\d+ \[[^\]]+\] (\S+ \S+) (-?\d+)/(-?\d+)/(-?\d+)/(-?\d+)/(-?\d+) `)

// TestCheckCacheBesideHAProxy: option checkcache beside HAProxy 2.6 on a
// matrix of responses carrying Set-Cookie (Cache-Control public,
// private, no-cache="set-cookie", max-age, max-age=0, s-maxage; Expires,
// ETag, Last-Modified; Pragma; statuses; methods; Set-Cookie2; a cookie
// removed by an http-response rule; a `cookie insert nocache` backend):
// what the client gets and every log line (the alert "Blocking cacheable
// cookie ..." at its priority, the transaction's line).
func TestCheckCacheBesideHAProxy(t *testing.T) {
	haproxyBin := testenv.LookPath(t, "haproxy")
	web := checkCacheServer(t)
	cases := []struct{ method, query string }{
		{"GET", "s=200&h=Set-Cookie:a=b&h=Cache-Control:max-age=60"},
		{"GET", "s=200&h=Set-Cookie:a=b"},
		{"GET", "s=200&h=Set-Cookie:a=b&h=Cache-Control:public"},
		{"GET", "s=200&h=Set-Cookie:a=b&h=Cache-Control:public, max-age=60"},
		{"GET", "s=200&h=Set-Cookie:a=b&h=Expires:Thu, 01 Jan 2099 00:00:00 GMT"},
		{"GET", "s=200&h=Set-Cookie:a=b&h=Last-Modified:Thu, 01 Jan 2015 00:00:00 GMT"},
		{"GET", "s=200&h=Set-Cookie:a=b&h=ETag:\"x\""},
		{"GET", "s=200&h=Set-Cookie:a=b&h=Cache-Control:max-age=60&h=Cache-Control:private"},
		{"GET", "s=200&h=Set-Cookie:a=b&h=Cache-Control:private&h=Cache-Control:public, max-age=60"},
		{"GET", "s=200&h=Set-Cookie:a=b&h=Cache-Control:no-cache=\"set-cookie\", max-age=60"},
		{"GET", "s=200&h=Set-Cookie:a=b&h=Pragma:no-cache&h=Cache-Control:max-age=60"},
		{"GET", "s=200&h=Set-Cookie:a=b&h=Cache-Control:max-age=0"},
		{"GET", "s=200&h=Set-Cookie:a=b&h=Cache-Control:max-age=0, s-maxage=60"},
		{"GET", "s=200&h=Set-Cookie:a=b&h=Cache-Control:s-maxage=0&h=ETag:\"x\""},
		{"GET", "s=200&h=Set-Cookie2:a=b&h=Cache-Control:max-age=60"},
		{"GET", "s=200&h=Set-Cookie:a=b&h=Vary:*&h=Cache-Control:max-age=60"},
		{"GET", "s=200&h=Cache-Control:max-age=60"},
		{"GET", "s=404&h=Set-Cookie:a=b&h=Cache-Control:max-age=60"},
		{"GET", "s=203&h=Set-Cookie:a=b&h=Cache-Control:max-age=60"},
		{"GET", "s=302&h=Set-Cookie:a=b&h=Cache-Control:max-age=60"},
		{"GET", "s=500&h=Set-Cookie:a=b&h=Cache-Control:max-age=60"},
		{"POST", "s=200&h=Set-Cookie:a=b&h=Cache-Control:max-age=60"},
		{"HEAD", "s=200&h=Set-Cookie:a=b&h=Cache-Control:max-age=60"},
		{"OPTIONS", "s=200&h=Set-Cookie:a=b&h=Cache-Control:max-age=60"},
		{"GET", "s=200&h=Set-Cookie:a=b&h=Cache-Control:max-age=60&h=X-Del:1"},
		{"GET", "nc&s=200&h=Set-Cookie:a=b&h=Cache-Control:max-age=60"},
	}
	run := func(bin string) []string {
		logs := loopback.ListenUDP(t)
		fe := loopback.FreeAddr(t)
		cfg := `global
    log ` + logs.LocalAddr().String() + ` local0
defaults
    mode http
    log global
    option httplog
    timeout connect 1s
    timeout client 2s
    timeout server 2s
frontend fe
    bind ` + fe + `
    use_backend nc if { query -m beg nc }
    http-response del-header Set-Cookie if { res.hdr(X-Del) -m found }
    default_backend be
backend be
    option checkcache
    server s1 ` + web + `
backend nc
    option checkcache
    cookie SRV insert nocache
    server s2 ` + web + ` cookie s2
`
		startWithConfig(t, bin, cfg, fe)
		drainSyslog(logs)
		var out []string
		for _, c := range cases {
			q := strings.NewReplacer(" ", "%20", "\"", "%22").Replace(c.query)
			resp := rawExchange(t, fe, c.method+" /r?"+q+" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
			head, body, _ := strings.Cut(resp, "\r\n\r\n")
			status, _, _ := strings.Cut(head, "\r\n")
			var lines []string
			readSyslog(logs, func(d string) bool {
				pri, _, _ := strings.Cut(d, ">")
				_, l, ok := strings.Cut(d, "]: ")
				if !ok {
					return true
				}
				l = checkCacheLogRE.ReplaceAllStringFunc(strings.TrimSpace(l), func(m string) string {
					p := checkCacheLogRE.FindStringSubmatch(m)
					for i := 2; i <= 6; i++ {
						if n, _ := strconv.Atoi(p[i]); n >= 0 {
							p[i] = "N"
						}
					}
					return fmt.Sprintf("C [D] %s %s/%s/%s/%s/%s ", p[1], p[2], p[3], p[4], p[5], p[6])
				})
				// %ac/%fc: a previous connection may still be counted
				l = checkCacheConnsRE.ReplaceAllString(l, " A/F/$1")
				lines = append(lines, pri+"> "+l)
				return !strings.Contains(l, "\" ") && !strings.HasSuffix(l, "HTTP/1.1\"")
			})
			out = append(out, fmt.Sprintf("%s %s: %s | %d body bytes | %s", c.method, c.query, status, len(body), strings.Join(lines, " || ")))
		}
		return out
	}
	want, got := run(haproxyBin), run(gohaproxy)
	blocked := 0
	for i := range want {
		if strings.Contains(want[i], "Blocking cacheable cookie") {
			blocked++
		}
		if i >= len(got) || got[i] != want[i] {
			t.Errorf("\nhaproxy: %s\ngoha:    %s", want[i], got[min(i, len(got)-1)])
		} else {
			t.Log(want[i])
		}
	}
	if blocked == 0 || blocked == len(want) {
		t.Errorf("haproxy blocked %d of %d responses", blocked, len(want))
	}
}
