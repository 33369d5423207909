package haproxycmd

import (
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
)

// hardStopAfterOf is global hard-stop-after (0: none).
func hardStopAfterOf(res *haproxy.Result) time.Duration {
	var d time.Duration
	for _, st := range res.Config.Global.Raw {
		if len(st.Args) == 2 && st.Args[0] == "hard-stop-after" {
			if v, _, err := haproxy.ParseTime(st.Args[1]); err == nil {
				d = v
			}
		}
	}
	return d
}

// hardStopTimer fires hard-stop-after past a soft stop; nil (never)
// without it. Under a master too the worker ends itself, as HAProxy
// 2.6's do (measured: the client gets the 502, the master logs "exited
// with code 0 (Exit)"); the master's SIGTERM comes later, as a backstop.
func (w *worker) hardStopTimer() <-chan time.Time {
	if w.hardStopAfter <= 0 || w.o.Signals != nil {
		return nil
	}
	return time.After(w.hardStopAfter)
}

// hardStopExpired ends a soft stop still waiting for sessions once
// hard-stop-after passed, as HAProxy 2.6 does: the streams still running
// are killed (a client waiting for its response gets the 502 of a server
// gone), then the process exits with status 0.
func (w *worker) hardStopExpired(stopped <-chan struct{}) int {
	w.px.KillServerSides()
	select {
	case <-stopped:
	case <-time.After(500 * time.Millisecond): // the 502s written
	}
	return 0
}
