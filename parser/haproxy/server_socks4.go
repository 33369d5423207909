package haproxy

import (
	"fmt"
	"strings"
)

// serverSocks4 is `socks4 <addr>:<port>`: the server is reached through
// a SOCKS4 proxy at that address. HAProxy reads it as a connect address
// whose port is required and may be neither an offset nor a range; its
// port is read as atoi once it starts with a digit ("5x" is 5). A host
// name or a UNIX socket is kept for the builder to refuse.
func serverSocks4(l *serverLine, o, v string) bool {
	a, err := ParseAddress(v)
	if err == nil {
		err = socks4Port(&a, v)
	}
	if err != nil {
		msg := fmt.Sprintf("'socks4 %s' : %v", v, err)
		if strings.Contains(msg, "\n") {
			msg = indentMsg(msg)
		}
		l.alert("%s.", msg)
		return false
	}
	l.opts.Socks4 = &a
	return true
}

// socks4Port checks a.PortRaw as HAProxy's str2sa_range does for an
// address whose port is required and single.
func socks4Port(a *Address, orig string) error {
	switch {
	case a.Path != "" || a.FD > 0:
		return nil
	case !a.PortSet || a.PortRaw == "":
		return fmt.Errorf("missing port specification in '%s'", orig)
	case a.PortRaw[0] == '+' || a.PortRaw[0] == '-':
		return fmt.Errorf("port offset not permitted here in '%s'", orig)
	case strings.Contains(a.PortRaw, "-"):
		return fmt.Errorf("port range not permitted here in '%s'", orig)
	case !isDigit(a.PortRaw[0]):
		return fmt.Errorf("invalid character '%c' in port number '%s' in '%s'\n", a.PortRaw[0], a.PortRaw, orig)
	}
	n, _, _ := leadingInt(a.PortRaw)
	if n < 1 || n > 65535 {
		return fmt.Errorf("invalid port '%s'", a.PortRaw)
	}
	a.PortLow, a.PortHigh = n, n
	return nil
}

// indentMsg is HAProxy's indent_msg(msg, 2) for a message of several
// lines: each line on a line of its own, indented by two spaces, after
// a newline, and a last newline.
func indentMsg(msg string) string {
	var b strings.Builder
	for _, line := range strings.Split(msg, "\n") {
		b.WriteString("\n  ")
		b.WriteString(line)
	}
	b.WriteString("\n")
	return b.String()
}
