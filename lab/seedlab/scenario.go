package seedlab

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// Step is one checked step of the scenario, for the timeline table.
type Step struct {
	At     time.Duration // since the scenario began
	Name   string
	Result string
	OK     bool
}

// Scenario walks the tutorial on a Seed, step by step, printing what it
// does to Out and recording every check. Run stops at the first step that
// cannot be built upon (a daemon that does not start); failed checks are
// recorded and the walk goes on where it still makes sense.
type Scenario struct {
	S   *Seed
	Out io.Writer
	// Loop is the client loop's length for each failover measurement.
	Loop time.Duration

	Steps []Step
	begin time.Time

	ha1, ha2, ka1, ka2 *Daemon
}

// NewScenario prepares the tutorial walk on s.
func NewScenario(s *Seed, out io.Writer) *Scenario {
	return &Scenario{S: s, Out: out, Loop: 5 * time.Second}
}

// OK reports whether every recorded step held.
func (sc *Scenario) OK() bool {
	for _, st := range sc.Steps {
		if !st.OK {
			return false
		}
	}
	return len(sc.Steps) > 0
}

func (sc *Scenario) printf(format string, args ...any) {
	fmt.Fprintf(sc.Out, format, args...)
}

// check records a step and prints its verdict.
func (sc *Scenario) check(name string, ok bool, format string, args ...any) bool {
	res := fmt.Sprintf(format, args...)
	sc.Steps = append(sc.Steps, Step{At: time.Since(sc.begin), Name: name, Result: res, OK: ok})
	mark := "ok  "
	if !ok {
		mark = "FAIL"
	}
	sc.printf("    [%s] %s: %s\n", mark, name, res)
	return ok
}

func (sc *Scenario) section(title string) {
	sc.printf("\n== %s\n", title)
}

func (sc *Scenario) shell(host, cmd, out string) {
	sc.printf("  %s# %s\n", host, cmd)
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		sc.printf("    %s\n", l)
	}
}

// Run walks the whole tutorial plus the active-active extension.
func (sc *Scenario) Run(ctx context.Context) error {
	sc.begin = time.Now()
	for _, step := range []func(context.Context) error{
		sc.stepBackends,
		sc.stepCheckConfig,
		sc.stepProxies,
		sc.stepKeepalived,
		sc.stepStrict,
		sc.stepAccept,
		sc.stepThroughVIP,
		sc.stepFailover,
		sc.stepPreempt,
		sc.stepActiveActive,
	} {
		if err := step(ctx); err != nil {
			sc.check("abort", false, "%v", err)
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// Tutorial check 1.
func (sc *Scenario) stepBackends(ctx context.Context) error {
	sc.section("1. the backend's three sites (tutorial: curl 192.168.110.33:80|81|82)")
	for _, b := range BackendPorts {
		got := Get(sc.S.Client.Host, fmt.Sprintf("%s:%d", BackendAddr, b.Port), 2*time.Second)
		sc.shell("client", fmt.Sprintf("curl %s:%d", BackendAddr, b.Port), describe(got))
		sc.check(fmt.Sprintf("backend :%d", b.Port), got.OK() && got.Body == b.Body, "%s", describe(got))
	}
	return nil
}

// Tutorial check 2.
func (sc *Scenario) stepCheckConfig(ctx context.Context) error {
	sc.section("2. the proxy config check (haproxy -c -f /etc/haproxy/haproxy.cfg)")
	for _, n := range []*Node{sc.S.LB1, sc.S.LB2} {
		impl := sc.S.Impl(n)
		out, code := sc.S.CheckHaproxy(ctx, n)
		sc.shell(n.Name, fmt.Sprintf("%s -c -f /etc/haproxy/haproxy.cfg", baseName(impl.Haproxy)), out)
		sc.check(n.Name+" config check", code == 0 && strings.Contains(out, "Configuration file is valid"), "exit %d", code)
	}
	return nil
}

// Tutorial check 3.
func (sc *Scenario) stepProxies(ctx context.Context) error {
	sc.section("3. start the proxies; round robin through 127.0.0.1 on each LB")
	var err error
	if sc.ha1, err = sc.S.StartHaproxy(sc.S.LB1); err != nil {
		return err
	}
	if sc.ha2, err = sc.S.StartHaproxy(sc.S.LB2); err != nil {
		return err
	}
	for _, d := range []*Daemon{sc.ha1, sc.ha2} {
		sc.checkPrivatePaths(d)
	}
	for _, n := range []*Node{sc.S.LB1, sc.S.LB2} {
		var bodies []string
		for range 3 {
			got := Get(n.Host, "127.0.0.1:80", 2*time.Second)
			sc.shell(n.Name, "curl 127.0.0.1", describe(got))
			bodies = append(bodies, got.Body)
		}
		sc.check(n.Name+" round robin", isRotation(bodies), "%s", strings.Join(bodies, ", "))
	}
	return nil
}

// checkPrivatePaths verifies the seed's global section took effect per
// host: the pidfile names a live proxy process and the stats socket exists,
// both in the host's private directories.
func (sc *Scenario) checkPrivatePaths(d *Daemon) {
	n := d.Node
	// The stats socket may be up while the daemonizing parent has not yet
	// written the pidfile: wait (bounded) for both.
	var pid int
	var sock bool
	for i := 0; i < 100; i++ {
		pid = readPidfile(n.Path("/var/run/haproxy.pid"))
		fi, err := os.Stat(n.Path("/var/lib/haproxy/stats"))
		sock = err == nil && fi.Mode()&os.ModeSocket != 0
		if pidAlive(pid) && sock {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	how := "foreground"
	if !pidAlive(d.Proc.Pid()) {
		how = "daemonized"
	}
	sc.check(n.Name+" pidfile, stats socket", pidAlive(pid) && sock,
		"haproxy.pid %d alive=%v (%s), stats socket=%v", pid, pidAlive(pid), how, sock)
}

// Tutorial check 4: the VIP on lb1, the higher priority.
func (sc *Scenario) stepKeepalived(ctx context.Context) error {
	sc.section("4. start keepalived with the seed configs, unchanged (lb1 MASTER 100, lb2 BACKUP 90)")
	if err := sc.startPair(ctx, sc.S.Files.KeepalivedLB1, sc.S.Files.KeepalivedLB2); err != nil {
		return err
	}
	sc.shell("lb1", "ip -4 -br addr show ens160", sc.S.LB1.IPAddr(ctx))
	sc.shell("lb2", "ip -4 -br addr show ens160", sc.S.LB2.IPAddr(ctx))
	h := sc.S.Holders(VIP)
	sc.check("VIP on lb1", slices.Equal(h, []string{"lb1"}), "%s held by %v", VIP, h)
	sc.check("lb1 logs MASTER", sc.ka1.LogHas("Entering MASTER STATE"), "%q in lb1's log", "(lb_ha) Entering MASTER STATE")
	return nil
}

// startPair starts the VRRP pair (see Seed.StartPair).
func (sc *Scenario) startPair(ctx context.Context, conf1, conf2 []byte) error {
	var err error
	var took time.Duration
	sc.ka1, sc.ka2, took, err = sc.S.StartPair(ctx, conf1, conf2)
	if err == nil {
		sc.printf("  lb1 became MASTER %s after its start\n", took.Round(10*time.Millisecond))
	}
	return err
}

// Tutorial check 6: what vrrp_strict does to the VIP.
func (sc *Scenario) stepStrict(ctx context.Context) error {
	sc.section("5. vrrp_strict: the master drops traffic addressed to the VIP")
	rs := sc.S.LB1.Ruleset(ctx)
	sc.shell("lb1", "nft list ruleset", rs)
	sc.check("strict drop rules", strings.Contains(rs, "table ip keepalived") && strings.Contains(rs, "ip daddr @vips drop"),
		"table ip keepalived drops ip daddr @vips")
	viaVIP := Get(sc.S.Client.Host, VIP+":80", time.Second)
	sc.shell("client", "curl --max-time 1 "+VIP, describe(viaVIP))
	sc.check("VIP unreachable under strict", !viaVIP.OK(), "%s", describe(viaVIP))
	direct := Get(sc.S.Client.Host, LB1Addr+":80", 2*time.Second)
	sc.shell("client", "curl "+LB1Addr, describe(direct))
	sc.check("lb1's own address answers", direct.OK(), "%s", describe(direct))
	sc.lint(ctx)
	sc.printf("  The tutorial ran `nft flush ruleset` after every keepalived start:\n")
	if out, err := sc.S.LB1.Run(ctx, "nft", "flush", "ruleset"); err != nil {
		return fmt.Errorf("nft flush ruleset: %v: %s", err, out)
	}
	flushed := Get(sc.S.Client.Host, VIP+":80", 2*time.Second)
	sc.shell("lb1", "nft flush ruleset", "")
	sc.shell("client", "curl "+VIP, describe(flushed))
	sc.check("VIP answers after flush", flushed.OK(), "%s", describe(flushed))
	return nil
}

// lint shows what the VRRP daemon's config test says about the seed
// config (gokeepalived explains the drop rules and names the fix;
// keepalived 2.2.7 reports only the dropped authentication and the
// MASTER state).
func (sc *Scenario) lint(ctx context.Context) {
	n := sc.S.LB1
	bin := sc.S.Impl(n).Keepalived
	out, _ := n.Command(ctx, n.PrivateArgv(bin, "-t", "-f", "/etc/keepalived/keepalived.conf")...).CombinedOutput()
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) > 12 {
		lines = append(lines[:12], fmt.Sprintf("... (%d more lines)", len(lines)-12))
	}
	sc.shell("lb1", baseName(bin)+" -t -f /etc/keepalived/keepalived.conf", strings.Join(lines, "\n"))
}

// The lasting fix: accept mode, which needs VRRPv3 under strict mode.
func (sc *Scenario) stepAccept(ctx context.Context) error {
	sc.section("6. the lasting fix: `accept` (RFC 5798 Accept_Mode; VRRPv2 has none, so with `version 3`)")
	sc.printf("  Each instance gains two lines after advert_int; every seed line stays:\n")
	sc.printf("      version 3\n      accept\n")
	sc.ka2.Stop(10 * time.Second)
	sc.ka1.Stop(10 * time.Second)
	if err := sc.startPair(ctx, WithAccept(sc.S.Files.KeepalivedLB1), WithAccept(sc.S.Files.KeepalivedLB2)); err != nil {
		return err
	}
	rs := sc.S.LB1.Ruleset(ctx)
	sc.shell("lb1", "nft list ruleset", rs)
	sc.check("no drop rules with accept", !strings.Contains(rs, "@vips drop"), "no keepalived drop rule")
	got := Get(sc.S.Client.Host, VIP+":80", 2*time.Second)
	sc.shell("client", "curl "+VIP, describe(got))
	sc.check("VIP answers with accept", got.OK(), "%s", describe(got))
	return nil
}

// Tutorial check 4, second half.
func (sc *Scenario) stepThroughVIP(ctx context.Context) error {
	sc.section("7. round robin through the VIP from the client")
	var bodies []string
	for range 3 {
		got := Get(sc.S.Client.Host, VIP+":80", 2*time.Second)
		sc.shell("client", "curl "+VIP, describe(got))
		bodies = append(bodies, got.Body)
	}
	sc.check("round robin via VIP", isRotation(bodies), "%s", strings.Join(bodies, ", "))
	sc.showProxyLog("lb1")
	return nil
}

// showProxyLog prints the last requests the proxy on host logged (httplog
// over syslog to 127.0.0.1:514, as the seed config says) and checks that
// it logged the client's requests through the VIP.
func (sc *Scenario) showProxyLog(host string) {
	var lines []string
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		if lines = sc.S.Logs[host].Matching(ClientAddr+":", "main servers/web", `"GET / HTTP/1.1"`); len(lines) >= 3 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	shown := lines
	if len(shown) > 3 {
		shown = shown[len(shown)-3:]
	}
	sc.shell(host, "syslog local2 from haproxy (udp 127.0.0.1:514), last requests", strings.Join(shown, "\n"))
	sc.check(host+" httplog", len(lines) >= 3, "%d request lines from %s logged", len(lines), ClientAddr)
}

// Tutorial check 5, first half.
func (sc *Scenario) stepFailover(ctx context.Context) error {
	sc.section(fmt.Sprintf("8. stop keepalived on lb1 (SIGTERM) while the client sends 20 requests/s for %s", sc.Loop))
	m, err := sc.S.underLoad(ctx, VIP, sc.Loop, time.Second, func() error {
		return sc.ka1.Stop(10 * time.Second)
	}, sc.S.LB2)
	if err != nil {
		return err
	}
	sc.printf("  VIP on lb2 %s after the stop; client: %s\n", m.Moved.Round(time.Millisecond), m.Summary)
	sc.shell("lb2", "ip -4 -br addr show ens160", sc.S.LB2.IPAddr(ctx))
	sc.check("VIP moved to lb2", m.MovedOK, "after %s", m.Moved.Round(time.Millisecond))
	sc.shell("lb2", baseName(sc.S.Impl(sc.S.LB2).Keepalived)+" log (VRRP transitions)", strings.Join(transitions(sc.ka2.Log(), 4), "\n"))
	sc.check("lb2 logs MASTER", sc.ka2.LogHas("Entering MASTER STATE"), "%q in lb2's log", "(lb_ha) Entering MASTER STATE")
	sc.check("service continues", m.Summary.Recovered && m.Summary.Total > 0, "%s", m.Summary)
	return nil
}

// Tutorial check 5, second half.
func (sc *Scenario) stepPreempt(ctx context.Context) error {
	sc.section("9. start keepalived on lb1 again: it preempts (priority 100 > 90)")
	var err error
	m, err := sc.S.underLoad(ctx, VIP, sc.Loop+2*time.Second, 500*time.Millisecond, func() error {
		sc.ka1, err = sc.S.StartKeepalived(sc.S.LB1, WithAccept(sc.S.Files.KeepalivedLB1))
		return err
	}, sc.S.LB1)
	if err != nil {
		return err
	}
	sc.printf("  VIP back on lb1 %s after the start; client: %s\n", m.Moved.Round(time.Millisecond), m.Summary)
	sc.check("VIP back on lb1", m.MovedOK, "after %s", m.Moved.Round(time.Millisecond))
	sc.check("service continues", m.Summary.Recovered && m.Summary.Total > 0, "%s", m.Summary)
	return nil
}

// The extension: two instances, one VIP master on each balancer.
func (sc *Scenario) stepActiveActive(ctx context.Context) error {
	sc.section("10. active-active: a second instance lb_ha2 (VRID 52, VIP " + VIP2 + ") MASTER on lb2")
	sc.ka1.Stop(10 * time.Second)
	sc.ka2.Stop(10 * time.Second)
	var err error
	c1 := WithAccept(ActiveActive(sc.S.Files.KeepalivedLB1, false))
	c2 := WithAccept(ActiveActive(sc.S.Files.KeepalivedLB2, true))
	if sc.ka1, err = sc.S.StartKeepalived(sc.S.LB1, c1); err != nil {
		return err
	}
	if sc.ka2, err = sc.S.StartKeepalived(sc.S.LB2, c2); err != nil {
		return err
	}
	_, err1 := sc.S.WaitVIP(ctx, VIP, sc.S.LB1, 12*time.Second)
	_, err2 := sc.S.WaitVIP(ctx, VIP2, sc.S.LB2, 12*time.Second)
	sc.shell("lb1", "ip -4 -br addr show ens160", sc.S.LB1.IPAddr(ctx))
	sc.shell("lb2", "ip -4 -br addr show ens160", sc.S.LB2.IPAddr(ctx))
	sc.check("VIP .100 on lb1", err1 == nil, "%v", orOK(err1))
	sc.check("VIP .200 on lb2", err2 == nil, "%v", orOK(err2))
	sc.bothVIPsAnswer("both VIPs answer")

	sc.printf("  lb1 loses its link (ip link set ens160 down): both VIPs go to lb2\n")
	if err := sc.S.LB1.SetLink("ens160", false); err != nil {
		return err
	}
	_, err1 = sc.S.WaitVIP(ctx, VIP, sc.S.LB2, 8*time.Second)
	sc.shell("lb2", "ip -4 -br addr show ens160", sc.S.LB2.IPAddr(ctx))
	sc.check("both VIPs on lb2", err1 == nil && sc.S.LB2.HasVIP(VIP2), "%v", orOK(err1))
	sc.bothVIPsAnswer("both VIPs answer from lb2")

	sc.printf("  lb1's link comes back: it takes .100 back, lb2 keeps .200\n")
	if err := sc.S.LB1.SetLink("ens160", true); err != nil {
		return err
	}
	_, err1 = sc.S.WaitVIP(ctx, VIP, sc.S.LB1, 12*time.Second)
	sc.check("VIP .100 back on lb1", err1 == nil && sc.S.LB2.HasVIP(VIP2), "%v", orOK(err1))
	if a := Get(sc.S.Client.Host, VIP+":80", time.Second); !a.OK() {
		// lb1's keepalived sent its one gratuitous ARP for .100 when it
		// first became master; the seed's `vrrp_garp_interval 100` allows
		// the next only 100 s later, so the client still sends to lb2's
		// MAC until its ARP entry expires (tens of seconds).
		neigh, _ := sc.S.Client.Run(ctx, "ip", "neigh", "show", VIP)
		sc.shell("client", "curl --max-time 1 "+VIP, describe(a))
		sc.shell("client", "ip neigh show "+VIP, neigh)
		sc.printf("  No gratuitous ARP from lb1 this time: the seed's lb1 config has vrrp_garp_interval 100,\n" +
			"  at most one GARP per 100 s on ens160, and lb1 sent one at its start. The client's ARP entry\n" +
			"  still names lb2 until it expires; the demo deletes it instead of waiting:\n")
		sc.S.Client.Run(ctx, "ip", "neigh", "del", VIP, "dev", "ens160")
		sc.shell("client", "ip neigh del "+VIP+" dev ens160", "")
	}
	sc.bothVIPsAnswer("both VIPs answer again")
	return nil
}

func (sc *Scenario) bothVIPsAnswer(name string) {
	a := Get(sc.S.Client.Host, VIP+":80", 2*time.Second)
	b := Get(sc.S.Client.Host, VIP2+":80", 2*time.Second)
	sc.shell("client", "curl "+VIP+"; curl "+VIP2, describe(a)+"\n"+describe(b))
	sc.check(name, a.OK() && b.OK(), "%s / %s", describe(a), describe(b))
}

// Timeline writes the steps as a table.
func (sc *Scenario) Timeline(w io.Writer) {
	fmt.Fprintf(w, "%8s  %-4s  %-30s  %s\n", "time", "", "step", "result")
	for _, st := range sc.Steps {
		mark := "ok"
		if !st.OK {
			mark = "FAIL"
		}
		res := st.Result
		if len(res) > 90 {
			res = res[:87] + "..."
		}
		fmt.Fprintf(w, "%7.1fs  %-4s  %-30s  %s\n", st.At.Seconds(), mark, st.Name, res)
	}
}

// transitions returns the last n log lines about VRRP state changes.
func transitions(log string, n int) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "STATE") || strings.Contains(l, "priority 0") || strings.Contains(l, "advertisement timeout") {
			out = append(out, strings.TrimSpace(l))
		}
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return out
}

func orOK(err error) any {
	if err == nil {
		return "ok"
	}
	return err
}

func describe(s Sample) string {
	if s.Err != "" {
		return fmt.Sprintf("no answer after %s (%s)", s.Dur.Round(time.Millisecond), s.Err)
	}
	if s.Status != 200 {
		return fmt.Sprintf("HTTP %d %s", s.Status, s.Body)
	}
	return s.Body
}

// isRotation reports whether bodies are the three servers, each once.
func isRotation(bodies []string) bool {
	if len(bodies) != len(BackendPorts) {
		return false
	}
	seen := map[string]bool{}
	for _, b := range bodies {
		seen[b] = true
	}
	for _, p := range BackendPorts {
		if !seen[p.Body] {
			return false
		}
	}
	return true
}

func baseName(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}
