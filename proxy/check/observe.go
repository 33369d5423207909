package check

import (
	"fmt"
)

// ObserveMode is a server's `observe`: which outcomes of the traffic it
// sends count as errors for on-error.
type ObserveMode int

const (
	ObserveNone   ObserveMode = iota
	ObserveLayer4             // connection outcomes only
	ObserveLayer7             // HTTP responses (connection errors too)
)

// OnError is a server's `on-error`: what error-limit consecutive errors
// seen by `observe` do to its health check. Every mode also brings the
// next check forward to within fastinter.
type OnError int

const (
	OnErrorFastInter   OnError = iota // only the next check comes sooner
	OnErrorFailCheck                  // counts as one failed check (HAProxy's default)
	OnErrorSuddenDeath                // one failed check, leaving a single failure before DOWN
	OnErrorMarkDown                   // DOWN at once
)

// DefaultErrorLimit is HAProxy's `error-limit` when the server line has
// none.
const DefaultErrorLimit = 10

// Analysis is one outcome the data path reports for a server with
// `observe` (HAProxy's HANA_STATUS_*).
type Analysis int

const (
	AnaL4OK            Analysis = iota + 1 // connection established
	AnaL4Err                               // connection failed or timed out
	AnaHTTPOK                              // status 1xx-4xx, 501 or 505
	AnaHTTPStatus                          // any other 5xx
	AnaHTTPHeaders                         // invalid response head
	AnaHTTPResponse                        // invalid response
	AnaHTTPReadError                       // read error before the response
	AnaHTTPReadTimeout                     // server timeout before the response
	AnaHTTPBrokenPipe                      // server closed before the response
)

// anaVerdict of an outcome in one observe mode.
type anaVerdict int

const (
	ignored anaVerdict = iota
	failure
	success
)

type analysisRow struct {
	desc           string // what the HANA log line calls it
	layer4, layer7 anaVerdict
}

// analyses is HAProxy's analyze_statuses table: connection outcomes
// count in both modes (a success only for layer4), HTTP ones for layer7.
var analyses = map[Analysis]analysisRow{
	AnaL4OK:            {"L4 successful connection", success, ignored},
	AnaL4Err:           {"L4 unsuccessful connection", failure, failure},
	AnaHTTPOK:          {"Correct http response", ignored, success},
	AnaHTTPStatus:      {"Wrong http response", ignored, failure},
	AnaHTTPHeaders:     {"Invalid http response (headers)", ignored, failure},
	AnaHTTPResponse:    {"Invalid http response", ignored, failure},
	AnaHTTPReadError:   {"Read error (http)", ignored, failure},
	AnaHTTPReadTimeout: {"Read timeout (http)", ignored, failure},
	AnaHTTPBrokenPipe:  {"Close from server (http)", ignored, failure},
}

// HTTPAnalysis classifies a response status as HAProxy does: 501 and
// 505 answer what the client asked, so they are not the server's fault.
func HTTPAnalysis(status int) Analysis {
	if status >= 100 && (status < 500 || status == 501 || status == 505) {
		return AnaHTTPOK
	}
	return AnaHTTPStatus
}

// observer is the per-server state of `observe`: consecutive errors and
// the failures it caused (`show stat` hanafail).
type observer struct {
	errors int
	failed int64
}

// step counts one outcome; it reports whether the error limit was reached
// (the counter restarts) and the HANA description to log then.
func (o *observer) step(mode ObserveMode, limit int, a Analysis) (tripped bool, info string) {
	row, ok := analyses[a]
	if !ok || mode == ObserveNone {
		return false, ""
	}
	v := row.layer4
	if mode == ObserveLayer7 {
		v = row.layer7
	}
	switch v {
	case ignored:
		return false, ""
	case success:
		o.errors = 0
		return false, ""
	}
	o.errors++
	if o.errors < limit {
		return false, ""
	}
	info = fmt.Sprintf("Detected %d consecutive errors, last one was: %s", o.errors, row.desc)
	o.errors = 0
	o.failed++
	return true, info
}

// prepare sets the health an on-error mode starts from before its failed
// check is counted (false: the mode counts no failed check).
func (m OnError) prepare(h *Health) bool {
	switch m {
	case OnErrorSuddenDeath:
		if h.health > h.Rise {
			h.health = h.Rise + 1
		}
	case OnErrorMarkDown:
		h.health = h.Rise
	case OnErrorFailCheck:
	default:
		return false
	}
	return true
}

// Analyze applies one outcome the data path saw for a server with
// `observe` (its target's Observe, ErrorLimit and OnError), as HAProxy's
// health_adjust does: after ErrorLimit consecutive errors, the on-error
// mode may count a failed check (status HANA, logged and applied as a
// check's), and the next check comes within fastinter (HAProxy 2.6
// requeues its check task; later versions also keep fastinter for the
// interval after it, 2.6 does not).
func (r *Runner) Analyze(backend, server string, a Analysis) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var s *targetState
	for _, st := range r.states {
		if st.t.Backend == backend && st.t.Server == server && !st.t.Agent {
			s = st
		}
	}
	if s == nil || s.t.Observe == ObserveNone {
		return
	}
	tripped, info := s.obs.step(s.t.Observe, max(s.t.ErrorLimit, 1), a)
	if !tripped {
		return
	}
	if !s.maint && s.t.OnError.prepare(&s.h) {
		r.record(s, Result{Status: HANA, Info: info, Duration: -1})
	}
	if s.maint || s.timer == nil || s.due.Sub(r.opts.Clock.Now()) <= s.t.FastInter {
		return
	}
	// the next check comes within fastinter
	if s.timer.Stop() {
		r.wg.Done()
	}
	r.schedule(s, s.t.FastInter)
}

// HanaFailed is how many times a server's observed errors reached their
// limit (`show stat` hanafail), and whether it observes at all.
func (r *Runner) HanaFailed(backend, server string) (n int64, observed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.states {
		if s.t.Backend == backend && s.t.Server == server && !s.t.Agent {
			return s.obs.failed, s.t.Observe != ObserveNone
		}
	}
	return 0, false
}
