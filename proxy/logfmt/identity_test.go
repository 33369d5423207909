package logfmt_test

import (
	"testing"

	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/logfmt"
)

// TestEntryMatchesProxyLogEntry pins the promise that the integrator can
// convert a *proxy.LogEntry to a *logfmt.Entry: it stops compiling when
// the two structs drift apart.
func TestEntryMatchesProxyLogEntry(t *testing.T) {
	pe := &proxy.LogEntry{Frontend: "main", Status: 200}
	e := (*logfmt.Entry)(pe)
	if e.Frontend != "main" || e.Status != 200 {
		t.Fatalf("conversion lost fields: %+v", e)
	}
}
