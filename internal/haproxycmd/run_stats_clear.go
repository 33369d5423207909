package haproxycmd

import (
	"errors"
	"sync"

	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/runtimeapi"
)

// counterBase is what `clear counters all` zeroes: the data path's
// counters only grow, so the runtime API shows them minus the values
// they had at the last clear. One per worker, shared by its stats
// sockets (and anything else reading a runtimeSource).
type counterBase struct {
	mu    sync.Mutex
	stats map[string]proxy.Stats // "fe/<name>", "be/<name>", "sv/<be>/<srv>"
	downs map[string]int64       // "<be>/<srv>": check DOWN transitions (chkdown)
	fails map[string]int64       // "<be>/<srv>": failed checks (chkfail)
}

var counterBases sync.Map // *worker -> *counterBase

func baseOf(w *worker) *counterBase {
	b, _ := counterBases.LoadOrStore(w, &counterBase{})
	return b.(*counterBase)
}

// ClearCounters implements runtimeapi.CounterClearer. goha keeps no
// maxima (they read 0), so the plain form has nothing to reset.
func (s *runtimeSource) ClearCounters(all bool) {
	if !all {
		return
	}
	w := s.w
	b := baseOf(w)
	stats, downs, fails := map[string]proxy.Stats{}, map[string]int64{}, map[string]int64{}
	for _, f := range w.px.Frontends() {
		stats["fe/"+f.Name] = f.Stats
	}
	for _, be := range w.px.Backends() {
		stats["be/"+be.Name] = be.Stats
		for _, sv := range be.Servers {
			stats["sv/"+be.Name+"/"+sv.Name] = sv.Stats
			if st, ok := w.px.ServerStatus(be.Name, sv.Name); ok {
				downs[be.Name+"/"+sv.Name] = st.Downs
			}
			if w.checks != nil {
				fails[be.Name+"/"+sv.Name] = w.checks.FailedChecks(be.Name, sv.Name)
			}
		}
	}
	b.mu.Lock()
	b.stats, b.downs, b.fails = stats, downs, fails
	b.mu.Unlock()
}

// since returns st minus the counters at the last clear; gauges (current
// sessions, queue) are kept.
func (b *counterBase) since(key string, st proxy.Stats) proxy.Stats {
	b.mu.Lock()
	z, ok := b.stats[key]
	b.mu.Unlock()
	if !ok {
		return st
	}
	st.Sessions -= z.Sessions
	st.BytesIn -= z.BytesIn
	st.BytesOut -= z.BytesOut
	st.Requests -= z.Requests
	st.HRsp1xx -= z.HRsp1xx
	st.HRsp2xx -= z.HRsp2xx
	st.HRsp3xx -= z.HRsp3xx
	st.HRsp4xx -= z.HRsp4xx
	st.HRsp5xx -= z.HRsp5xx
	st.HRspOther -= z.HRspOther
	st.ConnErrors -= z.ConnErrors
	st.RespErrors -= z.RespErrors
	st.Retries -= z.Retries
	st.Redispatches -= z.Redispatches
	st.Intercepted -= z.Intercepted
	st.CacheLookups -= z.CacheLookups
	st.CacheHits -= z.CacheHits
	st.CliAborts -= z.CliAborts
	st.SrvAborts -= z.SrvAborts
	st.DeniedReq -= z.DeniedReq
	st.DeniedConn -= z.DeniedConn
	st.ReqErrors -= z.ReqErrors
	st.Direct -= z.Direct
	st.CompIn -= z.CompIn
	st.CompOut -= z.CompOut
	st.CompByp -= z.CompByp
	st.CompRsp -= z.CompRsp
	st.WRew -= z.WRew
	st.EInt -= z.EInt
	return st
}

// failsAt is a server's chkfail at the last clear.
func (b *counterBase) failsAt(backend, server string) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.fails[backend+"/"+server]
}

// downsSince is a server's check DOWN transitions since the last clear.
func (b *counterBase) downsSince(backend, server string, downs int64) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return downs - b.downs[backend+"/"+server]
}

// SetFrontendEnabled implements runtimeapi.FrontendController: `disable
// frontend` pauses the frontend's listeners, `enable frontend` resumes
// them, each logged as HAProxy logs it ("Paused frontend fe.", a listen
// section being a "proxy") on stderr and to the section's log targets.
func (s *runtimeSource) SetFrontendEnabled(name string, enabled bool) (bool, error) {
	w := s.w
	kind := ""
	for _, sec := range w.plan.Sections {
		if sec.Name == name && sec.Frontend {
			kind = "frontend"
			if sec.Backend {
				kind = "proxy"
			}
		}
	}
	if kind == "" {
		return false, runtimeapi.ErrNoFrontend
	}
	changed, err := w.px.SetFrontendPaused(name, !enabled)
	if errors.Is(err, proxy.ErrFrontendStopped) {
		return false, runtimeapi.ErrFrontendStopped
	}
	if err != nil {
		return false, runtimeapi.ErrNoFrontend
	}
	if changed {
		verb := "Paused"
		if enabled {
			verb = "Resumed"
		}
		msg := verb + " " + kind + " " + name + "."
		w.events.warning(name, msg)
	}
	return changed, nil
}
