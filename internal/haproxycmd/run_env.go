package haproxycmd

import (
	"os"
	"slices"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/listen"
)

// applyEnv runs the configuration's setenv, presetenv, unsetenv and
// resetenv lines on the process environment, in order, as HAProxy does
// while it reads its files: the env() fetch, `show env`, external checks
// and the workers a master starts see the result. The parser already
// expanded later lines with the same effect (parser/haproxy global_env.go).
func applyEnv(ops []haproxy.EnvOp) {
	for _, op := range ops {
		a := op.Args
		switch a[0] {
		case "setenv":
			os.Setenv(a[1], a[2])
		case "presetenv":
			if _, ok := os.LookupEnv(a[1]); !ok {
				os.Setenv(a[1], a[2])
			}
		case "unsetenv":
			for _, n := range a[1:] {
				os.Unsetenv(n)
			}
		case "resetenv":
			for _, kv := range os.Environ() {
				n, _, _ := strings.Cut(kv, "=")
				if !slices.Contains(a[1:], n) && !isProcessEnv(n) {
					os.Unsetenv(n)
				}
			}
		}
	}
}

// isProcessEnv names the variables goha's own processes hand each other
// (master and worker, daemon child, inherited listeners): resetenv keeps
// them, as HAProxy's own such variables are set after its parsing.
func isProcessEnv(name string) bool {
	switch name {
	case masterChildEnv, masterCtrlEnv, masterDaemonEnv, daemonEnv, listen.EnvInherited:
		return true
	}
	return false
}
