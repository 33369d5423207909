package haproxycfg

import (
	"fmt"
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
)

func sprint(v any) string { return fmt.Sprintf("%+v", v) }

// skipOrFail skips a test whose environment is missing, except under
// CI=true where the environment is promised (make deps).
func skipOrFail(t *testing.T, why string) {
	t.Helper()
	testenv.Missing(t, why)
}
