package vrrp

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// keepalivedLines returns the instance log lines ("(name) ...") of a log the
// capture script saved from the real keepalived 2.2.7, up to the first line
// starting with stop (if any). Config-check warnings belong to the parser and are
// left out.
func keepalivedLines(t *testing.T, file, name, stop string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "vrrp", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if stop != "" && strings.HasPrefix(l, stop) {
			break
		}
		if !strings.HasPrefix(l, "("+name+") ") ||
			strings.Contains(l, "Strict mode does not support authentication") ||
			strings.Contains(l, "State MASTER must match being address owner") {
			continue
		}
		out = append(out, l)
	}
	return out
}

// logDriver runs one instance through a scenario and collects its Log lines.
type logDriver struct {
	t      *testing.T
	i      *Instance
	timers map[TimerKind]time.Duration
	now    time.Duration
	lines  []string
}

func newLogDriver(t *testing.T, cfg InstanceConfig) *logDriver {
	return &logDriver{t: t, i: NewInstance(cfg), timers: map[TimerKind]time.Duration{}}
}

func (d *logDriver) step(ev Event) {
	for _, a := range d.i.Step(ev) {
		switch x := a.(type) {
		case SetTimer:
			d.timers[x.Kind] = x.At
		case CancelTimer:
			delete(d.timers, x.Kind)
		case Log:
			d.lines = append(d.lines, x.Text)
		}
	}
}

func (d *logDriver) fire(k TimerKind) {
	at, ok := d.timers[k]
	if !ok {
		d.t.Fatalf("timer %s not armed", k)
	}
	d.now = at
	d.step(TimerExpired{Now: at, Kind: k})
}

func (d *logDriver) rx(cfg InstanceConfig, prio uint8, src string) {
	d.now += 100 * time.Millisecond
	a := addrs(src)[0]
	d.step(rx(d.now, payload(d.t, cfg, prio, a), a))
}

func (d *logDriver) check(want []string) {
	d.t.Helper()
	if strings.Join(d.lines, "\n") != strings.Join(want, "\n") {
		d.t.Fatalf("our log:\n%s\n\nkeepalived 2.2.7 logged:\n%s", strings.Join(d.lines, "\n"), strings.Join(want, "\n"))
	}
}

// The seed pair as the real daemons ran it in the capture script: lb2 first,
// lb1 preempting, lb1 stopped, lb2 stopped. Our words and order must match.
func TestLogsMatchKeepalivedSeedPair(t *testing.T) {
	c1 := seedConfig("lb_ha", 100, "192.168.110.11")
	c2 := seedConfig("lb_ha", 90, "192.168.110.22")

	d := newLogDriver(t, c1)
	d.step(Start{})
	for range 3 {
		d.rx(c2, 90, "192.168.110.22")
	}
	d.fire(TimerMasterDown)
	d.step(Shutdown{Now: d.now + time.Second})
	d.check(keepalivedLines(t, "seed-pair-lb1.log", "lb_ha", ""))

	d = newLogDriver(t, c2)
	d.step(Start{})
	d.fire(TimerMasterDown)
	d.fire(TimerGarpDelay)
	d.rx(c1, 100, "192.168.110.11")
	d.rx(c1, 0, "192.168.110.11")
	d.fire(TimerMasterDown)
	d.step(Shutdown{Now: d.now + time.Second})
	d.check(keepalivedLines(t, "seed-pair-lb2.log", "lb_ha", ""))
}

// The non-strict pair: `state MASTER` without priority 255 starts BACKUP and
// preempts on timeout; link down → FAULT (priority 0, VIPs removed); up → BACKUP.
func TestLogsMatchKeepalivedNonStrictFault(t *testing.T) {
	a := plainConfig(100, lb1)
	a.Name, a.VRID, a.StartMaster = "VI_X", 60, true
	b := plainConfig(90, lb2)
	b.Name, b.VRID = "VI_X", 60

	d := newLogDriver(t, a)
	d.step(Start{})
	for range 3 {
		d.rx(b, 90, "192.168.110.22")
	}
	d.fire(TimerMasterDown)
	d.step(InterfaceDown{Now: d.now + time.Second})
	d.step(InterfaceUp{Now: d.now + 2*time.Second})
	d.fire(TimerMasterDown)
	// keepalived's log is compared up to the HUP (see the report on reload).
	d.check(keepalivedLines(t, "nonstrict-fault-hup-a.log", "VI_X", "Reloading"))

	d = newLogDriver(t, b)
	d.step(Start{})
	d.fire(TimerMasterDown)
	d.rx(a, 100, "192.168.110.11")
	// The veth peer loses carrier too when A's end goes down.
	d.step(InterfaceDown{Now: d.now + time.Second})
	d.step(InterfaceUp{Now: d.now + 2*time.Second})
	d.rx(a, 0, "192.168.110.11")
	d.fire(TimerMasterDown)
	d.step(Shutdown{Now: d.now + time.Second})
	d.check(keepalivedLines(t, "nonstrict-fault-hup-b.log", "VI_X", ""))
}
