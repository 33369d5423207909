package seedlab

import (
	"errors"
	"testing"
	"time"

	"github.com/goha-lb/goha/lab"
)

// modeLoop is the client loop per failure: long enough for the slowest
// move (SIGKILL: 3 missed adverts + skew, about 3.7 s) after the fault,
// with some service after it.
const modeLoop = 5500 * time.Millisecond

func runModes(t *testing.T, opts Options) {
	for _, mode := range Modes {
		t.Run(mode.Name, func(t *testing.T) {
			lab.RequireRoot(t)
			res, err := MeasureMode(ctxT(t), opts, mode, modeLoop)
			if errors.Is(err, ErrUnavailable) {
				lab.Unavailable(t, err.Error())
			}
			skipNotWired(t, err)
			l := res.Load
			t.Logf("%s/%s %s: moved=%v after %s, holders after %v, client: %s",
				res.LB1, res.LB2, mode.Name, l.MovedOK, l.Moved.Round(time.Millisecond), l.HoldersAfter, l.Summary)
			if !res.OK {
				t.Errorf("%s: expected %s; %s", mode.Name, res.Expect, res.Why)
			}
		})
	}
}

// Failure modes of the master with Debian's keepalived + HAProxy.
func TestFailureModesReference(t *testing.T) {
	runModes(t, Options{LB1: Reference(), LB2: Reference(), Backend: BackendNginx})
}

// The same with goha on both balancers.
func TestFailureModesGoha(t *testing.T) {
	g := gohaImpl(t)
	runModes(t, Options{LB1: g, LB2: g, Backend: BackendNginx})
}
