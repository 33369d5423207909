package seedlab

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Mode is a way the master load balancer (lb1) fails.
type Mode struct {
	Name string
	// Tracked: both balancers run a vrrp_script that checks the local
	// proxy (WithTrackHaproxy).
	Tracked bool
	// Moves: the VIP is expected on lb2 afterwards. Exclusive: and gone
	// from lb1 (a SIGKILLed keepalived leaves its VIP behind).
	Moves, Exclusive bool
	// MaxLoop, if set, shortens the client loop for modes that settle
	// early (nothing moves, or a tracker reacts within a second or two).
	MaxLoop time.Duration
	inject  func(ctx context.Context, m *modeRun) error
}

type modeRun struct {
	s        *Seed
	ka1, ha1 *Daemon
}

// Modes are the failure modes measured by the tests and `make compare`.
var Modes = []Mode{
	{Name: "graceful stop", Moves: true, Exclusive: true,
		inject: func(ctx context.Context, m *modeRun) error { return m.ka1.Stop(10 * time.Second) }},
	{Name: "SIGKILL", Moves: true,
		inject: func(ctx context.Context, m *modeRun) error { m.ka1.KillAll(); return nil }},
	{Name: "link down", Moves: true, Exclusive: true,
		inject: func(ctx context.Context, m *modeRun) error { return m.s.LB1.SetLink("ens160", false) }},
	{Name: "haproxy killed", Moves: false, MaxLoop: 3 * time.Second,
		inject: func(ctx context.Context, m *modeRun) error { m.ha1.KillAll(); return nil }},
	{Name: "haproxy killed, vrrp_script", Tracked: true, Moves: true, Exclusive: true, MaxLoop: 4500 * time.Millisecond,
		inject: func(ctx context.Context, m *modeRun) error { m.ha1.KillAll(); return nil }},
}

// ModeByName finds a mode.
func ModeByName(name string) (Mode, bool) {
	i := slices.IndexFunc(Modes, func(m Mode) bool { return m.Name == name })
	if i < 0 {
		return Mode{}, false
	}
	return Modes[i], true
}

// FaultAfter is when, into the client loop, a failure mode strikes.
const FaultAfter = 800 * time.Millisecond

// ModeResult is one measured failure.
type ModeResult struct {
	Mode   string
	LB1    string // implementation on lb1 (the one that fails)
	LB2    string
	Load   LoadResult
	Expect string // what should have happened, in words
	OK     bool   // it did
	Why    string // why not, when !OK
}

// MeasureMode builds a fresh seed lab with opts, brings up the proxies
// and the VRRP pair (seed configs WithAccept, plus WithTrackHaproxy for
// tracked modes), and fails lb1 in the given way FaultAfter into a client
// loop of length loop.
func MeasureMode(ctx context.Context, opts Options, mode Mode, loop time.Duration) (res ModeResult, err error) {
	res = ModeResult{Mode: mode.Name, LB1: opts.LB1.Name, LB2: opts.LB2.Name}
	s, err := New(opts)
	if err != nil {
		return res, err
	}
	defer s.Close()
	ha1, err := s.StartHaproxy(s.LB1)
	if err != nil {
		return res, err
	}
	if _, err := s.StartHaproxy(s.LB2); err != nil {
		return res, err
	}
	c1, c2 := WithAccept(s.Files.KeepalivedLB1), WithAccept(s.Files.KeepalivedLB2)
	if mode.Tracked {
		c1, c2 = WithTrackHaproxy(c1), WithTrackHaproxy(c2)
	}
	ka1, _, _, err := s.StartPair(ctx, c1, c2)
	if err != nil {
		return res, err
	}
	if got := Get(s.Client.Host, VIP+":80", 2*time.Second); !got.OK() {
		return res, fmt.Errorf("seedlab: %s: VIP does not answer before the fault: %s", mode.Name, describe(got))
	}
	m := &modeRun{s: s, ka1: ka1, ha1: ha1}
	if mode.MaxLoop > 0 && loop > mode.MaxLoop {
		loop = mode.MaxLoop
	}
	var target *Node
	if mode.Moves {
		target = s.LB2
	}
	res.Load, err = s.underLoadX(ctx, VIP, loop, FaultAfter, func() error { return mode.inject(ctx, m) }, target, mode.Exclusive)
	if err != nil {
		return res, err
	}
	sum := res.Load.Summary
	switch {
	case mode.Moves:
		res.Expect = "VIP moves to lb2, service recovers"
		res.OK = res.Load.MovedOK && sum.Recovered
		if !res.OK {
			res.Why = fmt.Sprintf("moved=%v holders=%v client: %s", res.Load.MovedOK, res.Load.HoldersAfter, sum)
		}
	default:
		// keepalived does not watch the proxy unless told to: the VIP
		// stays on lb1 and every request after the kill fails.
		res.Expect = "VIP stays on lb1, requests fail until the end"
		res.OK = slices.Equal(res.Load.HoldersAfter, []string{"lb1"}) && !sum.Recovered && sum.Failed > 0
		if !res.OK {
			res.Why = fmt.Sprintf("holders=%v client: %s", res.Load.HoldersAfter, sum)
		}
	}
	return res, nil
}
