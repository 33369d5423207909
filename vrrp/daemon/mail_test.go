package daemon

import (
	"bufio"
	"context"
	"os/user"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/vrrp"
	"github.com/goha-lb/goha/vrrp/smtpalert"
)

// mailTestConf: one instance, mailed unless told otherwise.
const mailTestConf = `global_defs {
   router_id R
   notification_email {
      a@x b@y
   }
   smtp_server 192.0.2.1
   GLOBAL
}
vrrp_instance v {
   interface ens160
   virtual_router_id 1
   priority 100
   advert_int 1
   INSTANCE
   virtual_ipaddress {
      192.168.110.100
   }
}
`

func mailConfig(t *testing.T, global, instance string) *Config {
	t.Helper()
	src := strings.NewReplacer("GLOBAL", global, "INSTANCE", instance).Replace(mailTestConf)
	c, errs := MapConfig(lintFile(t, "mail.conf", []byte(src)), fakePrimary(map[string]string{"ens160": "192.168.110.11"}))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return c
}

// The defaults keepalived applies: port 25, 30 s, user@host, HELO host.
func TestMapMailDefaults(t *testing.T) {
	c := mailConfig(t, "", "")
	m := c.Mail
	if m == nil {
		t.Fatal("no MailSpec")
	}
	host := localName()
	u, _ := user.Current()
	if m.Server.String() != "192.0.2.1:25" || m.Timeout != 30*time.Second || m.Helo != host || m.From != u.Username+"@"+host ||
		m.RouterID != "R" || strings.Join(m.To, ",") != "a@x,b@y" {
		t.Errorf("MailSpec %+v", *m)
	}
	if c.Instances[0].SMTPAlert {
		t.Error("smtp_alert is off unless set")
	}
	c = mailConfig(t, "notification_email_from me@here\n smtp_helo_name h\n smtp_connect_timeout 4\n smtp_server 192.0.2.2 2525", "")
	if m := c.Mail; m.Server.String() != "192.0.2.2:2525" || m.Timeout != 4*time.Second || m.Helo != "h" || m.From != "me@here" {
		t.Errorf("MailSpec %+v", *m)
	}
}

// An instance's smtp_alert, else smtp_alert_vrrp, else smtp_alert.
func TestSMTPAlertPrecedence(t *testing.T) {
	cases := []struct {
		global, instance string
		want             bool
	}{
		{"smtp_alert", "", true},
		{"smtp_alert off", "", false},
		{"smtp_alert\n smtp_alert_vrrp off", "", false},
		{"smtp_alert off\n smtp_alert_vrrp", "", true},
		{"smtp_alert", "smtp_alert off", false},
		{"", "smtp_alert", true},
		{"smtp_alert_vrrp off", "smtp_alert on", true},
	}
	for _, c := range cases {
		if got := mailConfig(t, c.global, c.instance).Instances[0].SMTPAlert; got != c.want {
			t.Errorf("global %q, instance %q: smtp_alert %v, want %v", c.global, c.instance, got, c.want)
		}
	}
}

// Without a server keepalived mails nothing.
func TestMapMailNeedsServer(t *testing.T) {
	src := strings.Replace(mailTestConf, "smtp_server 192.0.2.1", "", 1)
	src = strings.NewReplacer("GLOBAL", "smtp_alert", "INSTANCE", "").Replace(src)
	c, _ := MapConfig(lintFile(t, "mail.conf", []byte(src)), fakePrimary(map[string]string{"ens160": "192.168.110.11"}))
	if c.Mail != nil {
		t.Errorf("mail without smtp_server: %+v", c.Mail)
	}
}

func TestCanonicalName(t *testing.T) {
	hosts := "127.0.0.1 localhost\n# 10.0.0.1 lb1 commented\n10.0.0.2 lb1.example.net lb1 # the box\n"
	for _, c := range []struct{ host, want string }{{"lb1", "lb1.example.net"}, {"LB1", "lb1.example.net"}, {"other", "other"}, {"localhost", "localhost"}} {
		if got := canonicalName(c.host, bufio.NewScanner(strings.NewReader(hosts))); got != c.want {
			t.Errorf("%s: %q, want %q", c.host, got, c.want)
		}
	}
}

func TestShouldMail(t *testing.T) {
	to := smtpalert.Settings{To: []string{"a@x"}}
	m := &MailSpec{Settings: to}
	nf := &MailSpec{Settings: to, NoEmailFaults: true}
	cases := []struct {
		m         *MailSpec
		alert     bool
		st, last  vrrp.State
		want      bool
		whyItFail string
	}{
		{m, true, vrrp.StateMaster, vrrp.StateBackup, true, "a new state"},
		{m, true, vrrp.StateMaster, vrrp.StateMaster, false, "the state last mailed"},
		{m, false, vrrp.StateMaster, vrrp.StateBackup, false, "smtp_alert off"},
		{nil, true, vrrp.StateMaster, vrrp.StateBackup, false, "no mail settings"},
		{&MailSpec{}, true, vrrp.StateMaster, vrrp.StateBackup, false, "no address"},
		{m, true, vrrp.StateFault, vrrp.StateBackup, true, "FAULT"},
		{nf, true, vrrp.StateFault, vrrp.StateBackup, false, "FAULT under no_email_faults"},
		{nf, true, vrrp.StateBackup, vrrp.StateMaster, true, "BACKUP under no_email_faults"},
	}
	for _, c := range cases {
		if got := shouldMail(c.m, c.alert, c.st, c.last); got != c.want {
			t.Errorf("%s: %v, want %v", c.whyItFail, got, c.want)
		}
	}
	if _, _, ok := mailText(vrrp.StateInit, false); ok {
		t.Error("INIT is not mailed")
	}
}

// The runner mails each new state once, with keepalived's subject and
// body, without waiting for any server (Options.Mail takes them here).
func TestRunnerMails(t *testing.T) {
	cfg := mailConfig(t, "smtp_alert", "")
	var got []string
	h := &harness{t: t, f: newFakeEdge(), clk: newFakeClock()}
	h.r = New(cfg, Options{Edge: h.f, Log: func(s string) { h.logs = append(h.logs, s) }, Clock: h.clk,
		Mail: func(m *MailSpec, subject, body string) { got = append(got, subject+" / "+body) }})
	ctx, cancel := context.WithCancel(context.Background())
	h.r.bgCancel = cancel
	if err := h.r.setup(ctx); err != nil {
		t.Fatal(err)
	}
	h.r.startAll(0)
	h.advance(5 * time.Second)
	h.r.stop(h.clock)
	want := []string{
		"[R] VRRP Instance v - Entering BACKUP state / => VRRP Instance is no longer owning VRRP VIPs <=",
		"[R] VRRP Instance v - Entering MASTER state / => VRRP Instance is now owning VRRP VIPs <=",
		"[R] VRRP Instance v - Stopping / => VRRP Instance stopping <=",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("mailed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The data dump's email lines, as keepalived 2.2.7 wrote them for the
// same global_defs (measured in a namespace; HOST and USER stand for the
// host name and the user, which keepalived's defaults use).
func TestMailDumpLikeKeepalived(t *testing.T) {
	host := localName()
	u, _ := user.Current()
	cases := []struct {
		name, global string
		want         string
	}{
		{"everything", "notification_email {\n ops@example.com\n oncall@example.org\n }\n notification_email_from ka@example.net\n smtp_server 127.0.0.1 2525\n smtp_helo_name helo.example.net\n smtp_connect_timeout 7\n smtp_alert off\n smtp_alert_vrrp\n no_email_faults",
			" Smtp server = 127.0.0.1| Smtp server port = 2525| Smtp HELO name = helo.example.net| Smtp server connection timeout = 7| Email notification from = ka@example.net| Email notification to:|   ops@example.com|   oncall@example.org| Default smtp_alert = off| Default smtp_alert_vrrp = on| Default smtp_alert_checker = unset| Send emails for fault transitions = off| no_checker_emails = 0|   Using smtp notification = yes"},
		{"nothing", "",
			" Default smtp_alert = unset| Default smtp_alert_vrrp = unset| Default smtp_alert_checker = unset| no_checker_emails = 0|   Using smtp notification = no"},
		{"server only", "smtp_server 127.0.0.1\n smtp_alert",
			" Smtp server = 127.0.0.1| Smtp server port = 25| Smtp HELO name = HOST| Smtp server connection timeout = 30| Email notification from = USER@HOST| Email notification to:| Default smtp_alert = on| Default smtp_alert_vrrp = unset| Default smtp_alert_checker = unset| no_checker_emails = 0|   Using smtp notification = yes"},
		{"addresses only", "notification_email {\n a@x\n }\n notification_email_from f@x\n smtp_alert",
			" Email notification from = f@x| Email notification to:|   a@x| Default smtp_alert = on| Default smtp_alert_vrrp = unset| Default smtp_alert_checker = unset| no_checker_emails = 0|   Using smtp notification = yes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := strings.NewReplacer("GLOBAL", c.global, "INSTANCE", "").Replace(mailTestConf)
			src = strings.Replace(src, "notification_email {\n      a@x b@y\n   }\n   smtp_server 192.0.2.1\n", "", 1)
			cfg, errs := MapConfig(lintFile(t, "mail.conf", []byte(src)), fakePrimary(map[string]string{"ens160": "192.168.110.11"}))
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			var got []string
			for _, l := range strings.Split(newHarness(t, cfg).r.data(), "\n") {
				if strings.Contains(l, "mail") || strings.Contains(l, "Smtp") || strings.Contains(l, "smtp") || strings.HasPrefix(l, "   ") && strings.Contains(l, "@") {
					got = append(got, l)
				}
			}
			want := strings.NewReplacer("HOST", host, "USER", u.Username).Replace(c.want)
			if g := strings.Join(got, "|"); g != want {
				t.Errorf("dump\n%s\nwant\n%s", strings.ReplaceAll(g, "|", "\n"), strings.ReplaceAll(want, "|", "\n"))
			}
		})
	}
}
