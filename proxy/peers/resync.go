package peers

import "time"

// Resync is a peers section's own resync state, as HAProxy's sync task
// keeps it: a starting process learns the tables from one remote peer at a
// time (a resync request), and stops trying once a peer taught it up to
// date, or after ResyncTimeout without a peer to ask. (The first stage,
// learning from the old process of a reload, is not done here: a process
// starts at the remote stage, as HAProxy does when it has no old pids.)
type Resync struct {
	finished   bool
	assigned   string // the peer asked for a resync, "" if none
	timeout    time.Time
	notUp2Date map[string]bool // peers that answered "partial"
}

// NewResync starts the resync of a process with remotes remote peers (a
// section with none is synced at once).
func NewResync(now time.Time, remotes int) *Resync {
	return &Resync{finished: remotes == 0, timeout: now.Add(ResyncTimeout), notUp2Date: map[string]bool{}}
}

// Synced reports whether the process considers itself up to date.
func (r *Resync) Synced() bool { return r.finished }

// Assign reports whether the established session with peer should ask it
// for a resync, and if so records the lesson as assigned to it.
func (r *Resync) Assign(peer string) bool {
	if r.finished || r.assigned != "" || r.notUp2Date[peer] {
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
	if partial {
		r.notUp2Date[peer] = true
		r.timeout = now.Add(ResyncTimeout)
		return
	}
	r.finished = true
}

// Aborted records that peer's session ended during its lesson.
func (r *Resync) Aborted(now time.Time, peer string) {
	if r.assigned == peer {
		r.assigned = ""
		r.timeout = now.Add(ResyncTimeout)
	}
}

// Tick ends the resync when its timeout passed with no lesson under way.
func (r *Resync) Tick(now time.Time) {
	if !r.finished && r.assigned == "" && !now.Before(r.timeout) {
		r.finished = true
	}
}

// Deadline returns when Tick may change something (zero when synced).
func (r *Resync) Deadline() time.Time {
	if r.finished {
		return time.Time{}
	}
	return r.timeout
}
