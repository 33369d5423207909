package daemon_test

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/lab"
)

// mailConf mails every state change of three instances to a sink on the
// host's own loopback: solo (alone, tracking a script), quiet (smtp_alert
// off: never mailed) and member (the only member of sync group grp:
// mailed as the group). The sender and HELO name are left to their
// defaults (user@host name), as most configs do.
const mailConf = `global_defs {
   router_id MAILLAB
   notification_email {
      ops@example.com
      oncall@example.org
   }
   smtp_server 127.0.0.1 2525
   smtp_connect_timeout 5
   smtp_alert
}

vrrp_script chk {
   script "/usr/bin/test ! -e FLAG"
   interval 1
}

vrrp_sync_group grp {
   group {
      member
   }
   notify NOTIFY
}

vrrp_instance solo {
   state BACKUP
   interface ens160
   virtual_router_id VRID1
   priority 100
   advert_int 1
   track_script {
      chk
   }
   virtual_ipaddress {
      NET.VIP1/24
   }
}

vrrp_instance quiet {
   state BACKUP
   interface ens160
   virtual_router_id VRID2
   priority 100
   advert_int 1
   smtp_alert off
   virtual_ipaddress {
      NET.VIP2/24
   }
}

vrrp_instance member {
   state BACKUP
   interface ens160
   virtual_router_id VRID3
   priority 100
   advert_int 1
   track_script {
      chk
   }
   virtual_ipaddress {
      NET.VIP3/24
   }
}
`

var dateHeader = regexp.MustCompile(`(?m)^Date: [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}\r$`)

// mailsBySubject masks the Date header (checked for its format) and
// groups the dialogues by their Subject line, in the order they ended.
func mailsBySubject(t *testing.T, who string, dials []string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, d := range dials {
		if d == "" { // a connection that carried no command
			out[""] = append(out[""], d)
			continue
		}
		if !dateHeader.MatchString(d) {
			t.Errorf("%s: no Date header in keepalived's format:\n%q", who, d)
		}
		d = dateHeader.ReplaceAllString(d, "Date: (masked)\r")
		subj := regexp.MustCompile(`(?m)^Subject: .*$`).FindString(d)
		out[subj] = append(out[subj], d)
	}
	return out
}

// TestEmailAlertsLikeKeepalived runs gokeepalived and the real keepalived
// 2.2.7 side by side, each in its own namespace with an SMTP sink on that
// namespace's 127.0.0.1:2525, with the same configuration (mailConf, each
// on its own VRIDs), drives both through the same transitions (start:
// BACKUP then MASTER; a reload (SIGHUP) with the same file: nothing; the
// tracked script failing: FAULT; passing again: BACKUP then MASTER;
// SIGTERM: stopping) and compares every SMTP dialogue
// byte for byte, the Date header masked.
func TestEmailAlertsLikeKeepalived(t *testing.T) {
	testenv.LookPath(t, "keepalived")
	bin := buildGokeepalived(t)
	l := lab.NewForTest(t, "kamail")
	dir := t.TempDir()
	hGo, err := l.AddHost("go", "192.168.110.11/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	hKa, err := l.AddHost("ka", "192.168.110.22/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	type side struct {
		p      *peer
		sink   *smtpSink
		flag   string
		notify string // the group's notify script appends its arguments here
	}
	mk := func(name string, h *lab.Host, real bool, vrids []string) *side {
		var ln net.Listener
		if err := h.Do(func() (err error) {
			ln, err = net.Listen("tcp", "127.0.0.1:2525")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		s := &side{sink: newSMTPSink(ln, ""), flag: filepath.Join(dir, name+".down"), notify: filepath.Join(dir, name+".notify")}
		t.Cleanup(s.sink.close)
		script := filepath.Join(dir, name+"-notify.sh")
		if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$@\" >> "+s.notify+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		conf := strings.NewReplacer("NOTIFY", script, "FLAG", s.flag, "VRID1", vrids[0], "VRID2", vrids[1], "VRID3", vrids[2],
			"NET.VIP1", "192.168.110."+vrids[0], "NET.VIP2", "192.168.110."+vrids[1], "NET.VIP3", "192.168.110."+vrids[2]).Replace(mailConf)
		p := filepath.Join(dir, name+".conf")
		if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		s.p = &peer{t: t, name: name, real: real, h: h, bin: bin, conf: p, dir: dir}
		return s
	}
	goS := mk("go", hGo, false, []string{"171", "172", "173"})
	kaS := mk("ka", hKa, true, []string{"181", "182", "183"})
	time.Sleep(500 * time.Millisecond)
	sides := []*side{goS, kaS}
	for _, s := range sides {
		s.p.start()
	}
	// until waits (bounded) for both sinks to hold n dialogues.
	until := func(what string, n int) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) {
			if len(goS.sink.sessions()) >= n && len(kaS.sink.sessions()) >= n {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("%s: %d mails expected\n--- gokeepalived (%d):\n%s\n--- keepalived (%d):\n%s", what, n,
			len(goS.sink.sessions()), goS.p.log(), len(kaS.sink.sessions()), kaS.p.log()+strings.Join(kaS.sink.sessions(), "\n====\n"))
	}
	// solo, member and grp: BACKUP, then MASTER
	until("start", 6)
	// a reload with the same file changes no state: nothing is mailed
	for _, s := range sides {
		s.p.proc.Signal(syscall.SIGHUP)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(goS.p.log(), "Reload complete") || !strings.Contains(kaS.p.log(), "Reload complete") {
		if time.Now().After(deadline) {
			t.Fatalf("no reload\n--- gokeepalived:\n%s\n--- keepalived:\n%s", goS.p.log(), kaS.p.log())
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(time.Second)
	if g, k := len(goS.sink.sessions()), len(kaS.sink.sessions()); g != 6 || k != 6 {
		t.Errorf("after a reload: gokeepalived %d mails, keepalived %d, both had 6", g, k)
	}
	// nor is the group notified again
	goN, _ := os.ReadFile(goS.notify)
	kaN, _ := os.ReadFile(kaS.notify)
	if string(goN) != string(kaN) || string(kaN) != "GROUP grp BACKUP 0\nGROUP grp MASTER 0\n" {
		t.Errorf("group notify after a reload: gokeepalived %q, keepalived %q", goN, kaN)
	}
	for _, s := range sides {
		if err := os.WriteFile(s.flag, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	until("script failing: FAULT", 9)
	for _, s := range sides {
		os.Remove(s.flag)
	}
	until("script passing: BACKUP, MASTER", 15)
	for _, s := range sides {
		s.p.stop()
	}
	time.Sleep(300 * time.Millisecond)
	goM := mailsBySubject(t, "gokeepalived", goS.sink.sessions())
	kaM := mailsBySubject(t, "keepalived", kaS.sink.sessions())
	keys := func(m map[string][]string) []string {
		var k []string
		for s := range m {
			k = append(k, s)
		}
		slices.Sort(k)
		return k
	}
	if !slices.Equal(keys(goM), keys(kaM)) {
		t.Errorf("subjects: gokeepalived %q\nkeepalived 2.2.7 %q", keys(goM), keys(kaM))
	}
	for _, k := range keys(kaM) {
		if !slices.Equal(goM[k], kaM[k]) {
			t.Errorf("%s: gokeepalived\n%q\nkeepalived 2.2.7\n%q", k, goM[k], kaM[k])
		}
	}
	t.Logf("keepalived's dialogues: %q", kaS.sink.sessions())
}
