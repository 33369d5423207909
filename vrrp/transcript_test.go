package vrrp

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the expected output of testdata/transcripts/*.txt")

// TestTranscripts runs the state-machine scenarios of testdata/transcripts:
// each file is a list of steps, each followed by the actions, state and
// packets it produced (the format of etcd-io/raft's datadriven tests):
//
//	# comment
//	command arg... key=value...
//	----
//	expected output (no blank line; a blank line ends it)
//
// Configurations (no output):
//
//	config LABEL BASE key=value...  BASE: seed (keepalived-lb1/lb2.conf after
//	                                the strict rewrites), plain (non-strict v2),
//	                                default, or an earlier LABEL to copy;
//	                                keys: name interface prio src vrid vips
//	                                (a,b) version ipv6 advert garp-refresh
//	                                nopreempt preempt-delay start-master
//	                                dont-track-primary
//	run LABEL...                    the instances, in member order
//	group NAME LABEL...             those instances form a sync group
//
// Steps (output: the event, each action — an advert sent with its bytes —
// and the stepped instance's state):
//
//	start L at=T              shutdown L at=T           link L at=T up|down
//	fire L TIMER              (at the time it was armed for)
//	expire L TIMER at=T       (an expiry at another time: stale, early, or
//	                          of a timer not armed)
//	advert L at=T from=LABEL prio=N [src=A] [dst=A] [ttl=N]
//	                          (as a peer running LABEL's config sends it)
//	track L at=T delta=N [fault]
//	reload L at=T config=LABEL
//	state L                   (output: its state and priority)
//
// go test ./vrrp -run Transcripts -update rewrites the expected output.
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "transcripts", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) { runTranscript(t, f) })
	}
}

// transcriptCase is one step of a transcript file: the text before it
// (comments, blank lines), its command line and its expected output.
type transcriptCase struct {
	pre, cmd, want string
	line           int
}

func parseTranscript(t *testing.T, path string) (cases []transcriptCase, tail string) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	var pre strings.Builder
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if l == "" || strings.HasPrefix(l, "#") {
			pre.WriteString(l + "\n")
			continue
		}
		c := transcriptCase{pre: pre.String(), cmd: l, line: i + 1}
		pre.Reset()
		if i+1 >= len(lines) || lines[i+1] != "----" {
			t.Fatalf("%s:%d: %q is not followed by ----", path, i+1, l)
		}
		i += 2
		var want strings.Builder
		for ; i < len(lines) && lines[i] != ""; i++ {
			want.WriteString(lines[i] + "\n")
		}
		c.want = want.String()
		cases = append(cases, c)
	}
	return cases, pre.String()
}

func runTranscript(t *testing.T, path string) {
	cases, tail := parseTranscript(t, path)
	h := &harness{t: t, configs: map[string]InstanceConfig{}}
	var out strings.Builder
	failed := false
	for _, c := range cases {
		h.out.Reset()
		if err := h.do(c.cmd); err != nil {
			t.Fatalf("%s:%d: %s: %v", path, c.line, c.cmd, err)
		}
		got := h.out.String()
		if got != c.want && !*update {
			t.Errorf("%s:%d: %s\ngot:\n%swant:\n%s", path, c.line, c.cmd, got, c.want)
			failed = true
		}
		out.WriteString(c.pre + c.cmd + "\n----\n" + got + "\n")
	}
	if *update && !failed {
		text := strings.TrimRight(out.String()+tail, "\n") + "\n"
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// harness drives instances like a runner would: it remembers the timers they
// arm so a step can say "let the master-down timer fire", and writes every
// event and the actions it produced.
type harness struct {
	t       *testing.T
	configs map[string]InstanceConfig
	names   []string
	cfgs    []InstanceConfig // each member's running configuration
	insts   []*Instance
	group   *SyncGroup
	timers  []map[TimerKind]time.Duration
	out     strings.Builder
}

// do runs one command line.
func (h *harness) do(line string) error {
	f := strings.Fields(line)
	cmd, args := f[0], f[1:]
	kv := map[string]string{}
	var pos []string
	for _, a := range args {
		if k, v, ok := strings.Cut(a, "="); ok {
			kv[k] = v
		} else {
			pos = append(pos, a)
		}
	}
	switch cmd {
	case "config":
		if len(pos) != 2 {
			return fmt.Errorf("want config LABEL BASE")
		}
		c, err := h.config(pos[1], kv)
		if err != nil {
			return err
		}
		h.configs[pos[0]] = c
		return nil
	case "run":
		for _, l := range pos {
			c, ok := h.configs[l]
			if !ok {
				return fmt.Errorf("no config %s", l)
			}
			h.names = append(h.names, l)
			h.cfgs = append(h.cfgs, c)
			h.insts = append(h.insts, NewInstance(c))
			h.timers = append(h.timers, map[TimerKind]time.Duration{})
		}
		return nil
	case "group":
		if len(pos) < 2 {
			return fmt.Errorf("want group NAME LABEL...")
		}
		g := &SyncGroup{Name: pos[0]}
		for _, l := range pos[1:] {
			m, err := h.member(l)
			if err != nil {
				return err
			}
			g.Members = append(g.Members, h.insts[m])
		}
		h.group = g
		return nil
	}
	if len(pos) == 0 {
		return fmt.Errorf("no instance named")
	}
	m, err := h.member(pos[0])
	if err != nil {
		return err
	}
	var at time.Duration
	if s, ok := kv["at"]; ok {
		if at, err = time.ParseDuration(s); err != nil {
			return err
		}
	}
	switch cmd {
	case "start":
		h.step(m, Start{Now: at})
	case "shutdown":
		h.step(m, Shutdown{Now: at})
	case "link":
		switch {
		case len(pos) == 2 && pos[1] == "up":
			h.step(m, InterfaceUp{Now: at})
		case len(pos) == 2 && pos[1] == "down":
			h.step(m, InterfaceDown{Now: at})
		default:
			return fmt.Errorf("want link L at=T up|down")
		}
	case "fire", "expire":
		if len(pos) != 2 {
			return fmt.Errorf("want %s L TIMER", cmd)
		}
		k, err := timerKind(pos[1])
		if err != nil {
			return err
		}
		if cmd == "fire" {
			armed, ok := h.timers[m][k]
			if !ok {
				return fmt.Errorf("[%s] timer %s not armed", h.names[m], k)
			}
			at = armed
		}
		h.step(m, TimerExpired{Now: at, Kind: k})
	case "advert":
		ev, err := h.advert(at, kv)
		if err != nil {
			return err
		}
		h.step(m, ev)
	case "track":
		d, err := strconv.Atoi(kv["delta"])
		if err != nil && kv["delta"] != "" {
			return err
		}
		h.step(m, TrackChanged{Now: at, PriorityDelta: d, Fault: len(pos) == 2 && pos[1] == "fault"})
	case "reload":
		c, ok := h.configs[kv["config"]]
		if !ok {
			return fmt.Errorf("no config %q", kv["config"])
		}
		h.cfgs[m] = c
		h.step(m, Reload{Now: at, Config: c})
	case "state":
		fmt.Fprintf(&h.out, "[%s] state %s prio %d\n", h.names[m], h.insts[m].State(), h.insts[m].Priority())
	default:
		return fmt.Errorf("unknown command %q", cmd)
	}
	return nil
}

func (h *harness) member(label string) (int, error) {
	for i, n := range h.names {
		if n == label {
			return i, nil
		}
	}
	return 0, fmt.Errorf("no instance %s (run it first)", label)
}

func timerKind(s string) (TimerKind, error) {
	for k := TimerMasterDown; k <= TimerGarpLowerPrio; k++ {
		if k.String() == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown timer %q", s)
}

// config builds an instance configuration from a base and overrides.
func (h *harness) config(base string, kv map[string]string) (InstanceConfig, error) {
	var c InstanceConfig
	switch base {
	case "seed":
		c = seedConfig("lb_ha", 100, "192.168.110.11")
	case "plain":
		c = plainConfig(100, lb1)
	case "default":
		c = DefaultInstanceConfig()
	default:
		b, ok := h.configs[base]
		if !ok {
			return c, fmt.Errorf("unknown base %q", base)
		}
		c = b
		c.VIPs = append([]netip.Addr(nil), b.VIPs...)
	}
	for k, v := range kv {
		var err error
		switch k {
		case "name":
			c.Name = v
		case "interface":
			c.Interface = v
		case "prio":
			var n int
			n, err = strconv.Atoi(v)
			c.Priority = uint8(n)
			if base == "seed" {
				c.StartMaster = n == 100 // the seed's owner-like start (seedConfig)
			}
		case "src":
			c.SrcAddr, err = netip.ParseAddr(v)
		case "vrid":
			var n int
			n, err = strconv.Atoi(v)
			c.VRID = uint8(n)
		case "vips":
			c.VIPs = nil
			for _, a := range strings.Split(v, ",") {
				var p netip.Addr
				if p, err = netip.ParseAddr(a); err != nil {
					break
				}
				c.VIPs = append(c.VIPs, p)
			}
		case "version":
			var n int
			n, err = strconv.Atoi(v)
			c.Version = uint8(n)
		case "ipv6":
			c.IPv6 = v == "true"
		case "advert":
			c.AdvertInterval, err = time.ParseDuration(v)
		case "garp-refresh":
			c.GarpMasterRefresh, err = time.ParseDuration(v)
		case "start-master":
			c.StartMaster = v == "true"
		case "dont-track-primary":
			c.DontTrackPrimary = v == "true"
		case "nopreempt":
			c.Nopreempt = v == "true"
		case "preempt-delay":
			c.PreemptDelay, err = time.ParseDuration(v)
		default:
			err = fmt.Errorf("unknown key %q", k)
		}
		if err != nil {
			return c, fmt.Errorf("%s=%s: %v", k, v, err)
		}
	}
	return c, nil
}

// advert is an advert as a peer running the config "from" sends it.
func (h *harness) advert(at time.Duration, kv map[string]string) (AdvertReceived, error) {
	c, ok := h.configs[kv["from"]]
	if !ok {
		return AdvertReceived{}, fmt.Errorf("no config %q", kv["from"])
	}
	prio, err := strconv.Atoi(kv["prio"])
	if err != nil {
		return AdvertReceived{}, fmt.Errorf("prio: %v", err)
	}
	src := c.SrcAddr
	if s, ok := kv["src"]; ok {
		if src, err = netip.ParseAddr(s); err != nil {
			return AdvertReceived{}, err
		}
	}
	ev := AdvertReceived{Now: at, Payload: payload(h.t, c, uint8(prio), src), Src: src, Dst: MulticastGroup4, TTL: 255}
	if c.IPv6 {
		ev.Dst = MulticastGroup6
	}
	if s, ok := kv["dst"]; ok {
		if ev.Dst, err = netip.ParseAddr(s); err != nil {
			return ev, err
		}
	}
	if s, ok := kv["ttl"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil {
			return ev, err
		}
		ev.TTL = n
	}
	return ev, nil
}

func describe(ev Event) string {
	switch e := ev.(type) {
	case AdvertReceived:
		var a Advert
		if err := a.Decode(e.Payload, e.Src.Is6()); err != nil {
			return fmt.Sprintf("AdvertReceived from %s ttl %d: undecodable (%v)", e.Src, e.TTL, err)
		}
		return fmt.Sprintf("AdvertReceived from %s ttl %d: v%d vrid %d prio %d", e.Src, e.TTL, a.Version, a.VRID, a.Priority)
	case TimerExpired:
		return "TimerExpired " + e.Kind.String()
	case Reload:
		return fmt.Sprintf("Reload prio %d vips %s", e.Config.Priority, addrList(e.Config.VIPs))
	case TrackChanged:
		return fmt.Sprintf("TrackChanged delta %d fault %v", e.PriorityDelta, e.Fault)
	case SyncForce:
		return "SyncForce " + e.State.String()
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", ev), "vrrp.")
}

func (h *harness) record(m int, acts []Action) {
	for _, a := range acts {
		switch x := a.(type) {
		case SetTimer:
			h.timers[m][x.Kind] = x.At
		case CancelTimer:
			delete(h.timers[m], x.Kind)
		}
		fmt.Fprintf(&h.out, "    %s\n", a)
		if x, ok := a.(SendAdvert); ok {
			fmt.Fprintf(&h.out, "      packet %s\n", h.packet(m, x))
		}
	}
}

// packet is the advert's bytes as the runner sends them: from the
// member's source address to its group (or the checksum destination the
// action names).
func (h *harness) packet(m int, s SendAdvert) string {
	c := h.cfgs[m]
	dst := MulticastGroup4
	if c.IPv6 {
		dst = MulticastGroup6
	}
	if len(c.UnicastPeers) > 0 {
		dst = c.UnicastPeers[0]
	}
	if s.ChecksumDst.IsValid() {
		dst = s.ChecksumDst
	}
	b, err := s.Advert.Marshal(c.SrcAddr, dst)
	if err != nil {
		return "unmarshalable: " + err.Error()
	}
	return fmt.Sprintf("%x", b)
}

func (h *harness) step(m int, ev Event) {
	fmt.Fprintf(&h.out, "%s [%s] %s\n", ev.at(), h.names[m], describe(ev))
	if h.group != nil {
		for _, ma := range h.group.Step(m, ev) {
			if ma.Member != m {
				fmt.Fprintf(&h.out, "  [%s] follows the group:\n", h.names[ma.Member])
			}
			h.record(ma.Member, ma.Actions)
		}
	} else {
		h.record(m, h.insts[m].Step(ev))
	}
	fmt.Fprintf(&h.out, "  state %s prio %d\n", h.insts[m].State(), h.insts[m].Priority())
}
