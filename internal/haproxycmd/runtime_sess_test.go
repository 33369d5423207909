package haproxycmd

import (
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
)

// sessFields reads a `show sess` list: per line, the field names in
// order and the values both daemons must agree on (proto, fe, be, srv,
// and src without its port, which differs by nature). Pointers, times,
// counters and flags are HAProxy's internals and are only named.
func sessFields(t *testing.T, out string) (lines []string, ids []string) {
	t.Helper()
	ptr := regexp.MustCompile(`^0x[0-9a-f]+:$`)
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n\n"), "\n") {
		if l == "" {
			continue
		}
		f := strings.Fields(l)
		if !ptr.MatchString(f[0]) {
			t.Errorf("line does not start with a stream pointer: %q", l)
			continue
		}
		ids = append(ids, strings.TrimSuffix(f[0], ":"))
		var norm []string
		for _, kv := range f[1:] {
			k, v, _ := strings.Cut(kv, "=")
			if i := strings.IndexByte(k, '['); i > 0 { // rq[f=...]
				k = k[:i]
			}
			switch k {
			case "proto", "fe", "be", "srv":
				norm = append(norm, k+"="+v)
			case "src":
				if h, _, err := net.SplitHostPort(v); err == nil {
					v = h
				}
				norm = append(norm, k+"="+v)
			default:
				norm = append(norm, k)
			}
		}
		lines = append(lines, strings.Join(norm, " "))
	}
	return lines, ids
}

// `show sess` lists a held-open TCP session beside the CLI's own stream
// with HAProxy's fields in HAProxy's order and the same proto, src, fe,
// be and srv; `shutdown session <id>` closes that client connection on
// both; bad ids get HAProxy's bytes.
func TestShowSessShutdownSessionMatchHAProxy(t *testing.T) {
	p := startRuntimePair(t)
	p.same(t, "show sess 0x1234", "show sess 1234", "shutdown session", "shutdown session foo",
		"shutdown session 0x", "shutdown session 0x1234", "shutdown session 1234",
		"user; show sess", "operator; shutdown session 0x1234", "help show sess", "help shutdown session")
	compare := func(what string, want int) (haIDs, goIDs []string) {
		t.Helper()
		ha, goha := p.both(t, "show sess")
		haL, haIDs := sessFields(t, ha)
		goL, goIDs := sessFields(t, goha)
		// HAProxy walks its streams thread by thread: the CLI's own
		// line may come first or last. goha lists it last.
		haL, haIDs = cliLast(haL, haIDs)
		if len(haL) != want || strings.Join(haL, "\n") != strings.Join(goL, "\n") {
			t.Errorf("%s: show sess\nhaproxy %q\n   goha %q\n(raw haproxy %q\n   goha %q)", what, haL, goL, ha, goha)
		}
		return haIDs, goIDs
	}
	compare("no client", 1)
	// A connection to the HTTP frontend without a complete request has
	// no stream in HAProxy.
	for _, addr := range []string{p.haBind, p.goBind} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.Write([]byte("GET / HTTP/1.1\r\n"))
	}
	time.Sleep(200 * time.Millisecond)
	compare("partial HTTP request", 1)
	conns := map[string]net.Conn{"haproxy": keepAliveGet(t, p.haTCP), "goha": keepAliveGet(t, p.goTCP)}
	if conns["haproxy"] == nil || conns["goha"] == nil {
		t.FailNow()
	}
	haIDs, goIDs := compare("held-open TCP session", 2)
	if len(haIDs) != 2 || len(goIDs) != 2 {
		t.FailNow()
	}
	// the id of a listed session is stable and names it
	if _, again := compare("listed again", 2); again[0] != goIDs[0] {
		t.Errorf("goha's session id changed: %s then %s", goIDs[0], again[0])
	}
	for name, id := range map[string]string{"haproxy": haIDs[0], "goha": goIDs[0]} {
		sock := map[string]string{"haproxy": p.haSock, "goha": p.goSock}[name]
		if out := haproxytest.StatsCmd(t, sock, "shutdown session "+id); out != "\n" {
			t.Errorf("%s: shutdown session %s answered %q", name, id, out)
		}
		c := conns[name]
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		buf := make([]byte, 4096)
		for {
			if _, err := c.Read(buf); err != nil {
				if isTimeout(err) {
					t.Errorf("%s: the session %s is still open", name, id)
				}
				break
			}
		}
		c.Close()
	}
	time.Sleep(100 * time.Millisecond)
	compare("after shutdown session", 1)
	// An HTTP request waiting for its server's answer is listed with
	// the backend and server serving it.
	p.requestAtSilentServer(t)
	time.Sleep(300 * time.Millisecond)
	compare("HTTP request at its server", 2)
	// the closed session's id is gone: goha answers as HAProxy for an
	// unknown id (HAProxy itself may already reuse the freed pointer)
	for _, cmd := range []string{"show sess ", "shutdown session "} {
		ha, goha := haproxytest.StatsCmd(t, p.haSock, cmd+"0x1234"), haproxytest.StatsCmd(t, p.goSock, cmd+goIDs[0])
		if ha != goha {
			t.Errorf("%s<closed id>: haproxy %q goha %q", cmd, ha, goha)
		}
	}
}

// cliLast moves HAProxy's line for the CLI's own stream to the end.
func cliLast(lines, ids []string) ([]string, []string) {
	for i, l := range lines {
		if strings.Contains(l, "fe=GLOBAL") && i != len(lines)-1 {
			lines = append(append(append([]string{}, lines[:i]...), lines[i+1:]...), l)
			ids = append(append(append([]string{}, ids[:i]...), ids[i+1:]...), ids[i])
			break
		}
	}
	return lines, ids
}
