package runtimeapi

import "fmt"

// DNSAddrEvent is HAProxy 2.6's notice when a DNS answer moves a server:
// old is "" when the server had no address; by is "<resolvers>/<nameserver>"
// or "DNS cache".
func DNSAddrEvent(backend, server, old, new, by string) Event {
	if old == "" {
		old = "(none)"
	}
	text := fmt.Sprintf("%s/%s changed its IP from %s to %s by %s.", backend, server, old, new, by)
	return Event{Level: 5, Text: text, Tag: "WARNING", Stderr: text}
}

// DNSReadyEvents are the notices of a server leaving resolution
// maintenance on a valid answer.
func DNSReadyEvents(backend, server, fqdn string, backup bool) []Event {
	who := "Server " + backend + "/" + server
	if backup {
		who = "Backup " + who
	}
	up := fmt.Sprintf("%s ('%s') is UP/READY (resolves again).", who, fqdn)
	ready := who + " administratively READY thanks to valid DNS answer."
	return []Event{{Level: 5, Text: up, Tag: "WARNING", Stderr: up}, {Level: 5, Text: ready, Tag: "WARNING", Stderr: ready}}
}

// DNSMaintEvents is what HAProxy logs when a resolution error outlives
// its hold time and the server enters resolution maintenance: reason is
// HAProxy's "DNS NX status", "DNS timeout status", "DNS refused status"
// or "unspecified DNS error". Like a forced
// maintenance, losing a serving server is an alert, and losing the
// backend's last one adds the backend alert.
func DNSMaintEvents(t Transition, reason string) []Event {
	who := "Server " + t.Backend + "/" + t.Server
	if t.Backup {
		who = "Backup " + who
	}
	if t.Down && !t.WasUsable {
		// a server its check took down (an SRV slot's)
		text := fmt.Sprintf("%s was DOWN and now enters maintenance (%s).", who, reason)
		return []Event{{Level: 5, Text: text, Tag: "WARNING", Stderr: text}}
	}
	backup := ""
	if t.Act == 0 && t.Bck > 0 {
		backup = " Running on backup."
	}
	text := fmt.Sprintf("%s is going DOWN for maintenance (%s). %d active and %d backup servers left.%s %d sessions active, %d requeued, %d remaining in queue.",
		who, reason, t.Act, t.Bck, backup, t.Sessions, t.Requeued, t.Queued)
	ev := Event{Level: 5, Text: text, Tag: "WARNING", Stderr: text}
	if t.WasUsable {
		ev.Level = 1
	}
	out := []Event{ev}
	if t.WasUsable && t.Act == 0 && t.Bck == 0 {
		out = append(out, BackendDownEvent(t.Backend))
	}
	return out
}
