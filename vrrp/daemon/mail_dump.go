package daemon

import (
	"fmt"
	"strings"
	"time"
)

// mailDump writes the email lines of the data dump's global section, as
// keepalived 2.2.7 writes them (seen in a namespace): the server's lines
// only with smtp_server (its defaults then applied), the sender and the
// HELO name when known, the recipients with a server or any address.
func (r *Runner) mailDump(b *strings.Builder) {
	e, m := &r.cfg.Email, r.cfg.Mail
	from, helo := e.From, e.HeloName
	if m != nil {
		from, helo = m.From, m.Helo
		fmt.Fprintf(b, " Smtp server = %s\n", m.Server.Addr())
		fmt.Fprintf(b, " Smtp server port = %d\n", m.Server.Port())
	}
	if helo != "" {
		fmt.Fprintf(b, " Smtp HELO name = %s\n", helo)
	}
	if m != nil {
		fmt.Fprintf(b, " Smtp server connection timeout = %d\n", m.Timeout/time.Second)
	}
	if from != "" {
		fmt.Fprintf(b, " Email notification from = %s\n", from)
	}
	if m != nil || len(e.To) > 0 {
		b.WriteString(" Email notification to:\n")
		for _, a := range e.To {
			fmt.Fprintf(b, "   %s\n", a)
		}
	}
	fmt.Fprintf(b, " Default smtp_alert = %s\n", onOffUnset(e.Alert))
	fmt.Fprintf(b, " Default smtp_alert_vrrp = %s\n", onOffUnset(e.AlertVRRP))
	fmt.Fprintf(b, " Default smtp_alert_checker = %s\n", onOffUnset(e.AlertChecker))
	if e.NoEmailFaults {
		b.WriteString(" Send emails for fault transitions = off\n")
	}
}

func onOffUnset(v int) string {
	switch v {
	case 0:
		return "off"
	case 1:
		return "on"
	}
	return "unset"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
