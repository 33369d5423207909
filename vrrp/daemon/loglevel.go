package daemon

import "strings"

// detailLines are the state machine's lines keepalived 2.2.7 prints only
// with -D/--log-detail. Observed with the real daemon in namespaces, run
// with and without -D through the seed scenarios (start, preemption,
// SIGTERM, link down/up, crafted adverts): without -D it keeps the state
// entries, the received higher/lower priority lines, the receive errors
// and the netlink link lines, and drops these.
var detailLines = []string{
	"removing VIPs.",
	"removing firewall drop rule",
	"setting VIPs.",
	"setting firewall drop rule",
	"Receive advertisement timeout",
	"Sending/queueing ",
	"sent 0 priority",
	"Backup received priority 0 advertisement",
	"Master received priority 0 message",
}

// detailOnly says whether a "(name) text" line is a -D line.
func detailOnly(line string) bool {
	if strings.HasPrefix(line, "(") {
		if i := strings.Index(line, ") "); i > 0 {
			line = line[i+2:]
		}
	}
	for _, d := range detailLines {
		if strings.HasPrefix(line, d) {
			return true
		}
	}
	return false
}
