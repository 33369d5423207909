package interop

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/lab"
)

// goImpl is gokeepalived built once for the package's tests.
var (
	goImpl   Impl
	goImplOK error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("/var/tmp", "interop-bin-") // not /tmp: daemons get a private one
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	flag.Parse()
	if os.Geteuid() == 0 && !testing.Short() {
		cleanupStale()
		goImpl, goImplOK = BuildGokeepalived(".", dir)
	} else {
		goImplOK = errors.New("no lab: not root, or -short")
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cleanupStale removes the labs of earlier runs that died before Close:
// first the daemons still running inside them (by PID), then the
// namespaces.
func cleanupStale() {
	for _, prefix := range []string{"iop", "iofo"} {
		ents, _ := os.ReadDir("/run/netns")
		for _, e := range ents {
			rest, ok := strings.CutPrefix(e.Name(), prefix+"-")
			if !ok {
				continue
			}
			num, _, _ := strings.Cut(rest, "-")
			if pid, err := strconv.Atoi(num); err != nil || alive(pid) {
				continue
			}
			out, _ := exec.Command("ip", "netns", "pids", e.Name()).Output()
			for _, f := range strings.Fields(string(out)) {
				if pid, err := strconv.Atoi(f); err == nil && pid > 1 && pid != os.Getpid() {
					syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
		if _, err := lab.CleanupStale(prefix); err != nil {
			fmt.Fprintln(os.Stderr, "interop: stale labs:", err)
		}
	}
}

// gokeepalived returns the built binary, or ends t: a skip normally, a
// failure under CI=true, so CI can never pass without the runtime.
func gokeepalived(t *testing.T) Impl {
	t.Helper()
	if goImplOK != nil {
		testenv.Missing(t, "gokeepalived: "+goImplOK.Error())
	}
	return goImpl
}

// newPair builds a lab for t and removes it when t ends.
func newPair(t *testing.T) *Pair {
	t.Helper()
	if testing.Short() {
		t.Skip("namespace lab test (-short)")
	}
	lab.RequireRoot(t)
	p, err := NewPair("iop")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("lab close: %v", err)
		}
	})
	return p
}

// start starts impl on n with conf, ending t if it cannot run; a
// gokeepalived whose runtime is not wired yet is reported like a missing
// binary (skip, or failure under CI=true).
func start(t *testing.T, n *Node, impl Impl, conf []byte) *Daemon {
	t.Helper()
	d, err := n.Start(impl, conf)
	if errors.Is(err, ErrNotWired) {
		testenv.Missing(t, err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s on %s log:\n%s", impl.Name, n.Name, d.Log())
		}
		d.Kill()
	})
	return d
}

// seedConfs are keepalived-lb1.conf and keepalived-lb2.conf, unchanged.
func seedConfs(t *testing.T) (lb1, lb2 []byte) {
	t.Helper()
	var err error
	if lb1, err = SeedConf(".", "keepalived-lb1.conf"); err != nil {
		t.Fatal(err)
	}
	if lb2, err = SeedConf(".", "keepalived-lb2.conf"); err != nil {
		t.Fatal(err)
	}
	return lb1, lb2
}
