package haproxycfg

import (
	"bytes"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2BodyPastCase is one way an HTTP/2 request with content-length 3
// goes on once its body came whole ("abc" without END_STREAM) or not.
type h2BodyPastCase struct {
	name  string
	first string // the first DATA frame
	apart bool   // sent 300 ms after the HEADERS (else in the same write)
	then  string // "es" (an empty DATA with END_STREAM), "excess" (DATA "def"), "close", "wait" (nothing: timeout client)
	want  string // HAProxy's termination state, checked
}

// h2BodyPast runs one case against addr and says which frames the
// client saw (type and code; WINDOW_UPDATE, SETTINGS and the idle
// connection's GOAWAY, whose time varies, left out).
func h2BodyPast(addr string, tc h2BodyPastCase) string {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return err.Error()
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	c.Write([]byte(http2.ClientPreface))
	var wb bytes.Buffer
	fr := http2.NewFramer(&wb, c)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	fr.WriteSettings()
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, EndHeaders: true,
		BlockFragment: h2Block(":method", "POST", ":scheme", "http", ":authority", "h", ":path", "/p", "content-length", "3")})
	if tc.apart {
		c.Write(wb.Bytes())
		wb.Reset()
		time.Sleep(300 * time.Millisecond)
	}
	fr.WriteData(1, false, []byte(tc.first))
	c.Write(wb.Bytes())
	wb.Reset()
	var mu sync.Mutex
	var out []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				return
			}
			s := h2FrameLine(f, false)
			if s == "" {
				continue
			}
			mu.Lock()
			out = append(out, s)
			mu.Unlock()
		}
	}()
	time.Sleep(400 * time.Millisecond) // the response comes meanwhile
	switch tc.then {
	case "es":
		fr.WriteData(1, true, nil)
		c.Write(wb.Bytes())
	case "excess":
		fr.WriteData(1, false, []byte("def"))
		c.Write(wb.Bytes())
	case "close":
		c.Close()
	case "wait":
		time.Sleep(1500 * time.Millisecond) // past timeout client (1 s)
	}
	time.Sleep(300 * time.Millisecond)
	c.Close()
	<-done
	mu.Lock()
	defer mu.Unlock()
	return strings.Join(out, "\n")
}

// TestH2RequestBodyPastEndMatchesHAProxy: an HTTP/2 request whose body
// came whole by its content-length, its END_STREAM not yet: HAProxy 2.6
// forwards it, sends the response and keeps the stream until the
// request ends, and only then logs it: ---- on END_STREAM; CD and
// RST_STREAM(PROTOCOL_ERROR) on DATA past the content-length; CD when the
// client closes; cD and a reset when timeout client runs out. DATA past
// it in the first frame reset the stream before any of it reached the
// server: CD, status -1. The frames, the bytes the server got, the log
// line and the backend's and server's cli_abrt/srv_abrt must match.
func TestH2RequestBodyPastEndMatchesHAProxy(t *testing.T) {
	t.Parallel() // its own daemons and servers; it waits more than it computes
	srvSeen := make(chan string, 16)
	server := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 4096)
		var all []byte
		for {
			n, err := c.Read(buf)
			all = append(all, buf[:n]...)
			if i := strings.Index(string(all), "\r\n\r\n"); i >= 0 && len(all) >= i+4+3 {
				c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"))
				break
			}
			if err != nil {
				break
			}
		}
		if len(all) > 0 {
			srvSeen <- string(all)
		}
	})
	cfg := `global
    log LOG local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 1s
    timeout server 2s
frontend fe
    bind BIND proto h2
    default_backend be
backend be
    server s1 ` + server + `
`
	sock := filepath.Join(t.TempDir(), "stats.sock")
	ha, goha, haLog, goLog, px := startBothLoggedStats(t, cfg, sock)
	for _, tc := range []h2BodyPastCase{
		{"end later", "abc", true, "es", "----"},
		{"excess later", "abc", true, "excess", "CD--"},
		{"client closes", "abc", true, "close", "CD--"},
		{"timeout client", "abc", true, "wait", "cD--"},
		{"excess in the first DATA", "abcdef", true, "", "CD--"},
		{"excess in the first DATA, with the HEADERS", "abcdef", false, "", "CR--"},
	} {
		base := readAborts(t, sock, px)
		logs := h2CaseBoth(t, tc.name, ha, goha, haLog, goLog, srvSeen, func(addr string) string { return h2BodyPast(addr, tc) }).logs
		if len(logs[0]) != 1 || !strings.Contains(logs[0][0], " "+tc.want+" ") {
			t.Errorf("%s: haproxy logged %q, the case says %s", tc.name, logs[0], tc.want)
		}
		sameAbortDeltas(t, tc.name, sock, px, base)
	}
}
