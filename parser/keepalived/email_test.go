package keepalived

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

// The email keywords are typed and honoured: -t has no goha warning for
// them (only the checker's two stay inert), and the values land in
// GlobalDefs.Email, an instance and a sync group.
func TestEmailKeywordsTyped(t *testing.T) {
	src := `global_defs {
   notification_email {
      a@x b@y
      c@z
   }
   notification_email_from me@here
   smtp_server 192.0.2.1 2525
   smtp_helo_name lb1.example.net
   smtp_connect_timeout 7
   smtp_alert off
   smtp_alert_vrrp
   no_email_faults
}
vrrp_sync_group g {
   group {
      v
      w
   }
   smtp_alert off
}
vrrp_instance v {
   interface eth0
   virtual_router_id 1
   priority 100
   smtp_alert
   virtual_ipaddress {
      10.0.0.1
   }
}
vrrp_instance w {
   interface eth0
   virtual_router_id 2
   priority 100
   virtual_ipaddress {
      10.0.0.2
   }
}
`
	r := Lint(Options{File: "m.conf", Data: []byte(src), ConfigID: "lb", Interfaces: []string{"lo", "eth0"}, UserExists: func(string) bool { return true }})
	if r.LintExitCode != 0 {
		t.Errorf("exit %d\n%s", r.LintExitCode, Format(r.Diagnostics))
	}
	for _, d := range r.Diagnostics {
		if strings.Contains(d.Text(), "has no effect") || strings.Contains(d.Text(), "not supported") {
			t.Errorf("unexpected %q", d.Text())
		}
	}
	e := r.Config.Global.Email
	if strings.Join(e.To, ",") != "a@x,b@y,c@z" || e.From != "me@here" || e.Server != netip.MustParseAddrPort("192.0.2.1:2525") ||
		e.HeloName != "lb1.example.net" || e.ConnectTimeout != 7*time.Second || e.Alert != 0 || e.AlertVRRP != 1 || !e.NoEmailFaults {
		t.Errorf("Email %+v", e)
	}
	if !e.VRRPAlert() {
		t.Error("smtp_alert_vrrp wins over smtp_alert off")
	}
	if r.Config.Instances[0].SMTPAlert != 1 || r.Config.Instances[1].SMTPAlert != -1 || r.Config.SyncGroups[0].SMTPAlert != 0 {
		t.Errorf("smtp_alert: instances %d %d, group %d", r.Config.Instances[0].SMTPAlert, r.Config.Instances[1].SMTPAlert, r.Config.SyncGroups[0].SMTPAlert)
	}
}

// keepalived resolves a host name given to smtp_server when it reads the
// file; the parser never touches the network, so gokeepalived refuses it.
func TestSMTPServerHostNameRefused(t *testing.T) {
	src := "global_defs {\n notification_email {\n  a@x\n }\n smtp_server mail.example.net\n}\n"
	r := Lint(Options{File: "m.conf", Data: []byte(src), ConfigID: "lb", Interfaces: []string{"lo"}})
	if r.LintExitCode != ExitUnsupported || !strings.Contains(Format(r.Diagnostics), "smtp_server mail.example.net: a host name is not supported by gokeepalived") {
		t.Errorf("exit %d\n%s", r.LintExitCode, Format(r.Diagnostics))
	}
}
