package haproxycmd

import (
	"os"
	"runtime/pprof"
)

// startCPUProfile writes a CPU profile to $GOHAPROXY_CPUPROFILE while the
// worker runs (scripts/bench.sh uses it); the returned function stops it.
// Without the variable it does nothing.
func startCPUProfile() func() {
	path := os.Getenv("GOHAPROXY_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
