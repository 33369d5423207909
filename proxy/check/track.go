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
		c := r.counts(t)
		if up {
			r.log(upLine(t.Backend, t.Server, t.Backup, "UP", " via "+of, c))
		} else {
			r.log(downLine(t.Backend, t.Server, t.Backup, " via "+of, c))
			if c.Active+c.Backup == 0 {
				r.log(NoServerLine(t.Backend))
			}
		}
		r.propagate(tr.Backend, tr.Server, up, res)
	}
}
