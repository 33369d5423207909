package haproxycmd

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// smtpRecorder is a mail sink on loopback that answers as a real SMTP
// server and keeps each session's client lines.
type smtpRecorder struct {
	mu       sync.Mutex
	sessions []string
}

func startSMTPRecorder(t *testing.T) (*smtpRecorder, string) {
	r := &smtpRecorder{}
	addr := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		br := bufio.NewReader(c)
		var rec strings.Builder
		defer func() {
			r.mu.Lock()
			r.sessions = append(r.sessions, rec.String())
			r.mu.Unlock()
		}()
		c.Write([]byte("220 sink ESMTP\r\n"))
		data := false
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			rec.WriteString(l)
			switch {
			case data && l == ".\r\n":
				data = false
				c.Write([]byte("250 2.0.0 queued\r\n"))
			case data:
			case l == "DATA\r\n":
				data = true
				c.Write([]byte("354 end with .\r\n"))
			case l == "QUIT\r\n":
				c.Write([]byte("221 bye\r\n"))
				return
			default:
				c.Write([]byte("250 ok\r\n"))
			}
		}
	})
	return r, addr
}

// wait returns the sessions once n have ended (or what came within 8s).
func (r *smtpRecorder) wait(n int) []string {
	for deadline := time.Now().Add(8 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		r.mu.Lock()
		got := len(r.sessions)
		r.mu.Unlock()
		if got >= n {
			break
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sessions)
}

var (
	mailDate     = regexp.MustCompile(`(?m)^Date: .*\r$`)
	mailDuration = regexp.MustCompile(`check duration: \d+ms`)
)

// `mailers` + `email-alert` beside HAProxy 2.6, to a recording SMTP
// server: a server its check takes down (alert), the same server coming
// up (notice, mailed at level notice) and states forced from the CLI are
// mailed; the whole client side of each SMTP session (HELO with
// myhostname or the host name, envelope, headers, body, QUIT) is
// compared, dates and check durations masked. A backend at the default
// level (alert) mails its forced DOWN, not its forced UP.
func TestEmailAlertsMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "web")
	later := loopback.FreeAddr(t) // nothing listens until the test opens it
	cfg := func(sock, mailer string) string {
		return fmt.Sprintf(`global
    stats socket %s level admin
mailers mx
    mailer m1 %s
    timeout mail 3s
mailers unused
    mailer m1 %s
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
backend be1
    email-alert mailers mx
    email-alert from haproxy@example.com
    email-alert to ops@example.com
    email-alert level notice
    email-alert myhostname lb1.example.com
    server s3 %s check inter 200ms fall 1 rise 1
    server s1 %s check inter 10s fall 1 rise 1
backend be2
    email-alert mailers mx
    email-alert from haproxy@example.com
    email-alert to other@example.com
    server s1 %s check inter 10s fall 1 rise 1
`, sock, mailer, mailer, later, web.Addr, web.Addr)
	}
	run := func(ha bool) []string {
		rec, mailer := startSMTPRecorder(t)
		dir := t.TempDir()
		path := filepath.Join(dir, "m.cfg")
		os.WriteFile(path, []byte(cfg(filepath.Join(dir, "s.sock"), mailer)), 0o644)
		if ha {
			cmd := exec.Command("haproxy", "-db", "-f", path)
			cmd.Stderr = &haproxytest.Buffer{}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { cmd.Process.Kill(); cmd.Wait() }()
		} else {
			inProcess(t, path, true)
		}
		// be1/s3 goes down at once (first of the checks HAProxy spreads)
		sock := filepath.Join(dir, "s.sock")
		rec.wait(1)
		ln, err := net.Listen("tcp", later)
		if err != nil {
			t.Fatal(err)
		}
		loopback.ServeEach(t, ln, func(net.Conn) {})
		rec.wait(2) // be1/s3 up: notice
		// states forced from the CLI are mailed too, within the level
		// (one at a time: HAProxy 2.6 may lose one of several alerts
		// queued at once)
		haproxytest.StatsCmd(t, sock, "set server be1/s1 health down")
		rec.wait(3)
		haproxytest.StatsCmd(t, sock, "set server be2/s1 health down")
		rec.wait(4)
		haproxytest.StatsCmd(t, sock, "set server be2/s1 health up") // notice: above be2's level
		time.Sleep(300 * time.Millisecond)                           // nothing more is mailed
		got := rec.wait(0)
		ln.Close() // the next daemon starts with s3 down
		for i, s := range got {
			s = mailDate.ReplaceAllString(s, "Date: *\r")
			got[i] = mailDuration.ReplaceAllString(s, "check duration: *ms")
		}
		slices.Sort(got)
		return got
	}
	ha, goha := run(true), run(false)
	if len(ha) != 4 {
		t.Fatalf("haproxy sent %d mails: %q", len(ha), ha)
	}
	diffLines(t, "SMTP sessions", ha, goha)
}
