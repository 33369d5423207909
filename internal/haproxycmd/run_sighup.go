package haproxycmd

import (
	"fmt"

	"github.com/goha-lb/goha/proxy"
)

// dumpStates is HAProxy's SIGHUP: one line per server and one per proxy,
// in configuration order, as warnings on stderr and notices to each
// proxy's log targets.
func (w *worker) dumpStates() {
	w.events.stderrOnly("SIGHUP received, dumping servers states.", levelWarning)
	w.events.send("", levelNotice, "SIGHUP received, dumping servers states.")
	fes := map[string]proxy.FrontendState{}
	for _, f := range w.px.Frontends() {
		fes[f.Name] = f
	}
	bes := map[string]proxy.BackendState{}
	for _, b := range w.px.Backends() {
		bes[b.Name] = b
	}
	say := func(px, msg string) {
		w.events.stderrOnly(msg, levelWarning)
		w.events.send(px, levelNotice, msg)
	}
	for _, sec := range w.plan.Sections {
		fe, be := fes[sec.Name], bes[sec.Name]
		act, bck := 0, 0
		for _, s := range be.Servers {
			state := "DOWN"
			if s.Up {
				state = "UP"
				if s.Weight > 0 {
					if s.Backup {
						bck++
					} else {
						act++
					}
				}
			}
			say(sec.Name, fmt.Sprintf("SIGHUP: Server %s/%s is %s. Conn: %d act, %d pend, %d tot.",
				sec.Name, s.Name, state, s.Stats.CurSessions, 0, s.Stats.Sessions))
		}
		conn := fmt.Sprintf("Conn: act(FE+BE): %d+%d, %d pend (%d unass), tot(FE+BE): %d+%d.",
			fe.Stats.CurSessions, be.Stats.CurSessions, be.Stats.Queue, be.Stats.Queue, fe.Stats.Sessions, be.Stats.Sessions)
		switch {
		case !sec.Backend:
			say(sec.Name, fmt.Sprintf("SIGHUP: Proxy %s has no servers. %s", sec.Name, conn))
		case act+bck > 0:
			say(sec.Name, fmt.Sprintf("SIGHUP: Proxy %s has %d active servers and %d backup servers available. %s", sec.Name, act, bck, conn))
		default:
			say(sec.Name, fmt.Sprintf("SIGHUP: Proxy %s has no server available ! %s", sec.Name, conn))
		}
	}
	// HAProxy's internal HTTP client proxy is part of its dump.
	say("", "SIGHUP: Server <HTTPCLIENT>/<HTTPCLIENT> is UP. Conn: 0 act, 0 pend, 0 tot.")
	say("", "SIGHUP: Server <HTTPCLIENT>/<HTTPSCLIENT> is UP. Conn: 0 act, 0 pend, 0 tot.")
	say("", "SIGHUP: Proxy <HTTPCLIENT> has no server available ! Conn: act(FE+BE): 0+0, 0 pend (0 unass), tot(FE+BE): 0+0.")
}
