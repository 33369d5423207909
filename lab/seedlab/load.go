package seedlab

import (
	"context"
	"fmt"
	"time"
)

// StartPair starts lb1's VRRP daemon with conf1, waits until lb1 owns the
// VIP, then starts lb2's with conf2 and gives it time to hear lb1 and
// stay BACKUP. Started together, two strict instances would race on
// nearly equal master-down timers (3.61 s against 3.65 s). took is how
// long lb1 needed to become master.
func (s *Seed) StartPair(ctx context.Context, conf1, conf2 []byte) (ka1, ka2 *Daemon, took time.Duration, err error) {
	t0 := time.Now()
	if ka1, err = s.StartKeepalived(s.LB1, conf1); err != nil {
		return nil, nil, 0, err
	}
	at, err := s.WaitVIP(ctx, VIP, s.LB1, 10*time.Second)
	if err != nil {
		return ka1, nil, 0, err
	}
	if ka2, err = s.StartKeepalived(s.LB2, conf2); err != nil {
		return ka1, nil, 0, err
	}
	// Long enough for lb2 to hear lb1's adverts (one per second), which
	// keep it BACKUP; a lb2 that heard none would take the VIP at 3.65 s
	// and the next step sees it.
	select {
	case <-time.After(1200 * time.Millisecond):
	case <-ctx.Done():
		return ka1, ka2, 0, ctx.Err()
	}
	if h := s.Holders(VIP); len(h) != 1 || h[0] != "lb1" {
		return ka1, ka2, 0, fmt.Errorf("seedlab: after lb2 started, VIP %s is held by %v, want lb1 only", VIP, h)
	}
	return ka1, ka2, at.Sub(t0), nil
}

// LoadResult is what happened around a fault injected under load.
type LoadResult struct {
	Loop    LoopResult
	Summary Summary
	// Moved is the time from the fault to the VIP seen on the target;
	// MovedOK is false if it never got there.
	Moved   time.Duration
	MovedOK bool
	// HoldersAfter are the balancers holding the VIP at the loop's end.
	HoldersAfter []string
}

// underLoad runs the client loop against vip:80 for loop, injects fault
// after `after`, and (target non-nil) times the VIP's arrival on target.
// With exclusive, the VIP must also have left every other balancer.
func (s *Seed) underLoad(ctx context.Context, vip string, loop, after time.Duration, fault func() error, target *Node) (LoadResult, error) {
	return s.underLoadX(ctx, vip, loop, after, fault, target, true)
}

func (s *Seed) underLoadX(ctx context.Context, vip string, loop, after time.Duration, fault func() error, target *Node, exclusive bool) (LoadResult, error) {
	var res LoadResult
	type loopOut struct {
		r   LoopResult
		err error
	}
	done := make(chan loopOut, 1)
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		r, err := Loop(lctx, s.Client.Host, DefaultLoop(vip+":80", loop))
		done <- loopOut{r, err}
	}()
	select {
	case <-time.After(after):
	case <-ctx.Done():
	}
	// The watch runs alongside the fault: a fault such as a graceful stop
	// returns only once the daemon has exited, which may be well after
	// the VIP moved.
	type moved struct {
		after time.Duration
		ok    bool
	}
	watch := make(chan moved, 1)
	t0 := time.Now()
	if target != nil {
		go func() {
			deadline := t0.Add(loop)
			for time.Now().Before(deadline) && lctx.Err() == nil {
				h := s.Holders(vip)
				if target.HasVIP(vip) && (!exclusive || len(h) == 1) {
					watch <- moved{time.Since(t0), true}
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
			watch <- moved{}
		}()
	} else {
		watch <- moved{}
	}
	if err := fault(); err != nil {
		cancel()
		<-done
		<-watch
		return res, err
	}
	m := <-watch
	res.Moved, res.MovedOK = m.after, m.ok
	out := <-done
	if out.err != nil {
		return res, out.err
	}
	res.Loop = out.r
	res.Summary = out.r.Summary()
	res.HoldersAfter = s.Holders(vip)
	return res, nil
}
