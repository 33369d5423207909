package interop

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/goha-lb/goha/lab"
)

// Fault is a way the master load balancer goes away.
type Fault string

// The faults MeasureFailover applies to lb1.
const (
	FaultTerm     Fault = "SIGTERM" // clean stop: priority 0 advert, VIPs removed
	FaultKill     Fault = "SIGKILL" // crash of every daemon process
	FaultLinkDown Fault = "link down"
)

// Faults in the order they are measured and printed.
var Faults = []Fault{FaultTerm, FaultKill, FaultLinkDown}

// Gap is one measured failover.
type Gap struct {
	Impl  string
	Fault Fault
	Run   int
	// Takeover: fault applied → VIP seen on lb2. Return: lb1 back
	// (daemon restarted or link up) → VIP on lb1 alone (preemption).
	Takeover, Return time.Duration
}

// MeasureFailover runs the seed pair with impl on both load balancers in
// a fresh lab and measures, runs times per fault, how long the VIP takes
// to appear on lb2 (polling every 5 ms) and to come back to lb1.
func MeasureFailover(ctx context.Context, impl Impl, lb1Conf, lb2Conf []byte, runs int) (gaps []Gap, err error) {
	p, err := NewPair("iofo")
	if err != nil {
		return nil, err
	}
	defer p.Close()
	d1, err := p.LB1.Start(impl, lb1Conf)
	if err != nil {
		return nil, err
	}
	if _, err := p.LB2.Start(impl, lb2Conf); err != nil {
		return nil, err
	}
	if _, err := p.WaitHolder(ctx, VIP, p.LB1, 10*time.Second); err != nil {
		return nil, err
	}
	for _, f := range Faults {
		for run := 1; run <= runs; run++ {
			// Let lb2 see a few adverts of the settled master first.
			time.Sleep(1500 * time.Millisecond)
			g := Gap{Impl: impl.Name, Fault: f, Run: run}
			begin := time.Now()
			switch f {
			case FaultTerm:
				// Not Term: the takeover must be timed while the daemon
				// is still shutting down (keepalived takes ~1 s to exit).
				err = d1.Proc.Signal(syscall.SIGTERM)
			case FaultKill:
				d1.Kill()
			case FaultLinkDown:
				err = p.LB1.SetLink(lab.HostIfName, false)
			}
			if err != nil {
				return gaps, err
			}
			for !p.LB2.HasVIP(VIP) {
				if time.Since(begin) > 10*time.Second || ctx.Err() != nil {
					return gaps, fmt.Errorf("interop: %s %s run %d: no VIP on lb2 after 10 s", impl.Name, f, run)
				}
				time.Sleep(5 * time.Millisecond)
			}
			g.Takeover = time.Since(begin)
			if f == FaultTerm {
				select {
				case <-d1.Proc.Done():
				case <-time.After(5 * time.Second):
					return gaps, fmt.Errorf("interop: %s still running 5 s after SIGTERM", impl.Name)
				}
			}

			begin = time.Now()
			if f == FaultLinkDown {
				err = p.LB1.SetLink(lab.HostIfName, true)
			} else {
				d1, err = p.LB1.Start(impl, lb1Conf)
			}
			if err != nil {
				return gaps, err
			}
			at, err := p.WaitHolder(ctx, VIP, p.LB1, 10*time.Second)
			if err != nil {
				return gaps, fmt.Errorf("interop: %s %s run %d: %w", impl.Name, f, run, err)
			}
			g.Return = at.Sub(begin)
			gaps = append(gaps, g)
		}
	}
	return gaps, nil
}

// FailoverTable formats gaps as a Markdown table: one row per fault, one
// column per implementation (in the order given), each cell the runs'
// takeover times and, after "/", their return (preemption) times.
func FailoverTable(gaps []Gap, impls []string) string {
	var b strings.Builder
	b.WriteString("| fault |")
	for _, i := range impls {
		fmt.Fprintf(&b, " %s: VIP on lb2 | %s: back on lb1 |", i, i)
	}
	b.WriteString("\n|---|")
	b.WriteString(strings.Repeat("---|---|", len(impls)))
	b.WriteString("\n")
	for _, f := range Faults {
		fmt.Fprintf(&b, "| %s |", f)
		for _, i := range impls {
			var take, ret []string
			for _, g := range gaps {
				if g.Impl == i && g.Fault == f {
					take = append(take, seconds(g.Takeover))
					ret = append(ret, seconds(g.Return))
				}
			}
			fmt.Fprintf(&b, " %s | %s |", cell(take), cell(ret))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func cell(runs []string) string {
	if len(runs) == 0 {
		return "–"
	}
	return strings.Join(runs, " · ")
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

// Median is the median takeover time of impl under fault (0 if none).
func Median(gaps []Gap, impl string, f Fault) time.Duration {
	var ds []time.Duration
	for _, g := range gaps {
		if g.Impl == impl && g.Fault == f {
			ds = append(ds, g.Takeover)
		}
	}
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}
