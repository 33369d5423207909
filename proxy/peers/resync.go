package peers

import "time"

// A peers section's resync flags, as HAProxy 2.6 keeps them in
// peers->flags (src/peers.c) and "show peers" prints them.
const (
	FlagResyncLocal         uint32 = 0x00000001 // learning from the old process is over (or not needed)
	FlagResyncRemote        uint32 = 0x00000002 // learning from the remote peers is over
	FlagResyncAssign        uint32 = 0x00000004 // a peer was given the lesson
	FlagResyncProcess       uint32 = 0x00000008 // the assigned peer was asked
	FlagResyncLocalTimeout  uint32 = 0x00000010
	FlagResyncRemoteTimeout uint32 = 0x00000020
	FlagResyncLocalAbort    uint32 = 0x00000040
	FlagResyncRemoteAbort   uint32 = 0x00000080
	FlagResyncLocalFinished uint32 = 0x00000100
	FlagResyncRemoteFinish  uint32 = 0x00000200
	FlagResyncLocalPartial  uint32 = 0x00000400
	FlagResyncRemotePartial uint32 = 0x00000800
	FlagResyncLocalAssign   uint32 = 0x00001000
	FlagResyncRemoteAssign  uint32 = 0x00002000
	FlagResyncRequested     uint32 = 0x00004000 // a resync request was sent
	FlagDoNotStop           uint32 = 0x00010000 // a soft-stopping process hands its tables over
)

const resyncStateMask = FlagResyncLocal | FlagResyncRemote

// Resync is a peers section's own resync state, as HAProxy's sync task
// keeps it. A process that replaces an old one (a reload) first waits up
// to ResyncTimeout for the old process to connect as the local peer and
// teach it everything; then (or at once without an old process) it learns
// the tables from one remote peer at a time, and stops trying once a peer
// taught it up to date, or after ResyncTimeout without a peer to ask.
type Resync struct {
	flags      uint32
	local      string // the local peer's name: its lesson comes from the old process
	oldProcess bool
	assigned   string // the peer given the lesson, "" if none
	timeout    time.Time
	notUp2Date map[string]bool // peers that answered "partial"
}

// NewResync starts the resync of a section whose local peer is named
// local; oldProcess says an old process may hand its tables over.
func NewResync(now time.Time, local string, oldProcess bool) *Resync {
	r := &Resync{local: local, oldProcess: oldProcess, timeout: now.Add(ResyncTimeout), notUp2Date: map[string]bool{}}
	r.Tick(now)
	return r
}

// Synced reports whether the process considers itself up to date.
func (r *Resync) Synced() bool { return r.flags&resyncStateMask == resyncStateMask }

// Flags returns HAProxy's peers->flags for this state.
func (r *Resync) Flags() uint32 { return r.flags }

// SetStopping sets or clears FlagDoNotStop (the tables are being handed
// to the new process).
func (r *Resync) SetStopping(on bool) {
	if on {
		r.flags |= FlagDoNotStop
	} else {
		r.flags &^= FlagDoNotStop
	}
}

// NotUp2Date reports whether peer ended its lesson with "partial"
// (HAProxy's PEER_F_LEARN_NOTUP2DATE).
func (r *Resync) NotUp2Date(peer string) bool { return r.notUp2Date[peer] }

// Timeout returns the resync deadline as "show peers" prints it.
func (r *Resync) Timeout() time.Time { return r.timeout }

// Assign reports whether the established session with peer should learn
// from it, and if so records the lesson as assigned to it: the old
// process (peer == local) while waiting for it, a remote peer not known
// to be behind once that stage is over.
func (r *Resync) Assign(peer string) bool {
	if r.flags&FlagResyncAssign != 0 {
		return false
	}
	state := r.flags & resyncStateMask
	switch {
	case peer == r.local && state == 0:
		r.flags |= FlagResyncAssign | FlagResyncProcess | FlagResyncLocalAssign
	case peer != r.local && state == FlagResyncLocal && !r.notUp2Date[peer]:
		// The session sends the request at once (RESYNC_REQUESTED).
		r.flags |= FlagResyncAssign | FlagResyncProcess | FlagResyncRemoteAssign | FlagResyncRequested
	default:
		return false
	}
	r.assigned = peer
	return true
}

// Learned records the end of the lesson from peer: "finished" makes the
// process synced; "partial" marks the peer not up to date and re-arms the
// timeout to ask another one.
func (r *Resync) Learned(now time.Time, peer string, partial bool) {
	if r.assigned != peer {
		return
	}
	r.assigned = ""
	r.flags &^= FlagResyncAssign | FlagResyncProcess
	local := peer == r.local
	if partial {
		r.flags |= pick(local, FlagResyncLocalPartial, FlagResyncRemotePartial)
		r.notUp2Date[peer] = true
		r.timeout = now.Add(ResyncTimeout)
		return
	}
	r.flags |= pick(local, FlagResyncLocalFinished, FlagResyncRemoteFinish) | resyncStateMask
}

// Aborted records that peer's session ended during its lesson.
func (r *Resync) Aborted(now time.Time, peer string) {
	if r.assigned != peer {
		return
	}
	r.assigned = ""
	r.flags &^= FlagResyncAssign | FlagResyncProcess
	r.flags |= pick(peer == r.local, FlagResyncLocalAbort, FlagResyncRemoteAbort)
	r.timeout = now.Add(ResyncTimeout)
}

// Tick moves on from a stage whose timeout passed with no lesson under
// way: from the old process to the remote peers (at once when there is no
// old process), from the remote peers to "synced".
func (r *Resync) Tick(now time.Time) {
	if r.flags&FlagResyncAssign != 0 {
		return
	}
	expired := !now.Before(r.timeout)
	switch r.flags & resyncStateMask {
	case 0:
		if !r.oldProcess || expired {
			r.flags |= FlagResyncLocal | FlagResyncLocalTimeout
			r.timeout = now.Add(ResyncTimeout)
		}
	case FlagResyncLocal:
		if expired {
			r.flags |= FlagResyncRemote | FlagResyncRemoteTimeout
		}
	}
}

// Deadline returns when Tick may change something (zero when synced).
func (r *Resync) Deadline() time.Time {
	if r.Synced() {
		return time.Time{}
	}
	return r.timeout
}

func pick(local bool, l, r uint32) uint32 {
	if local {
		return l
	}
	return r
}
