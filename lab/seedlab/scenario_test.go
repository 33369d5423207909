package seedlab

import (
	"strings"
	"testing"
	"time"
)

// testWriter sends the scenario's narration to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// runScenario walks the tutorial and fails t for every step that did not
// hold.
func runScenario(t *testing.T, opts Options) {
	s := newSeedForTest(t, opts)
	sc := NewScenario(s, testWriter{t})
	err := sc.Run(ctxT(t))
	skipNotWired(t, err)
	var b strings.Builder
	sc.Timeline(&b)
	t.Log("\n" + b.String())
	for _, st := range sc.Steps {
		if !st.OK {
			t.Errorf("step %q: %s", st.Name, st.Result)
		}
	}
	if len(sc.Steps) < 25 {
		t.Errorf("only %d steps ran", len(sc.Steps))
	}
}

// The tutorial, with Debian's keepalived and HAProxy, backends from real
// nginx with the seed's nginx-servers.conf.
func TestSeedReference(t *testing.T) {
	runScenario(t, Options{LB1: Reference(), LB2: Reference(), Backend: BackendNginx})
}

// The same with gokeepalived and gohaproxy on both balancers.
func TestSeedGoha(t *testing.T) {
	g := gohaImpl(t)
	runScenario(t, Options{LB1: g, LB2: g, Backend: BackendNginx})
}

// Mixed pairs: the reference on one balancer, goha on the other, failing
// over under load from lb1 to lb2 (SIGTERM) and back by preemption, so
// VRRP mastership crosses between the implementations both ways.
func TestMixedReferenceMaster(t *testing.T) {
	g := gohaImpl(t)
	runMixed(t, Options{LB1: Reference(), LB2: g, Backend: BackendNginx})
}

func TestMixedGohaMaster(t *testing.T) {
	g := gohaImpl(t)
	runMixed(t, Options{LB1: g, LB2: Reference(), Backend: BackendNginx})
}

func runMixed(t *testing.T, opts Options) {
	s := newSeedForTest(t, opts)
	ctx := ctxT(t)
	for _, n := range []*Node{s.LB1, s.LB2} {
		_, err := s.StartHaproxy(n)
		skipNotWired(t, err)
	}
	c1 := WithAccept(s.Files.KeepalivedLB1)
	ka1, ka2, took, err := s.StartPair(ctx, c1, WithAccept(s.Files.KeepalivedLB2))
	skipNotWired(t, err)
	t.Logf("lb1 (%s) MASTER after %s; lb2 runs %s", ka1.Impl, took.Round(time.Millisecond), ka2.Impl)

	away, err := s.underLoad(ctx, VIP, 5*time.Second, time.Second, func() error { return ka1.Stop(10 * time.Second) }, s.LB2)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s -> %s: VIP moved=%v after %s; client: %s", opts.LB1.Name, opts.LB2.Name, away.MovedOK, away.Moved.Round(time.Millisecond), away.Summary)
	if !away.MovedOK || !away.Summary.Recovered {
		t.Errorf("failover %s -> %s: moved=%v holders=%v client: %s", opts.LB1.Name, opts.LB2.Name, away.MovedOK, away.HoldersAfter, away.Summary)
	}

	back, err := s.underLoad(ctx, VIP, 7*time.Second, 500*time.Millisecond, func() error {
		_, err := s.StartKeepalived(s.LB1, c1)
		return err
	}, s.LB1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s -> %s: VIP moved=%v after %s; client: %s", opts.LB2.Name, opts.LB1.Name, back.MovedOK, back.Moved.Round(time.Millisecond), back.Summary)
	if !back.MovedOK || !back.Summary.Recovered {
		t.Errorf("preemption %s -> %s: moved=%v holders=%v client: %s", opts.LB2.Name, opts.LB1.Name, back.MovedOK, back.HoldersAfter, back.Summary)
	}
	// Mastership really changed hands: each side logged becoming MASTER.
	if !ka2.LogHas("Entering MASTER STATE") {
		t.Errorf("lb2 (%s) never logged MASTER", opts.LB2.Name)
	}
}
