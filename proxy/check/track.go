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

// TrackState is a server's state as `track` passes it on: UP or DOWN,
// Stopping (HAProxy's NOLB: UP but taking no new traffic, from `http-check
// disable-on-404` or a forced `health stopping`), and Maint (a tracking
// server in maintenance takes no transition and passes none on; it takes
// its tracked server's state when it leaves).
type TrackState struct {
	Up, Stopping, Maint bool
}

// usable: the server counted among the backend's active or backup ones.
func (s TrackState) usable() bool { return s.Up && !s.Stopping && !s.Maint }

// TrackersOf are the servers tracking of ("backend/server") in the order
// HAProxy 2.6 passes a change to them: the last configured first (its
// list of trackers grows at its head).
func TrackersOf(trackers []Tracker, of string) []Tracker {
	var out []Tracker
	for i := len(trackers) - 1; i >= 0; i-- {
		if trackers[i].Of == of {
			out = append(out, trackers[i])
		}
	}
	return out
}

// propagate hands a transition of server backend/server (its state before
// and after) to the servers tracking it, down the chain, as HAProxy 2.6
// does after the tracked server's own lines (ViaLines). r.mu is held.
func (r *Runner) propagate(backend, server string, before, after TrackState, res Result) {
	for _, tr := range TrackersOf(r.opts.Trackers, backend+"/"+server) {
		was := before // a tracking server mirrors the server it tracks
		if r.opts.TrackState != nil {
			was = r.opts.TrackState(tr.Backend, tr.Server)
		}
		if was.Maint || was.Up == after.Up && was.Stopping == after.Stopping {
			continue
		}
		t := &Target{Backend: tr.Backend, Server: tr.Server, Backup: tr.Backup}
		if r.opts.Apply != nil {
			r.opts.Apply(Event{Target: t, Up: after.Up, Drain: after.Stopping, Result: res})
		}
		for _, l := range ViaLines(tr, was, after, r.counts(t)) {
			r.log(l)
		}
		r.propagate(tr.Backend, tr.Server, was, after, res)
	}
}

// ViaLines are HAProxy's lines for a tracking server taking its tracked
// server's state (from was to now): "Server B/S is UP via TB/TS. N active
// ... online. ...", "... is stopping via TB/TS. N active ... online.
// ..." or "... is DOWN via TB/TS. N active ... left. ..." and, when that
// empties the backend of a server it counted, "backend B has no server
// available!". c counts the backend after the change.
func ViaLines(tr Tracker, was, now TrackState, c BackendCounts) []Line {
	var out []Line
	switch {
	case now.Up && now.Stopping:
		out = append(out, upLine(tr.Backend, tr.Server, tr.Backup, "stopping", " via "+tr.Of, c))
	case now.Up:
		return []Line{upLine(tr.Backend, tr.Server, tr.Backup, "UP", " via "+tr.Of, c)}
	default:
		l := downLine(tr.Backend, tr.Server, tr.Backup, " via "+tr.Of, c)
		if was.Stopping {
			l.Severity = Notice // as for a checked server that was stopping
		}
		out = append(out, l)
	}
	if was.usable() && c.Active+c.Backup == 0 {
		out = append(out, NoServerLine(tr.Backend))
	}
	return out
}
