// Package promex is HAProxy 2.6's prometheus-exporter service
// (`http-request use-service prometheus-exporter`): the process, frontend,
// backend and server metrics with HAProxy's names, types, help texts and
// labels, rendered by the Prometheus Go libraries. Its values are read from
// the same `show info` and `show stat` the runtime API prints, so the page
// and the socket never disagree.
package promex

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/runtimeapi"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

// Source is where the exporter reads the running process's figures: the
// runtime API's source (internal/haproxycmd gives it its worker's).
type Source interface {
	Info() runtimeapi.Info
	Stats() []runtimeapi.Proxy
}

// Exporter is the prometheus-exporter service; one serves every
// use-service rule of a configuration.
type Exporter struct {
	src atomic.Pointer[Source]
}

// New returns an exporter with no source yet: it answers 503 until
// SetSource.
func New() *Exporter { return &Exporter{} }

// SetSource gives the exporter its figures; safe at any time.
func (e *Exporter) SetSource(s Source) { e.src.Store(&s) }

// LogName is the server name HAProxy logs for its exporter.
func (e *Exporter) LogName() string { return "<PROMEX>" }

// Serve answers a scrape: 200 with the text exposition format, chunked as
// HAProxy sends it; HAProxy's 400 page for a query it refuses.
func (e *Exporter) Serve(r *proxy.ServiceRequest) proxy.ServiceReply {
	scopes, noMaint, ok := ParseQuery(r.Query)
	if !ok {
		return proxy.ServiceReply{Status: 400, ErrorPage: true}
	}
	src := e.src.Load()
	if src == nil {
		return proxy.ServiceReply{Status: 503, ErrorPage: true}
	}
	body, err := Render(Snapshot{Info: (*src).Info(), Proxies: (*src).Stats()}, scopes, noMaint)
	if err != nil {
		return proxy.ServiceReply{Status: 500, ErrorPage: true}
	}
	return proxy.ServiceReply{Status: 200, Chunked: true, Body: body, Headers: []proxy.ReplyHeader{
		{Name: "cache-control", Value: "no-cache"},
		// HAProxy's exact value: expfmt's adds a charset.
		{Name: "content-type", Value: "text/plain; version=0.0.4"},
	}}
}

// Snapshot is one reading of the source.
type Snapshot struct {
	Info    runtimeapi.Info
	Proxies []runtimeapi.Proxy
}

// Render is the exposition of the metrics of scopes in snap (pure).
func Render(snap Snapshot, scopes Scope, noMaint bool) ([]byte, error) {
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(&collector{snap: snap, scopes: scopes, noMaint: noMaint}); err != nil {
		return nil, err
	}
	mfs, err := reg.Gather()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// collector turns a snapshot into const metrics. It is unchecked (its
// Describe sends nothing): the set of metrics depends on the
// configuration.
type collector struct {
	snap    Snapshot
	scopes  Scope
	noMaint bool
}

func (c *collector) Describe(chan<- *prometheus.Desc) {}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	if c.scopes&ScopeGlobal != 0 {
		c.collectInfo(ch)
	}
	if c.scopes&(ScopeFrontend|ScopeBackend|ScopeServer) != 0 {
		c.collectStats(ch)
	}
}

// emit sends one sample of m in scope with the label pairs kv.
func emit(ch chan<- prometheus.Metric, m *metric, scope Scope, v float64, kv ...string) {
	names, values := make([]string, 0, len(kv)/2), make([]string, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		names, values = append(names, kv[i]), append(values, kv[i+1])
	}
	d := prometheus.NewDesc(prefix(scope)+m.name, m.help, names, nil)
	ch <- prometheus.MustNewConstMetric(d, m.typ, v, values...)
}

func (c *collector) collectInfo(ch chan<- prometheus.Metric) {
	info := parseInfo(runtimeapi.FormatInfo(c.snap.Info))
	for i := range metrics {
		m := &metrics[i]
		if m.scopes&ScopeGlobal == 0 {
			continue
		}
		if m.source == "*build_info" {
			emit(ch, m, ScopeGlobal, 1, "version", c.snap.Info.Version)
			continue
		}
		emit(ch, m, ScopeGlobal, number(info[m.source]))
	}
}

// parseInfo reads `show info` lines ("Name: value").
func parseInfo(text string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		if k, v, ok := strings.Cut(line, ": "); ok {
			out[k] = v
		}
	}
	return out
}

// number is a `show info`/`show stat` field as the exporter prints it:
// an empty or non-numeric field is NaN.
func number(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return v
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
