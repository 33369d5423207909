package check

import (
	"net"
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
)

// An HTTP check's variable steps count within the same limit as a
// tcp-check's (TestDifferentialCheckVarLimits measures the latter beside
// HAProxy): 90 bytes for a, no room for b's 80 under 100.
func TestHTTPCheckVarLimit(t *testing.T) {
	for limit, want := range map[int64]string{0: "/xxxxxxxxxx-1", 100: "/xxxxxxxxxx-", 170: "/xxxxxxxxxx-1"} {
		r := defaultRequest
		for _, l := range []string{"http-check set-var(check.a) str(xxxxxxxxxx)", "http-check set-var(check.b) int(1)",
			`http-check send uri-lf "/%[var(check.a)]-%[var(check.b)]"`} {
			st := haproxy.ParseHTTPCheckStep(haproxy.Pos{}, cfgWords(l))
			var err error
			if st.Kind == haproxy.StepSetVar {
				err = r.AddVarStep(st.Var)
			} else {
				err = r.ApplySend(st.Send)
			}
			if err != nil {
				t.Fatalf("%s: %v", l, err)
			}
		}
		r.SetVarLimit(limit)
		c, peer := net.Pipe()
		got := r.built(c).URI
		c.Close()
		peer.Close()
		if got != want {
			t.Errorf("limit %d: uri %q, want %q", limit, got, want)
		}
	}
}
