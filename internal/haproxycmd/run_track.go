package haproxycmd

import (
	"fmt"
	"strings"

	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/check"
	"github.com/goha-lb/goha/proxy/runtimeapi"
)

// tracked is the server backend/server tracks (`track`), "backend/server";
// "" for a server without track.
func (w *worker) tracked(backend, server string) string {
	for _, t := range w.plan.Trackers {
		if t.Backend == backend && t.Server == server {
			return t.Of
		}
	}
	return ""
}

// flag reads a tracking server's entry in one of the runtime's flag maps
// (rt.fmaint, rt.imaint, rt.idrain).
func (w *worker) flag(m *map[string]bool, backend, server string) bool {
	w.rt.mu.Lock()
	defer w.rt.mu.Unlock()
	return (*m)[backend+"/"+server]
}

// swapFlag sets a tracking server's entry in one of the runtime's flag
// maps, made on first use, and returns the value it had.
func (w *worker) swapFlag(m *map[string]bool, backend, server string, v bool) (was bool) {
	w.rt.mu.Lock()
	defer w.rt.mu.Unlock()
	if *m == nil {
		*m = map[string]bool{}
	}
	key := backend + "/" + server
	was, (*m)[key] = (*m)[key], v
	return was
}

// forcedMaint reports whether a tracking server is in its own
// maintenance (`set server ... state maint`).
func (w *worker) forcedMaint(backend, server string) bool {
	return w.flag(&w.rt.fmaint, backend, server)
}

// setForcedMaint records a tracking server's own maintenance.
func (w *worker) setForcedMaint(backend, server string, maint bool) {
	w.swapFlag(&w.rt.fmaint, backend, server, maint)
}

// inheritedMaint reports whether a tracking server is in the maintenance
// its tracked server passed on (show stat "MAINT (via B/S)").
func (w *worker) inheritedMaint(backend, server string) bool {
	return w.flag(&w.rt.imaint, backend, server)
}

// inheritedDrain reports whether a tracking server is in the drain its
// tracked server passed on.
func (w *worker) inheritedDrain(backend, server string) bool {
	return w.flag(&w.rt.idrain, backend, server)
}

// inherit passes an inherited flag (maintenance or drain, in m) of
// backend/server to the servers tracking it: for each, it records the
// flag and, when that changed it, calls apply with the tracker (tr.Of is
// the server it inherits from) and its status before; it goes on down
// the chain from the trackers apply reports changed.
func (s *runtimeSource) inherit(m *map[string]bool, backend, server string, v bool,
	apply func(tr check.Tracker, before proxy.ServerStatus) bool) {
	w := s.w
	for _, tr := range check.TrackersOf(w.plan.Trackers, backend+"/"+server) {
		before, ok := w.px.ServerStatus(tr.Backend, tr.Server)
		was := w.swapFlag(m, tr.Backend, tr.Server, v)
		if ok && was != v && apply(tr, before) {
			s.inherit(m, tr.Backend, tr.Server, v, apply)
		}
	}
}

// trackNotice is a state change line of a tracking server (HAProxy's
// notice level, on stderr as a warning).
func trackNotice(text string) runtimeapi.Event {
	return runtimeapi.Event{Level: 5, Text: text, Tag: "WARNING", Stderr: text}
}

// propagateMaint passes a server's entering or leaving maintenance to the
// servers tracking it, down the chain, with HAProxy 2.6's lines: "Server
// B/S is going DOWN for maintenance via TB/TS. ...", "... was DOWN and
// now enters maintenance via TB/TS.", "... is UP/READY (leaving
// maintenance).". A tracking server already in its own maintenance only
// records the inherited one.
func (s *runtimeSource) propagateMaint(backend, server string, maint bool) {
	w := s.w
	s.inherit(&w.rt.imaint, backend, server, maint, func(tr check.Tracker, before proxy.ServerStatus) bool {
		of := tr.Of
		if w.forcedMaint(tr.Backend, tr.Server) {
			// forced maintenance stays until `set server ... state`
			if !maint {
				s.logEvent(tr.Backend, trackNotice("Server "+tr.Backend+"/"+tr.Server+" remains in forced maintenance."))
			}
			return false
		}
		key := tr.Backend + "/" + tr.Server
		wasUsable, backup := s.serverUsable(tr.Backend, tr.Server)
		tracked, _ := w.px.ServerStatus(splitKey(of))
		w.px.UpdateServerStatus(tr.Backend, tr.Server, func(st *proxy.ServerStatus) {
			st.Maint = maint
			if !maint { // it takes the tracked server's state, stopping included
				st.CheckUp, st.CheckDrain = tracked.CheckUp && !tracked.AgentDown, tracked.CheckDrain
			}
		})
		if maint {
			// maintenance empties the health HAProxy shows (never refilled)
			w.setUncheckedHealth(tr.Backend, tr.Server, 0)
		}
		who := "Server " + key
		if backup {
			who = "Backup " + who
		}
		c := w.backendCounts(tr.Backend, tr.Server)
		switch {
		case !maint:
			after, _ := w.px.ServerStatus(tr.Backend, tr.Server)
			state := "UP"
			if !after.CheckUp {
				state = "DOWN"
			}
			s.logEvent(tr.Backend, trackNotice(who+" is "+state+"/READY (leaving maintenance)."))
		case !before.CheckUp && !wasUsable:
			s.logEvent(tr.Backend, trackNotice(who+" was DOWN and now enters maintenance via "+of+"."))
		default:
			onBackup := ""
			if c.Active == 0 && c.Backup > 0 {
				onBackup = " Running on backup."
			}
			ev := trackNotice(fmt.Sprintf("%s is going DOWN for maintenance via %s. %d active and %d backup servers left.%s %d sessions active, %d requeued, %d remaining in queue.",
				who, of, c.Active, c.Backup, onBackup, c.Sessions, c.Requeued, c.Queued))
			if wasUsable {
				ev.Level = 1
			}
			s.logEvent(tr.Backend, ev)
			if wasUsable && c.Active+c.Backup == 0 {
				s.logEvent(tr.Backend, runtimeapi.BackendDownEvent(tr.Backend))
			}
		}
		return true
	})
}

// propagateHealth passes a forced state (`set server B/S health`, the
// stats page) to the servers tracking backend/server, down the chain, as
// the check runner does for a check's transitions. Servers in
// maintenance keep still.
func (w *worker) propagateHealth(backend, server string, now check.TrackState) {
	for _, tr := range check.TrackersOf(w.plan.Trackers, backend+"/"+server) {
		was := w.trackState(tr.Backend, tr.Server)
		if was.Maint || was.Up == now.Up && was.Stopping == now.Stopping {
			continue
		}
		w.px.UpdateServerStatus(tr.Backend, tr.Server, func(st *proxy.ServerStatus) {
			st.CheckUp, st.CheckDrain = now.Up, now.Up && now.Stopping
		})
		for _, l := range check.ViaLines(tr, was, now, w.backendCounts(tr.Backend, tr.Server)) {
			w.logCheckLine(tr.Backend, l)
		}
		w.propagateHealth(tr.Backend, tr.Server, now)
	}
}

// trackState is a server's state as `track` passes it on.
func (w *worker) trackState(backend, server string) check.TrackState {
	st, _ := w.px.ServerStatus(backend, server)
	return check.TrackState{Up: st.CheckUp && !st.AgentDown, Stopping: st.CheckDrain, Maint: st.Maint}
}

// propagateDrain passes a server's entering or leaving drain to the
// servers tracking it, down the chain: "Server B/S enters drain state via
// TB/TS. ..." and, leaving, "Server B/S is UP (leaving forced drain)."
// (HAProxy 2.6.12 says "forced" there too).
func (s *runtimeSource) propagateDrain(backend, server string, drain bool) {
	w := s.w
	s.inherit(&w.rt.idrain, backend, server, drain, func(tr check.Tracker, before proxy.ServerStatus) bool {
		if before.Maint || before.Drain && drain {
			return false // its own drain or maintenance stays
		}
		wasUsable, backup := s.serverUsable(tr.Backend, tr.Server)
		w.px.UpdateServerStatus(tr.Backend, tr.Server, func(st *proxy.ServerStatus) { st.Drain = drain })
		who := "Server " + tr.Backend + "/" + tr.Server
		if backup {
			who = "Backup " + who
		}
		c := w.backendCounts(tr.Backend, tr.Server)
		if drain {
			s.logEvent(tr.Backend, trackNotice(fmt.Sprintf("%s enters drain state via %s. %d active and %d backup servers online. %d sessions requeued, %d total in queue.",
				who, tr.Of, c.Active, c.Backup, c.Requeued, c.Queued)))
			if wasUsable && c.Active+c.Backup == 0 {
				s.logEvent(tr.Backend, runtimeapi.BackendDownEvent(tr.Backend))
			}
		} else {
			state := "UP"
			if !before.CheckUp {
				state = "DOWN"
			}
			s.logEvent(tr.Backend, trackNotice(who+" is "+state+" (leaving forced drain)."))
		}
		return true
	})
}

// startTrackMaint sets the state `disabled` gives tracking servers at
// start, as HAProxy 2.6 was measured (TestServerTrackDisabledMatchHAProxy):
// the servers tracking a disabled server that is not itself a tracker,
// and down their chain, start in the maintenance it passes on ("MAINT
// (via B/S)", health 0), without a line, disabled or not; a disabled
// tracking server is in its own maintenance too, with health 0, and
// passes that one on only when it is set again at run time.
func (w *worker) startTrackMaint() {
	disabled := func(key string) bool {
		b, s, _ := strings.Cut(key, "/")
		for _, be := range w.plan.Proxy.Backends {
			if be.Name != b {
				continue
			}
			for _, sv := range be.Servers {
				if sv.Name == s {
					return sv.Disabled
				}
			}
		}
		return false
	}
	inMaint := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for _, tr := range w.plan.Trackers {
			key := tr.Backend + "/" + tr.Server
			if inMaint[key] || !inMaint[tr.Of] && (!disabled(tr.Of) || w.tracked(splitKey(tr.Of)) != "") {
				continue
			}
			inMaint[key], changed = true, true
			w.swapFlag(&w.rt.imaint, tr.Backend, tr.Server, true)
			w.px.UpdateServerStatus(tr.Backend, tr.Server, func(st *proxy.ServerStatus) { st.Maint = true })
			w.setUncheckedHealth(tr.Backend, tr.Server, 0)
		}
	}
	for _, tr := range w.plan.Trackers {
		if disabled(tr.Backend + "/" + tr.Server) {
			w.setForcedMaint(tr.Backend, tr.Server, true)
			w.setUncheckedHealth(tr.Backend, tr.Server, 0)
		}
	}
}

// splitKey splits "backend/server".
func splitKey(key string) (string, string) {
	b, s, _ := strings.Cut(key, "/")
	return b, s
}
