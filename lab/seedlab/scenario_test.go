package seedlab

import (
	"strings"
	"testing"
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

// Mixed pairs: the reference on one balancer, goha on the other; the
// scenario fails over lb1 -> lb2 and preempts back, so each pair is
// crossed both ways.
func TestSeedMixedReferenceMaster(t *testing.T) {
	g := gohaImpl(t)
	runScenario(t, Options{LB1: Reference(), LB2: g, Backend: BackendNginx})
}

func TestSeedMixedGohaMaster(t *testing.T) {
	g := gohaImpl(t)
	runScenario(t, Options{LB1: g, LB2: Reference(), Backend: BackendNginx})
}
