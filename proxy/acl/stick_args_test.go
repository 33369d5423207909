package acl

import (
	"strings"
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
)

// TestIndexedSrcFetchesNeedTable: HAProxy 2.6.12 refuses src_get_gpc(1)
// and the other indexed src_ fetches without their table ("missing
// arguments (got 1/2), type 'table' expected", measured with haproxy -c);
// with it, and the sc forms without it, they compile.
func TestIndexedSrcFetchesNeedTable(t *testing.T) {
	for _, f := range []string{"src_get_gpc", "src_gpc_rate", "src_get_gpt", "src_inc_gpc", "src_clr_gpc"} {
		_, err := CompileExpr(haproxy.ParseSample(f + "(1)"))
		if err == nil || !strings.Contains(err.Error(), "type 'table' expected") {
			t.Errorf("%s(1): %v", f, err)
		}
		if _, err := CompileExpr(haproxy.ParseSample(f + "(1,fe)")); err != nil {
			t.Errorf("%s(1,fe): %v", f, err)
		}
	}
	for _, ok := range []string{"sc_get_gpc(1,0)", "src_get_gpc0", "src_clr_gpc0", "src_get_gpt0"} {
		if _, err := CompileExpr(haproxy.ParseSample(ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}
