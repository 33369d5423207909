package vrrp

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Action is an output of the state machine, performed by the runner in order.
type Action interface{ String() string }

// SetTimer (re-)arms the timer slot Kind to fire at the absolute time At.
type SetTimer struct {
	Kind TimerKind
	At   time.Duration
}

// CancelTimer stops the timer slot Kind.
type CancelTimer struct{ Kind TimerKind }

// SendAdvert sends one advert. The runner marshals it with its source and
// destination (Advert.AppendMarshal); when ChecksumDst is valid it is used as
// the pseudo-header destination instead (old keepalived unicast v3 checksum).
type SendAdvert struct {
	Advert      Advert
	ChecksumDst netip.Addr
}

// AddVIPs / DelVIPs add or remove the virtual addresses on the interface.
type AddVIPs struct{ Addrs []netip.Addr }

// DelVIPs: see AddVIPs.
type DelVIPs struct{ Addrs []netip.Addr }

// FirewallAddVIPs puts addresses in the no-accept drop set (vrrp_strict / no_accept).
type FirewallAddVIPs struct{ Addrs []netip.Addr }

// FirewallDelVIPs takes addresses out of the drop set.
type FirewallDelVIPs struct{ Addrs []netip.Addr }

// SendGratuitous sends Count gratuitous ARPs (IPv4) or unsolicited NAs (IPv6)
// for each address; the runner paces them by vrrp_garp_interval/gna_interval.
type SendGratuitous struct {
	Addrs []netip.Addr
	Count int
}

// Notify runs the notify scripts / FIFO for a state change.
type Notify struct {
	State    State
	Priority uint8
}

// Log is a line in keepalived's words, already prefixed with "(name) ".
type Log struct{ Text string }

func (a SetTimer) String() string        { return fmt.Sprintf("SetTimer %s at %s", a.Kind, a.At) }
func (a CancelTimer) String() string     { return "CancelTimer " + a.Kind.String() }
func (a AddVIPs) String() string         { return "AddVIPs " + addrList(a.Addrs) }
func (a DelVIPs) String() string         { return "DelVIPs " + addrList(a.Addrs) }
func (a FirewallAddVIPs) String() string { return "FirewallAddVIPs " + addrList(a.Addrs) }
func (a FirewallDelVIPs) String() string { return "FirewallDelVIPs " + addrList(a.Addrs) }
func (a SendGratuitous) String() string {
	return fmt.Sprintf("SendGratuitous %d× %s", a.Count, addrList(a.Addrs))
}
func (a Notify) String() string { return fmt.Sprintf("Notify %s %d", a.State, a.Priority) }
func (a Log) String() string    { return "Log " + a.Text }
func (a SendAdvert) String() string {
	s := fmt.Sprintf("SendAdvert v%d vrid %d prio %d", a.Advert.Version, a.Advert.VRID, a.Advert.Priority)
	if a.ChecksumDst.IsValid() {
		s += " checksum-dst " + a.ChecksumDst.String()
	}
	return s
}

func addrList(a []netip.Addr) string {
	s := make([]string, len(a))
	for i, x := range a {
		s[i] = x.String()
	}
	return strings.Join(s, ",")
}

// State is a VRRP instance state.
type State uint8

// Instance states (keepalived's names in String).
const (
	StateInit State = iota
	StateBackup
	StateMaster
	StateFault
	StateStop
)

func (s State) String() string {
	switch s {
	case StateInit:
		return "INIT"
	case StateBackup:
		return "BACKUP"
	case StateMaster:
		return "MASTER"
	case StateFault:
		return "FAULT"
	case StateStop:
		return "STOP"
	}
	return "UNKNOWN"
}
