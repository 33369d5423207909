package promex

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// Scope is a set of the exporter's metric groups (`?scope=`).
type Scope uint8

const (
	ScopeGlobal Scope = 1 << iota
	ScopeFrontend
	ScopeBackend
	ScopeServer
	// ScopeListener and ScopeSticktable are accepted as HAProxy accepts
	// them; they select nothing here: listener metrics need `option
	// socket-stats` and stick tables are not supported by goha.
	ScopeListener
	ScopeSticktable

	ScopeAll = ScopeGlobal | ScopeFrontend | ScopeBackend | ScopeServer | ScopeListener | ScopeSticktable
)

// metric is one row of metrics.tsv.
type metric struct {
	source string // show info field, show stat column, or "*name" computed
	name   string // after haproxy_<scope>_
	typ    prometheus.ValueType
	scopes Scope // among ScopeGlobal, ScopeFrontend, ScopeBackend, ScopeServer
	help   string
}

//go:embed metrics.tsv
var metricsTSV string

// metrics are HAProxy 2.6's exporter metrics, in its order.
var metrics = mustParseMetrics(metricsTSV)

func mustParseMetrics(text string) []metric {
	ms, err := parseMetrics(text)
	if err != nil {
		panic("proxy/promex: metrics.tsv: " + err.Error())
	}
	return ms
}

func parseMetrics(text string) ([]metric, error) {
	var out []metric
	for i, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			return nil, fmt.Errorf("line %d: %d fields, want 5", i+1, len(f))
		}
		m := metric{source: f[0], name: f[1], help: f[4]}
		switch f[2] {
		case "gauge":
			m.typ = prometheus.GaugeValue
		case "counter":
			m.typ = prometheus.CounterValue
		default:
			return nil, fmt.Errorf("line %d: type %q", i+1, f[2])
		}
		for _, c := range f[3] {
			switch c {
			case 'p':
				m.scopes |= ScopeGlobal
			case 'f':
				m.scopes |= ScopeFrontend
			case 'b':
				m.scopes |= ScopeBackend
			case 's':
				m.scopes |= ScopeServer
			default:
				return nil, fmt.Errorf("line %d: scope %q", i+1, c)
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// prefix is the metric name prefix of a scope.
func prefix(s Scope) string {
	switch s {
	case ScopeGlobal:
		return "haproxy_process_"
	case ScopeFrontend:
		return "haproxy_frontend_"
	case ScopeBackend:
		return "haproxy_backend_"
	}
	return "haproxy_server_"
}

// ParseQuery reads the exporter's query string as HAProxy 2.6 does: each
// `scope=<name>` adds a group (global, frontend, backend, server,
// listener, sticktable, or * for all), an empty `scope=` clears those
// given before it, and the first scope drops the default (all);
// `no-maint` leaves out servers in maintenance. Other parameters are
// ignored. ok is false for what HAProxy answers with a 400: a scope
// without '=', an unknown scope, a value holding '=', a bad %-escape.
func ParseQuery(q string) (scopes Scope, noMaint, ok bool) {
	scopes = ScopeAll
	defaults := true
	if i := strings.IndexByte(q, '#'); i >= 0 {
		q = q[:i]
	}
	for q != "" {
		var param string
		param, q, _ = strings.Cut(q, "&")
		key, value, hasValue := strings.Cut(param, "=")
		if strings.Contains(value, "=") {
			return 0, false, false
		}
		key, okK := urlDecode(key)
		value, okV := urlDecode(value)
		if !okK || !okV {
			return 0, false, false
		}
		switch key {
		case "scope":
			if defaults {
				scopes, defaults = 0, false
			}
			if !hasValue {
				return 0, false, false
			}
			s, known := scopeNames[value]
			switch {
			case value == "":
				scopes = 0
			case strings.HasPrefix(value, "*"):
				scopes = ScopeAll
			case known:
				scopes |= s
			default:
				return 0, false, false
			}
		case "no-maint":
			noMaint = true
		}
	}
	return scopes, noMaint, true
}

var scopeNames = map[string]Scope{
	"global": ScopeGlobal, "frontend": ScopeFrontend, "backend": ScopeBackend, "server": ScopeServer,
	"listener": ScopeListener, "sticktable": ScopeSticktable,
}

// urlDecode decodes %XX escapes and '+' as HAProxy's url_decode does for
// a query string; false on a truncated or non-hex escape.
func urlDecode(s string) (string, bool) {
	if !strings.ContainsAny(s, "%+") {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b.WriteByte(' ')
		case '%':
			if i+2 >= len(s) {
				return "", false
			}
			h, l := unhex(s[i+1]), unhex(s[i+2])
			if h < 0 || l < 0 {
				return "", false
			}
			b.WriteByte(byte(h<<4 | l))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
