package seedlab

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// backendEnv makes the test binary serve the seed's backends instead of
// running tests: the lab re-executes it in the backend namespace.
const backendEnv = "SEEDLAB_TEST_SERVE_BACKENDS"

func TestMain(m *testing.M) {
	if os.Getenv(backendEnv) == "1" {
		if err := ServeBackends(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
