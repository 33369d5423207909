package daemon

import (
	"bufio"
	"os"
	"os/user"
	"strings"

	ka "github.com/goha-lb/goha/parser/keepalived"
	"github.com/goha-lb/goha/vrrp/smtpalert"
)

// MailSpec is where and how state changes are mailed (keepalived's
// smtp_alert): nil in Config without smtp_server; nothing is sent without
// a notification_email address either, as in keepalived.
type MailSpec struct {
	smtpalert.Settings
	RouterID      string // the subject's [prefix]: router_id, else the host name
	NoEmailFaults bool   // no_email_faults
}

// mapMail applies keepalived's defaults to global_defs' email settings:
// the sender user@host, the HELO name the host name, the timeout 30 s.
// The host name is keepalived's local name (localName).
func mapMail(g *ka.GlobalDefs, out *Config) {
	e := &g.Email
	out.Email = *e
	out.Email.To = append([]string(nil), e.To...)
	if !e.Server.IsValid() {
		return
	}
	host := localName()
	m := &MailSpec{
		Settings: smtpalert.Settings{Server: e.Server, Helo: e.HeloName, From: e.From,
			To: append([]string(nil), e.To...), Timeout: e.ConnectTimeout},
		RouterID:      g.RouterID,
		NoEmailFaults: e.NoEmailFaults,
	}
	if m.Timeout == 0 {
		m.Timeout = ka.DefaultSMTPConnectTimeout
	}
	if m.RouterID == "" {
		m.RouterID = host
	}
	if host != "" {
		if m.Helo == "" {
			m.Helo = host
		}
		if m.From == "" {
			if u, err := user.Current(); err == nil {
				m.From = u.Username + "@" + host
			}
		}
	}
	out.Mail = m
}

// smtpAlert is an instance's or sync group's effective smtp_alert: its
// own, else smtp_alert_vrrp, else smtp_alert, else off.
func smtpAlert(e *ka.Email, own int) bool {
	if own >= 0 {
		return own == 1
	}
	return e.VRRPAlert()
}

// hostsFile is read for the canonical host name; a variable for tests.
var hostsFile = "/etc/hosts"

// localName is keepalived's local name: the canonical name getaddrinfo
// gives the host name. gokeepalived reads it from the hosts file (the
// first name of the line that lists the host name) and asks no DNS
// server; without such a line it is the host name itself.
func localName() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return ""
	}
	f, err := os.Open(hostsFile)
	if err != nil {
		return h
	}
	defer f.Close()
	return canonicalName(h, bufio.NewScanner(f))
}

// canonicalName finds host among the names of the hosts-file lines sc
// reads and returns that line's first name (host when no line has it).
func canonicalName(host string, sc *bufio.Scanner) string {
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		for _, n := range f[1:] {
			if strings.EqualFold(n, host) {
				return f[1]
			}
		}
	}
	return host
}
