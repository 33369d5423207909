package haproxycmd

import (
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/haproxytest"
)

// set severity-output, set/show profiling, show fd, show threads and
// show ssl providers answer as HAProxy 2.6 does: the same bytes for the
// errors, the state lines and the severity prefixes (a chain of
// commands on one session), the same line shape for the figures.
func TestDebugCommandsMatchHAProxy(t *testing.T) {
	p := startFormatsPair(t)
	chain := "set profiling; show cli level; get var proc.x; set timeout x; show fd x; trace 0; show backend; show env NOSUCH_GOHA; user; show fd"
	for _, c := range []string{"set severity-output", "set severity-output x", "set severity-output none", "user; set severity-output number",
		"set profiling", "set profiling x on", "set profiling tasks", "set profiling tasks x", "set profiling memory on", "set profiling memory off",
		"show profiling x", "show profiling memory", "show profiling status", "operator; set profiling tasks on", "operator; show profiling",
		"set profiling tasks on; show profiling status", "set profiling tasks off; show profiling status all 3 byaddr status",
		"set profiling tasks auto; show profiling status", "user; show fd", "show fd x", "show fd 0", "show fd 99999", "show fd -1",
		"set severity-output number; " + chain, "set severity-output string; " + chain, "set severity-output number; set severity-output none; set profiling",
		"set severity-output string; set severity-output x; set profiling",
		// info and warning answers of other commands
		"set severity-output number; add server be/s9 127.0.0.1:2; del server be/s9; set server be/s3 check-port 5; set server be/s3 agent up; set server be/s3 agent-addr 127.0.0.1; set server be/s3 weight 2x"} {
		if ha, goha := haproxytest.StatsCmd(t, p.haSock, c), haproxytest.StatsCmd(t, p.goSock, c); ha != goha {
			t.Errorf("%s\nhaproxy %q\n   goha %q", c, ha, goha)
		}
	}
	// HAProxy lists its tasks under the header; goha runs none.
	c := "show profiling"
	ha, goha := haproxytest.StatsCmd(t, p.haSock, c), haproxytest.StatsCmd(t, p.goSock, c)
	if head := strings.Join(strings.SplitAfter(ha, "\n")[:4], ""); goha != head+"\n" {
		t.Errorf("%s\nhaproxy %q\n   goha %q", c, ha, goha)
	}
	helpLines := func(sock string) (out []string) {
		for _, l := range strings.Split(haproxytest.StatsCmd(t, sock, "help"), "\n") {
			for _, w := range []string{"severity-output", "show threads", "show fd", "profiling", "ssl providers"} {
				if strings.Contains(l, w) {
					out = append(out, l)
				}
			}
		}
		return out
	}
	if ha, goha := helpLines(p.haSock), helpLines(p.goSock); strings.Join(ha, "\n") != strings.Join(goha, "\n") || len(ha) != 6 {
		t.Errorf("help\nhaproxy %q\n   goha %q", ha, goha)
	}

	// show ssl providers: HAProxy's title, one provider per line.
	provider := regexp.MustCompile(`^Loaded providers : \n(\t- \S.*\n)+\n$`)
	fdLine := regexp.MustCompile(`^ {0,6}(\d+) : st=0x[0-9a-f]{6}\([a-zA-Z :]+\) ref=0 gid=1 tmask=0x[0-9a-f]+ umask=0x[0-9a-f]+ prmsk=0x[0-9a-f]+ pwmsk=0x[0-9a-f]+ owner=0x[0-9a-f]+ iocb=0x[0-9a-f]+\((\w+)\)(.*)$`)
	thread := regexp.MustCompile(`^([* ]) Thread (\d+) : id=0x[0-9a-f]+ act=[01] glob=0 wq=\d+ rq=\d+ tl=\d+ tlsz=\d+ rqsz=\d+$`)
	for name, s := range map[string]struct{ sock, bind string }{"haproxy": {p.haSock, p.haBind}, "goha": {p.goSock, p.goBind}} {
		if out := haproxytest.StatsCmd(t, s.sock, "show ssl providers"); !provider.MatchString(out) {
			t.Errorf("%s: show ssl providers %q", name, out)
		}
		// show fd: the frontend's listener, the stats socket and this
		// CLI connection, each in HAProxy's line shape.
		out := haproxytest.StatsCmd(t, s.sock, "show fd")
		port := s.bind[strings.LastIndexByte(s.bind, ':')+1:]
		want := map[string]string{
			"l.st=RDY fe=fe fam=ipv4 lport=" + port: "", "l.st=RDY fe=GLOBAL fam=unix": "", "back=0 cflg=0x00000300 cerr=0 fam=unix fe=GLOBAL": "",
		}
		for _, l := range strings.Split(strings.TrimSuffix(out, "\n\n"), "\n") {
			m := fdLine.FindStringSubmatch(l)
			if m == nil {
				t.Errorf("%s: show fd line %q", name, l)
				continue
			}
			for w := range want {
				if strings.Contains(m[3], " "+w) && want[w] == "" {
					want[w] = m[1]
				}
			}
		}
		for w, fd := range want {
			if fd == "" {
				t.Errorf("%s: show fd lacks %q:\n%s", name, w, out)
			}
		}
		// show fd <n> prints that one line.
		if fd := want["l.st=RDY fe=GLOBAL fam=unix"]; fd != "" {
			one := haproxytest.StatsCmd(t, s.sock, "show fd "+fd)
			if lines := strings.Split(strings.TrimSuffix(one, "\n\n"), "\n"); len(lines) != 1 || !strings.Contains(one, " l.st=RDY fe=GLOBAL fam=unix") {
				t.Errorf("%s: show fd %s: %q", name, fd, one)
			}
		}
		// show threads: a header and three lines per thread, the
		// answering thread starred.
		out = haproxytest.StatsCmd(t, s.sock, "show threads")
		threads, stars := 0, 0
		for _, l := range strings.Split(out, "\n") {
			if m := thread.FindStringSubmatch(l); m != nil {
				threads++
				if m[1] == "*" {
					stars++
				}
			} else if strings.Contains(l, "Thread") {
				t.Errorf("%s: show threads line %q", name, l)
			}
		}
		if threads == 0 || stars != 1 || !strings.Contains(out, "\n      1/1    stuck=0 prof=0 harmless=") || !strings.Contains(out, "             cpu_ns: poll=") {
			t.Errorf("%s: show threads\n%s", name, out)
		}
		if name == "goha" && threads != runtime.GOMAXPROCS(0) {
			t.Errorf("goha lists %d threads, GOMAXPROCS is %d", threads, runtime.GOMAXPROCS(0))
		}
	}
}
