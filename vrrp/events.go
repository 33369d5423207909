package vrrp

import (
	"net/netip"
	"time"
)

// Event is an input of the state machine. Every event carries Now, the
// runner's monotonic clock as an offset; the machine never reads a clock.
type Event interface{ at() time.Duration }

// Start runs the instance (INIT → BACKUP, or MASTER for an owner).
type Start struct{ Now time.Duration }

// AdvertReceived is a VRRP payload (no IP header) received for this VRID.
type AdvertReceived struct {
	Now     time.Duration
	Payload []byte
	Src     netip.Addr // IP source
	Dst     netip.Addr // IP destination (multicast group or our unicast address)
	TTL     int        // TTL / hop limit, -1 if unknown
}

// TimerKind names the one-shot timers an instance asks its runner to arm.
type TimerKind uint8

// Timers. Each kind has one slot: SetTimer re-arms it, CancelTimer stops it.
const (
	TimerMasterDown    TimerKind = iota + 1 // BACKUP: no advert heard for Master_Down_Interval
	TimerAdvert                             // MASTER: time to send the next advert
	TimerGarpDelay                          // MASTER: second GARP burst, garp_master_delay after entry
	TimerGarpRefresh                        // MASTER: periodic GARP burst, garp_master_refresh
	TimerGarpLowerPrio                      // MASTER: delayed GARPs after a lower-priority advert
)

func (k TimerKind) String() string {
	switch k {
	case TimerMasterDown:
		return "master-down"
	case TimerAdvert:
		return "advert"
	case TimerGarpDelay:
		return "garp-delay"
	case TimerGarpRefresh:
		return "garp-refresh"
	case TimerGarpLowerPrio:
		return "garp-lower-prio"
	}
	return "timer?"
}

// TimerExpired reports that a timer armed by SetTimer fired. A stale expiry
// (the slot was re-armed or cancelled since) is ignored by the machine.
type TimerExpired struct {
	Now  time.Duration
	Kind TimerKind
}

// InterfaceDown / InterfaceUp report the link state of the instance's interface.
type InterfaceDown struct{ Now time.Duration }

// InterfaceUp: see InterfaceDown.
type InterfaceUp struct{ Now time.Duration }

// TrackChanged reports the combined state of the instance's trackers
// (scripts, interfaces, files): the sum of the weights currently applied, and
// whether any unweighted tracker is failing (→ FAULT).
type TrackChanged struct {
	Now           time.Duration
	PriorityDelta int
	Fault         bool
}

// Shutdown is SIGTERM: priority-0 advert if MASTER, VIPs and rules removed.
type Shutdown struct{ Now time.Duration }

// Reload is SIGHUP with the instance's new configuration.
type Reload struct {
	Now    time.Duration
	Config InstanceConfig
}

// SyncForce is sent by a SyncGroup to move a member with its group.
type SyncForce struct {
	Now   time.Duration
	State State // StateMaster, StateBackup or StateFault; StateBackup also clears a group fault
}

func (e Start) at() time.Duration          { return e.Now }
func (e AdvertReceived) at() time.Duration { return e.Now }
func (e TimerExpired) at() time.Duration   { return e.Now }
func (e InterfaceDown) at() time.Duration  { return e.Now }
func (e InterfaceUp) at() time.Duration    { return e.Now }
func (e TrackChanged) at() time.Duration   { return e.Now }
func (e Shutdown) at() time.Duration       { return e.Now }
func (e Reload) at() time.Duration         { return e.Now }
func (e SyncForce) at() time.Duration      { return e.Now }
