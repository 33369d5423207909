package daemon_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/lab"
)

// mailErrConf turns smtp_alert off but smtp_alert_vrrp on (the instance
// is mailed: smtp_alert_vrrp wins), and no_email_faults (FAULT is not).
const mailErrConf = `global_defs {
   router_id MAILERR
   notification_email {
      ops@example.com
   }
   notification_email_from vrrp@example.net
   smtp_helo_name lb.example.net
   smtp_server 127.0.0.1 2525
   smtp_connect_timeout 3
   smtp_alert off
   smtp_alert_vrrp
   no_email_faults
}

vrrp_script chk {
   script "/usr/bin/test ! -e FLAG"
   interval 1
}

vrrp_instance errs {
   state BACKUP
   interface ens160
   virtual_router_id VRID
   priority 100
   advert_int 1
   track_script {
      chk
   }
   virtual_ipaddress {
      VIP/24
   }
}
`

// smtpLogLine picks the SMTP lines of a daemon's log (detail lines included).
var smtpLogLine = regexp.MustCompile(`: ((?:SMTP|Remote SMTP|smtp fd|Error processing|Timeout|Cannot send).*)$`)

// TestEmailAlertErrorsLikeKeepalived runs both daemons against a mail
// server that refuses the sender (550 to MAIL FROM), then against no
// server at all, then against a port that drops every packet, and compares the dialogues and the SMTP log lines: the
// refused command is logged and QUIT follows; a refused connection is
// logged, and so is a connect timing out; FAULT is never mailed (no_email_faults); smtp_alert_vrrp on
// beats smtp_alert off.
func TestEmailAlertErrorsLikeKeepalived(t *testing.T) {
	testenv.LookPath(t, "keepalived")
	bin := buildGokeepalived(t)
	l := lab.NewForTest(t, "kamerr")
	dir := t.TempDir()
	type side struct {
		p    *peer
		sink *smtpSink
		flag string
	}
	mk := func(name, addr string, real bool, vrid string) *side {
		h, err := l.AddHost(name, addr)
		if err != nil {
			lab.Unavailable(t, err.Error())
		}
		var ln net.Listener
		if err := h.Do(func() (err error) {
			ln, err = net.Listen("tcp", "127.0.0.1:2525")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		s := &side{sink: newSMTPSink(ln, "550 5.7.1 sender refused"), flag: filepath.Join(dir, name+".down")}
		conf := strings.NewReplacer("FLAG", s.flag, "VRID", vrid, "VIP", "192.168.110."+vrid).Replace(mailErrConf)
		p := filepath.Join(dir, name+".conf")
		if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		s.p = &peer{t: t, name: name, real: real, h: h, bin: bin, conf: p, dir: dir}
		return s
	}
	goS := mk("go", "192.168.110.11/24", false, "174")
	kaS := mk("ka", "192.168.110.22/24", true, "184")
	sides := []*side{goS, kaS}
	time.Sleep(500 * time.Millisecond)
	for _, s := range sides {
		s.p.start()
	}
	until := func(what string, cond func(s *side) bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) {
			if cond(goS) && cond(kaS) {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("%s: not seen\n--- gokeepalived:\n%s\n--- keepalived:\n%s", what, goS.p.log(), kaS.p.log())
	}
	logged := func(n int, line string) func(s *side) bool {
		return func(s *side) bool { return strings.Count(s.p.log(), line) >= n }
	}
	// BACKUP and MASTER: two refused alerts
	until("two refused alerts", func(s *side) bool { return len(s.sink.sessions()) >= 2 })
	// the server goes away; FAULT (not mailed), then BACKUP: refused connection
	for _, s := range sides {
		s.sink.close()
		if err := os.WriteFile(s.flag, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	until("FAULT", logged(1, "(errs) Entering FAULT STATE"))
	for _, s := range sides {
		os.Remove(s.flag)
	}
	until("BACKUP after FAULT", logged(2, "(errs) Entering BACKUP STATE"))
	until("the refused connection logged", logged(1, "returned write error"))
	// the server's port now drops every packet: MASTER's alert times out
	// connecting (smtp_connect_timeout 3)
	for _, s := range sides {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		for _, cmd := range [][]string{{"nft", "add", "table", "inet", "mailtest"},
			{"nft", "add", "chain", "inet", "mailtest", "out", "{ type filter hook output priority 0; }"},
			{"nft", "add", "rule", "inet", "mailtest", "out", "tcp", "dport", "2525", "drop"}} {
			if _, err := s.p.h.Run(ctx, cmd...); err != nil {
				t.Fatal(err)
			}
		}
		cancel()
	}
	until("MASTER's alert timing out", logged(1, "Timeout opening connection"))
	for _, s := range sides {
		s.p.stop()
	}
	goD, kaD := goS.sink.sessions(), kaS.sink.sessions()
	if !slices.Equal(goD, kaD) {
		t.Errorf("dialogues: gokeepalived\n%q\nkeepalived 2.2.7\n%q", goD, kaD)
	}
	// the socket's descriptor number is the process's own
	fdNum := regexp.MustCompile(`^smtp fd \d+ `)
	mask := func(ls []string) []string {
		for i, l := range ls {
			ls[i] = fdNum.ReplaceAllString(l, "smtp fd N ")
		}
		return ls
	}
	goL, kaL := mask(matching(smtpLogLine, goS.p.log())), mask(matching(smtpLogLine, kaS.p.log()))
	if !slices.Equal(goL, kaL) {
		t.Errorf("SMTP log lines: gokeepalived\n  %s\nkeepalived 2.2.7\n  %s", strings.Join(goL, "\n  "), strings.Join(kaL, "\n  "))
	}
	t.Logf("keepalived's dialogues %q, log lines %q", kaD, kaL)
}
