package daemon

import (
	"time"

	"github.com/goha-lb/goha/vrrp"
)

// InstanceSnapshot is a read-only copy of one instance's state and counters,
// taken on the loop goroutine for the metrics exporter
// (vrrp/daemon/metrics). The counters are the very ones the USR2 stats dump
// (/tmp/keepalived.stats) prints, so a scrape and a dump agree.
type InstanceSnapshot struct {
	Name      string // vrrp_instance name
	Interface string // the instance's interface (its VMAC with use_vmac)
	VRID      uint8
	IPv6      bool

	State             vrrp.State
	BasePriority      uint8 // configured priority
	EffectivePriority uint8 // with tracker weights applied
	AdvertInterval    time.Duration
	// MasterDownInterval is the master-down timer's length at the current
	// priority (keepalived.data's "Master down timer").
	MasterDownInterval time.Duration

	// Counters: received adverts, [vrrp.DropNone] accepted, the other
	// slots one per drop reason.
	Counters vrrp.Counters
	// Stats: adverts sent, master transitions, priority-0 adverts.
	Stats vrrp.Stats
	// UnknownVRID counts adverts on the instance's socket for a VRID no
	// instance there runs (shared by the instances of one socket).
	UnknownVRID uint64
	SendErrors  uint64
	Transitions uint64 // state changes since start
	GarpsSent   uint64 // gratuitous ARPs / unsolicited NAs that left

	TrackInterfaces []TrackStatus
	TrackScripts    []TrackStatus // only scripts that reported at least once
	TrackFiles      []TrackFileValue
}

// TrackStatus is a tracked interface (up) or vrrp_script (succeeding),
// before any reverse or weight is applied.
type TrackStatus struct {
	Name string
	Up   bool
}

// TrackFileValue is the value last read from a track_file.
type TrackFileValue struct {
	Name  string
	Value int
}

// Snapshot copies every instance's state and counters (from the loop
// goroutine). After Run has returned it is empty.
func (r *Runner) Snapshot() []InstanceSnapshot {
	var out []InstanceSnapshot
	r.do(func(time.Duration) { out = r.snapshot() })
	return out
}

func (r *Runner) snapshot() []InstanceSnapshot {
	out := make([]InstanceSnapshot, 0, len(r.insts))
	for _, in := range r.insts {
		c := in.m.Config()
		s := InstanceSnapshot{
			Name: in.spec.Name, Interface: in.spec.Interface, VRID: in.spec.VRID, IPv6: in.spec.IPv6,
			State: in.m.State(), BasePriority: c.Priority, EffectivePriority: in.m.Priority(),
			AdvertInterval: c.AdvertInterval, MasterDownInterval: in.m.MasterDownInterval(),
			Counters: in.m.Counters, Stats: in.m.Stats, UnknownVRID: in.conn.unknown,
			SendErrors: in.sendErr, Transitions: in.transitions, GarpsSent: in.garpsSent,
		}
		for _, t := range in.spec.TrackInterfaces {
			s.TrackInterfaces = append(s.TrackInterfaces, TrackStatus{Name: t.Name, Up: r.linkUp[t.Name]})
		}
		for _, t := range in.spec.TrackScripts {
			if st := r.scripts[t.Name]; st != nil && st.known {
				s.TrackScripts = append(s.TrackScripts, TrackStatus{Name: t.Name, Up: st.ok})
			}
		}
		for _, t := range in.spec.TrackFiles {
			s.TrackFiles = append(s.TrackFiles, TrackFileValue{Name: t.Name, Value: r.files[t.Name]})
		}
		out = append(out, s)
	}
	return out
}

// StateNumber is keepalived's numeric state (vrrp.h, keepalived.json):
// INIT 0, BACKUP 1, MASTER 2, FAULT 3, STOP 98.
func StateNumber(s vrrp.State) int { return stateNumber(s) }
