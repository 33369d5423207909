package promex

import (
	"strings"

	"github.com/goha-lb/goha/proxy/runtimeapi"
	"github.com/prometheus/client_golang/prometheus"
)

// statRows indexes `show stat` by proxy and service name ("FRONTEND",
// "BACKEND" or the server's).
type statRows map[[2]string]map[string]string

func parseStat(csv string) statRows {
	lines := strings.Split(strings.TrimSuffix(csv, "\n"), "\n")
	if len(lines) == 0 {
		return nil
	}
	cols := strings.Split(strings.TrimPrefix(lines[0], "# "), ",")
	out := statRows{}
	for _, l := range lines[1:] {
		vals := strings.Split(l, ",")
		row := make(map[string]string, len(cols))
		for i, c := range cols {
			if i < len(vals) {
				row[c] = vals[i]
			}
		}
		out[[2]string{row["pxname"], row["svname"]}] = row
	}
	return out
}

// httpOnly are the columns HAProxy's exporter shows for proxies in mode
// http only.
var httpOnly = map[string]bool{
	"req_rate_max": true, "req_tot": true, "intercepted": true, "cache_lookups": true, "cache_hits": true,
	"comp_in": true, "comp_out": true, "comp_byp": true, "comp_rsp": true, "*hrsp": true,
}

// millis are the time columns (milliseconds in show stat) the exporter
// gives in seconds.
var millis = map[string]bool{
	"qtime": true, "ctime": true, "rtime": true, "ttime": true,
	"qtime_max": true, "ctime_max": true, "rtime_max": true, "ttime_max": true,
}

var hrspCodes = [...]struct{ label, col string }{
	{"1xx", "hrsp_1xx"}, {"2xx", "hrsp_2xx"}, {"3xx", "hrsp_3xx"},
	{"4xx", "hrsp_4xx"}, {"5xx", "hrsp_5xx"}, {"other", "hrsp_other"},
}

// srvStates are the state label values of server status, in HAProxy's order.
var srvStates = [...]string{"DOWN", "UP", "MAINT", "DRAIN", "NOLB"}

// checkStates are the check statuses HAProxy's exporter lists (those
// that are a check's result), in its order.
var checkStates = [...]string{"HANA", "SOCKERR", "L4OK", "L4TOUT", "L4CON", "L6OK", "L6TOUT", "L6RSP",
	"L7TOUT", "L7RSP", "L7OK", "L7OKC", "L7STS", "PROCERR", "PROCTOUT", "PROCOK"}

// srvState is a server's status label as HAProxy's exporter derives it:
// maintenance first, then a check asking to drain (NOLB), then up (or
// DRAIN when drained by the admin), else DOWN.
func srvState(sv *runtimeapi.Server) string {
	switch {
	case sv.Maint || sv.ConfigDisabled || sv.ResolvMaint:
		return "MAINT"
	case sv.Stopping:
		return "NOLB"
	case sv.Up && sv.Drain:
		return "DRAIN"
	case sv.Up:
		return "UP"
	}
	return "DOWN"
}

// checkCode is check_code: the L7 (or process) code, 0 before a check
// reaches layer 7.
func checkCode(c *runtimeapi.Check) float64 {
	switch c.Status {
	case "L7OK", "L7OKC", "L7STS", "PROCERR", "PROCTOUT", "PROCOK":
		return float64(c.Code)
	}
	return 0
}

func (c *collector) collectStats(ch chan<- prometheus.Metric) {
	rows := parseStat(runtimeapi.FormatStat(c.snap.Proxies, runtimeapi.StatFilter{}))
	for _, scope := range []Scope{ScopeFrontend, ScopeBackend, ScopeServer} {
		if c.scopes&scope == 0 {
			continue
		}
		for i := range metrics {
			m := &metrics[i]
			if m.scopes&scope == 0 {
				continue
			}
			for j := range c.snap.Proxies {
				px := &c.snap.Proxies[j]
				if httpOnly[m.source] && !px.HTTP {
					continue
				}
				switch {
				case scope == ScopeFrontend && px.Frontend != nil:
					c.frontendMetric(ch, m, px, rows[[2]string{px.Name, "FRONTEND"}])
				case scope == ScopeBackend && px.Backend != nil:
					c.backendMetric(ch, m, px, rows[[2]string{px.Name, "BACKEND"}])
				case scope == ScopeServer && px.Backend != nil:
					for k := range px.Backend.Servers {
						sv := &px.Backend.Servers[k]
						if c.noMaint && (sv.Maint || sv.ConfigDisabled || sv.ResolvMaint) {
							continue
						}
						c.serverMetric(ch, m, px, sv, rows[[2]string{px.Name, sv.Name}])
					}
				}
			}
		}
	}
}

// column is a plain column's value, in seconds for the time columns.
func column(m *metric, row map[string]string) float64 {
	v := number(row[m.source])
	if millis[m.source] {
		v /= 1000
	}
	return v
}

func (c *collector) frontendMetric(ch chan<- prometheus.Metric, m *metric, px *runtimeapi.Proxy, row map[string]string) {
	switch m.source {
	case "*status":
		up := !px.Frontend.Stopped
		emit(ch, m, ScopeFrontend, boolValue(!up), "proxy", px.Name, "state", "DOWN")
		emit(ch, m, ScopeFrontend, boolValue(up), "proxy", px.Name, "state", "UP")
	case "*hrsp":
		for _, h := range hrspCodes {
			emit(ch, m, ScopeFrontend, number(row[h.col]), "proxy", px.Name, "code", h.label)
		}
	default:
		emit(ch, m, ScopeFrontend, column(m, row), "proxy", px.Name)
	}
}

func (c *collector) backendMetric(ch chan<- prometheus.Metric, m *metric, px *runtimeapi.Proxy, row map[string]string) {
	be := px.Backend
	switch m.source {
	case "*status":
		// HAProxy: up while the balancer has weight, or without servers.
		up := number(row["weight"]) > 0 || len(be.Servers) == 0
		emit(ch, m, ScopeBackend, boolValue(!up), "proxy", px.Name, "state", "DOWN")
		emit(ch, m, ScopeBackend, boolValue(up), "proxy", px.Name, "state", "UP")
	case "*agg_server_status", "*agg_server_check_status":
		if len(be.Servers) == 0 {
			return
		}
		count := map[string]int{}
		for k := range be.Servers {
			count[srvState(&be.Servers[k])]++
		}
		for _, st := range srvStates {
			emit(ch, m, ScopeBackend, float64(count[st]), "proxy", px.Name, "state", st)
		}
	case "*agg_check_status":
		if len(be.Servers) == 0 {
			return
		}
		count := map[string]int{}
		for k := range be.Servers {
			if ck := be.Servers[k].Check; ck != nil {
				count[ck.Status]++
			}
		}
		for _, st := range checkStates {
			emit(ch, m, ScopeBackend, float64(count[st]), "proxy", px.Name, "state", st)
		}
	case "*hrsp":
		for _, h := range hrspCodes {
			emit(ch, m, ScopeBackend, number(row[h.col]), "proxy", px.Name, "code", h.label)
		}
	default:
		emit(ch, m, ScopeBackend, column(m, row), "proxy", px.Name)
	}
}

func (c *collector) serverMetric(ch chan<- prometheus.Metric, m *metric, px *runtimeapi.Proxy, sv *runtimeapi.Server, row map[string]string) {
	switch m.source {
	case "*status":
		state := srvState(sv)
		for _, st := range srvStates {
			emit(ch, m, ScopeServer, boolValue(st == state), "proxy", px.Name, "server", sv.Name, "state", st)
		}
	case "*check_status":
		if sv.Check == nil {
			return
		}
		for _, st := range checkStates {
			emit(ch, m, ScopeServer, boolValue(st == sv.Check.Status), "proxy", px.Name, "server", sv.Name, "state", st)
		}
	case "*check_code":
		if sv.Check == nil {
			return
		}
		emit(ch, m, ScopeServer, checkCode(sv.Check), "proxy", px.Name, "server", sv.Name)
	case "*check_duration":
		if sv.Check == nil || sv.Check.Status == "INI" || sv.Check.Status == "" {
			return
		}
		emit(ch, m, ScopeServer, sv.Check.Duration.Seconds(), "proxy", px.Name, "server", sv.Name)
	case "*hrsp":
		for _, h := range hrspCodes {
			emit(ch, m, ScopeServer, number(row[h.col]), "proxy", px.Name, "server", sv.Name, "code", h.label)
		}
	default:
		emit(ch, m, ScopeServer, column(m, row), "proxy", px.Name, "server", sv.Name)
	}
}
