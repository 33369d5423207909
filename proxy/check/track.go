package check

// Tracker is a server with `track`: it has no check of its own and takes
// the state of the server it tracks (Of), which may itself be a tracker
// (a chain).
type Tracker struct {
	Backend, Server string
	Backup          bool
	// Of is the tracked server, "backend/server".
	Of string
}

// propagate hands a transition of server backend/server to the servers
// tracking it, down the chain, as HAProxy 2.6 does after the tracked
// server's own lines: "Server B/S is DOWN via TB/TS. ..." (and the
// backend's "has no server available!") or "... is UP via TB/TS. ...".
// r.mu is held.
func (r *Runner) propagate(backend, server string, up bool, res Result) {
	of := backend + "/" + server
	for i := range r.opts.Trackers {
		tr := &r.opts.Trackers[i]
		if tr.Of != of {
			continue
		}
		t := &Target{Backend: tr.Backend, Server: tr.Server, Backup: tr.Backup}
		if r.opts.Apply != nil {
			r.opts.Apply(Event{Target: t, Up: up, Result: res})
		}
		for _, l := range ViaLines(*tr, up, r.counts(t)) {
			r.log(l)
		}
		r.propagate(tr.Backend, tr.Server, up, res)
	}
}

// ViaLines are HAProxy's lines for a tracking server taking its tracked
// server's state: "Server B/S is UP via TB/TS. N active ... online. ..."
// or "... is DOWN via TB/TS. N active ... left. ..." and, when that
// empties the backend, "backend B has no server available!". c counts the
// backend after the change.
func ViaLines(tr Tracker, up bool, c BackendCounts) []Line {
	if up {
		return []Line{upLine(tr.Backend, tr.Server, tr.Backup, "UP", " via "+tr.Of, c)}
	}
	out := []Line{downLine(tr.Backend, tr.Server, tr.Backup, " via "+tr.Of, c)}
	if c.Active+c.Backup == 0 {
		out = append(out, NoServerLine(tr.Backend))
	}
	return out
}
