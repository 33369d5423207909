//go:build !race

// (The race detector allocates on its own: allocation counts mean nothing
// under it.)

package haproxycfg

import (
	"runtime"
	"testing"
)

// TestRulesKeepAliveDoesNotAllocate: a kept-alive request through make
// bench's rules case (20 header rules, 10 ACLs, a map lookup, a variable
// and a dynamic use_backend) allocates nothing once the session is warm,
// as a request without rules does (proxy's
// TestKeepAliveTransactionDoesNotAllocate). The whole process is
// measured, so the bound allows for stray background allocations; it
// was 17 per request before the sample engine appended its text.
func TestRulesKeepAliveDoesNotAllocate(t *testing.T) {
	do := startRulesClient(t, benchRules)
	for range 100 {
		do()
	}
	const n = 2000
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for range n {
		do()
	}
	runtime.ReadMemStats(&m1)
	per := float64(m1.Mallocs-m0.Mallocs) / n
	t.Logf("%.3f allocations per request", per)
	if per > 0.2 {
		t.Fatal("a kept-alive request through the rules allocates")
	}
}
