package keepalived

import (
	"net/netip"
	"strconv"
	"time"
)

// Email is global_defs' email alert settings (keepalived's smtp.c sends
// them; gokeepalived's vrrp/smtpalert). Unset tri-states are -1, as
// keepalived keeps PARAMETER_UNSET until an instance resolves them.
type Email struct {
	To   []string // notification_email, every word of the block in order
	From string   // notification_email_from; "" = user@local host name
	// Server is smtp_server (port 25 when not given); invalid when unset.
	Server   netip.AddrPort
	HeloName string // smtp_helo_name; "" = the local host name
	// ConnectTimeout is smtp_connect_timeout; 0 = keepalived's 30 s.
	ConnectTimeout time.Duration
	// Alert, AlertVRRP, AlertChecker are smtp_alert, smtp_alert_vrrp,
	// smtp_alert_checker: -1 unset, 0 off, 1 on.
	Alert, AlertVRRP, AlertChecker int
	NoEmailFaults                  bool // no_email_faults: FAULT transitions are not mailed
	NoCheckerEmails                bool // no_checker_emails (the checker's, not run here)
}

// DefaultSMTPConnectTimeout is keepalived's smtp_connect_timeout default.
const DefaultSMTPConnectTimeout = 30 * time.Second

// VRRPAlert is keepalived's default for an instance or sync group without
// its own smtp_alert: smtp_alert_vrrp, else smtp_alert, else off.
func (e *Email) VRRPAlert() bool {
	if e.AlertVRRP >= 0 {
		return e.AlertVRRP == 1
	}
	return e.Alert == 1
}

// gdEmails types the notification_email block.
func gdEmails(t *typer, n *Node) {
	e := &t.cfg.Global.Email
	for _, l := range n.Values {
		for _, tk := range l.Tokens {
			e.To = append(e.To, tk.Text)
		}
	}
}

// gdEmailFrom types notification_email_from.
func gdEmailFrom(t *typer, n *Node) {
	if len(n.Args) == 0 {
		t.errorf(n.Pos, "emailfrom missing - ignoring")
		return
	}
	t.cfg.Global.Email.From = n.Arg(0)
}

// gdSMTPServer types smtp_server ADDR [PORT]. keepalived also resolves a
// host name when it reads the file; the parser never touches the
// network, so a name is refused (fail closed) rather than looked up.
func gdSMTPServer(t *typer, n *Node) {
	if !t.need(n, 1) {
		return
	}
	port, portText := uint64(25), "25"
	if len(n.Args) > 1 {
		portText = n.Arg(1)
		v, err := strconv.ParseUint(portText, 10, 64)
		switch {
		case err != nil:
			// keepalived checks the port twice before its own message
			t.number(n.Pos, "invalid number '"+portText+"'")
			t.number(n.Pos, "invalid number '"+portText+"'")
			t.errorf(n.Pos, "Invalid smtp server %s %s", n.Arg(0), portText)
			return
		case v < 1 || v > 65535:
			t.number(n.Pos, "number '"+portText+"' outside range [1, 65535]")
			t.number(n.Pos, "number '"+portText+"' outside range [1, 65535]")
			t.errorf(n.Pos, "Invalid smtp server %s %s", n.Arg(0), portText)
			return
		}
		port = v
	}
	a, err := netip.ParseAddr(n.Arg(0))
	if err != nil {
		if validHostName(n.Arg(0)) {
			t.refuse(n.Pos, "smtp_server host name", "give the mail server's IP address",
				"smtp_server %s: a host name is not supported by gokeepalived (keepalived resolves it when it reads the file): give its address", n.Arg(0))
			return
		}
		t.errorf(n.Pos, "Invalid smtp server %s %s", n.Arg(0), portText)
		return
	}
	t.cfg.Global.Email.Server = netip.AddrPortFrom(a.Unmap(), uint16(port))
}

// validHostName says whether s could be a DNS name keepalived would try to
// resolve (letters, digits, '-' and '.', at least one letter).
func validHostName(s string) bool {
	letter := false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			letter = true
		case r >= '0' && r <= '9', r == '-', r == '.':
		default:
			return false
		}
	}
	return letter
}

// gdSMTPHelo types smtp_helo_name (without a name keepalived keeps its default).
func gdSMTPHelo(t *typer, n *Node) {
	if len(n.Args) > 0 {
		t.cfg.Global.Email.HeloName = n.Arg(0)
	}
}

// gdSMTPConnectTimeout types smtp_connect_timeout (whole seconds).
func gdSMTPConnectTimeout(t *typer, n *Node) {
	if !t.need(n, 1) {
		return
	}
	v, msg := n.Keyword.Range.unsigned(n.Arg(0))
	if msg != "" {
		t.number(n.Pos, msg)
		t.errorf(n.Pos, "smtp_connect_timeout '%s' must be in [0, 4294] - ignoring", n.Arg(0))
		return
	}
	if v == 0 {
		t.errorf(n.Pos, "smtp_conect_timeout must be greater than 0, setting to 1")
		v = 1
	}
	t.cfg.Global.Email.ConnectTimeout = time.Duration(v) * time.Second
}

// gdSMTPAlert types smtp_alert, smtp_alert_vrrp, smtp_alert_checker and
// no_checker_emails: an optional on/off argument, alone meaning on.
func gdSMTPAlert(t *typer, n *Node) {
	e := &t.cfg.Global.Email
	v := 1
	if len(n.Args) > 0 {
		v = readBool(n.Arg(0))
		if v < 0 {
			t.errorf(n.Pos, "Invalid value '%s' for global %s specified", n.Arg(0), n.Name())
			return
		}
	}
	switch n.Name() {
	case "smtp_alert":
		e.Alert = v
	case "smtp_alert_vrrp":
		e.AlertVRRP = v
	case "smtp_alert_checker":
		e.AlertChecker = v
	case "no_checker_emails":
		e.NoCheckerEmails = v == 1
	}
}

// gdNoEmailFaults types no_email_faults (keepalived reads no argument).
func gdNoEmailFaults(t *typer, n *Node) {
	t.cfg.Global.Email.NoEmailFaults = true
}

// smtpAlertArg reads an instance's or sync group's smtp_alert [on|off]
// (-1: an invalid word, reported in keepalived's words).
func (t *typer) smtpAlertArg(n *Node, who string) int {
	if len(n.Args) == 0 {
		return 1
	}
	v := readBool(n.Arg(0))
	if v < 0 {
		t.errorf(n.Pos, "Invalid %s smtp_alert parameter %s", who, n.Arg(0))
	}
	return v
}

// instSMTPAlert types a vrrp_instance's smtp_alert.
func instSMTPAlert(t *typer, n *Node) {
	if v := t.smtpAlertArg(n, "vrrp_instance"); v >= 0 {
		t.inst.SMTPAlert = v
	}
}

// syncGroupSMTPAlert types a vrrp_sync_group's smtp_alert.
func syncGroupSMTPAlert(t *typer, n *Node) {
	if v := t.smtpAlertArg(n, "vrrp_group"); v >= 0 {
		t.vsyncGroup.SMTPAlert = v
	}
}
