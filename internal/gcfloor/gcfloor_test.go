package gcfloor

import (
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	for _, c := range []struct {
		base, floor uint64
		want        int
	}{
		{64 << 20, 32 << 20, 100},  // a large heap doubles, as GOGC=100
		{32 << 20, 32 << 20, 100},  // the floor itself
		{16 << 20, 32 << 20, 200},  // grows by the floor
		{8 << 20, 32 << 20, 400},   // ...
		{1 << 20, 32 << 20, 800},   // under the runtime's 4 MiB minimum: as 4 MiB
		{0, 32 << 20, 800},         // nothing scanned yet
		{10 << 20, 64 << 20, 640},  // another floor
		{100 << 20, 64 << 20, 100}, // over it
	} {
		if got := Percent(c.base, c.floor); got != c.want {
			t.Errorf("Percent(%d, %d) = %d, want %d", c.base, c.floor, got, c.want)
		}
	}
}

func gogc() uint64 {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// After a collection the watcher sets the percent that grows this test
// process's small heap by the floor; stopping it puts back the percent
// there was.
func TestStartSetsPercentAfterCollections(t *testing.T) {
	t.Setenv("GOGC", "") // empty is unset for Start
	before := gogc()
	stop := Start(32 << 20)
	deadline := time.Now().Add(5 * time.Second)
	for Cycles() < 2 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if Cycles() < 2 {
		t.Fatalf("the watcher saw %d collections", Cycles())
	}
	if got := gogc(); got <= 100 {
		t.Errorf("GOGC after collections = %d, want over 100 for a heap under the floor", got)
	}
	stop()
	if got := gogc(); got != before {
		t.Errorf("GOGC after stop = %d, want %d", got, before)
	}
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	if got := gogc(); got != before {
		t.Errorf("GOGC after stop and a collection = %d, want %d", got, before)
	}
}

// GOGC in the environment is the operator's: Start does nothing.
func TestStartLeavesGOGCFromEnvironment(t *testing.T) {
	t.Setenv("GOGC", "100")
	before := gogc()
	stop := Start(32 << 20)
	defer stop()
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	if Cycles() != 0 {
		t.Errorf("a watcher runs with GOGC set")
	}
	if got := gogc(); got != before {
		t.Errorf("GOGC = %d, want %d", got, before)
	}
}
