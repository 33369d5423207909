package haproxycmd

import (
	"fmt"

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

// forcedMaint reports whether a tracking server is in its own
// maintenance (`set server ... state maint`).
func (w *worker) forcedMaint(backend, server string) bool {
	w.rt.mu.Lock()
	defer w.rt.mu.Unlock()
	return w.rt.fmaint[backend+"/"+server]
}

// setForcedMaint records a tracking server's own maintenance.
func (w *worker) setForcedMaint(backend, server string, maint bool) {
	w.rt.mu.Lock()
	defer w.rt.mu.Unlock()
	if w.rt.fmaint == nil {
		w.rt.fmaint = map[string]bool{}
	}
	w.rt.fmaint[backend+"/"+server] = maint
}

// inheritedMaint reports whether a tracking server is in the maintenance
// its tracked server passed on (show stat "MAINT (via B/S)").
func (w *worker) inheritedMaint(backend, server string) bool {
	w.rt.mu.Lock()
	defer w.rt.mu.Unlock()
	return w.rt.imaint[backend+"/"+server]
}

// propagateMaint passes a server's entering or leaving maintenance to the
// servers tracking it, down the chain, with HAProxy 2.6's lines: "Server
// B/S is going DOWN for maintenance via TB/TS. ...", "... was DOWN and
// now enters maintenance via TB/TS.", "... is UP/READY (leaving
// maintenance).". A tracking server already in its own maintenance only
// records the inherited one.
func (s *runtimeSource) propagateMaint(backend, server string, maint bool) {
	w := s.w
	of := backend + "/" + server
	for _, tr := range w.plan.Trackers {
		if tr.Of != of {
			continue
		}
		key := tr.Backend + "/" + tr.Server
		before, ok := w.px.ServerStatus(tr.Backend, tr.Server)
		w.rt.mu.Lock()
		if w.rt.imaint == nil {
			w.rt.imaint = map[string]bool{}
		}
		was := w.rt.imaint[key]
		w.rt.imaint[key] = maint
		w.rt.mu.Unlock()
		if !ok || was == maint || w.forcedMaint(tr.Backend, tr.Server) {
			continue // forced maintenance stays until `set server ... state`
		}
		wasUsable, backup := s.serverUsable(tr.Backend, tr.Server)
		tracked, _ := w.px.ServerStatus(backend, server)
		w.px.UpdateServerStatus(tr.Backend, tr.Server, func(st *proxy.ServerStatus) {
			st.Maint = maint
			if !maint {
				st.CheckUp = tracked.CheckUp && !tracked.AgentDown
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
		notice := func(text string) runtimeapi.Event {
			return runtimeapi.Event{Level: 5, Text: text, Tag: "WARNING", Stderr: text}
		}
		c := w.backendCounts(tr.Backend, tr.Server)
		switch {
		case !maint:
			after, _ := w.px.ServerStatus(tr.Backend, tr.Server)
			state := "UP"
			if !after.CheckUp {
				state = "DOWN"
			}
			s.logEvent(tr.Backend, notice(who+" is "+state+"/READY (leaving maintenance)."))
		case !before.CheckUp && !wasUsable:
			s.logEvent(tr.Backend, notice(who+" was DOWN and now enters maintenance via "+of+"."))
		default:
			onBackup := ""
			if c.Active == 0 && c.Backup > 0 {
				onBackup = " Running on backup."
			}
			ev := notice(fmt.Sprintf("%s is going DOWN for maintenance via %s. %d active and %d backup servers left.%s %d sessions active, %d requeued, %d remaining in queue.",
				who, of, c.Active, c.Backup, onBackup, c.Sessions, c.Requeued, c.Queued))
			if wasUsable {
				ev.Level = 1
			}
			s.logEvent(tr.Backend, ev)
			if wasUsable && c.Active+c.Backup == 0 {
				s.logEvent(tr.Backend, runtimeapi.BackendDownEvent(tr.Backend))
			}
		}
		s.propagateMaint(tr.Backend, tr.Server, maint)
	}
}

// propagateHealth passes a forced UP or DOWN (`set server B/S health`, the
// stats page) to the servers tracking backend/server, down the chain, as
// the check runner does for a check's transitions. Servers in
// maintenance keep still.
func (w *worker) propagateHealth(backend, server string, up bool) {
	of := backend + "/" + server
	for _, tr := range w.plan.Trackers {
		if tr.Of != of {
			continue
		}
		before, ok := w.px.ServerStatus(tr.Backend, tr.Server)
		if !ok || before.Maint || before.CheckUp == up {
			continue
		}
		w.px.UpdateServerStatus(tr.Backend, tr.Server, func(st *proxy.ServerStatus) { st.CheckUp = up })
		for _, l := range check.ViaLines(tr, up, w.backendCounts(tr.Backend, tr.Server)) {
			w.logCheckLine(tr.Backend, l)
		}
		w.propagateHealth(tr.Backend, tr.Server, up)
	}
}

// inheritedDrain reports whether a tracking server is in the drain its
// tracked server passed on.
func (w *worker) inheritedDrain(backend, server string) bool {
	w.rt.mu.Lock()
	defer w.rt.mu.Unlock()
	return w.rt.idrain[backend+"/"+server]
}

// propagateDrain passes a server's entering or leaving drain to the
// servers tracking it, down the chain: "Server B/S enters drain state via
// TB/TS. ..." and, leaving, "Server B/S is UP (leaving forced drain)."
// (HAProxy 2.6.12 says "forced" there too).
func (s *runtimeSource) propagateDrain(backend, server string, drain bool) {
	w := s.w
	of := backend + "/" + server
	for _, tr := range w.plan.Trackers {
		if tr.Of != of {
			continue
		}
		key := tr.Backend + "/" + tr.Server
		before, ok := w.px.ServerStatus(tr.Backend, tr.Server)
		w.rt.mu.Lock()
		if w.rt.idrain == nil {
			w.rt.idrain = map[string]bool{}
		}
		was := w.rt.idrain[key]
		w.rt.idrain[key] = drain
		w.rt.mu.Unlock()
		if !ok || was == drain || before.Maint || before.Drain && !was {
			continue // its own drain or maintenance stays
		}
		wasUsable, backup := s.serverUsable(tr.Backend, tr.Server)
		w.px.UpdateServerStatus(tr.Backend, tr.Server, func(st *proxy.ServerStatus) { st.Drain = drain })
		who := "Server " + key
		if backup {
			who = "Backup " + who
		}
		notice := func(text string) runtimeapi.Event {
			return runtimeapi.Event{Level: 5, Text: text, Tag: "WARNING", Stderr: text}
		}
		c := w.backendCounts(tr.Backend, tr.Server)
		if drain {
			s.logEvent(tr.Backend, notice(fmt.Sprintf("%s enters drain state via %s. %d active and %d backup servers online. %d sessions requeued, %d total in queue.",
				who, of, c.Active, c.Backup, c.Requeued, c.Queued)))
			if wasUsable && c.Active+c.Backup == 0 {
				s.logEvent(tr.Backend, runtimeapi.BackendDownEvent(tr.Backend))
			}
		} else {
			state := "UP"
			if !before.CheckUp {
				state = "DOWN"
			}
			s.logEvent(tr.Backend, notice(who+" is "+state+" (leaving forced drain)."))
		}
		s.propagateDrain(tr.Backend, tr.Server, drain)
	}
}
