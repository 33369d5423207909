package daemon_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/lab"
	"github.com/goha-lb/goha/vrrp"
)

// metricsAddr is the listener inside lb1's namespace (loopback there).
const metricsAddr = "127.0.0.1:9650"

// metricsInst is the seed instance's name in this test.
const metricsInst = "lb_metrics"

// TestMetricsListener runs the seed master with --metrics-address inside
// its namespace and scrapes it from inside that namespace: the instance
// shows as MASTER, adverts_sent grows between scrapes, crafted bad adverts
// from a third host are counted by reason, and every counter the USR2
// statistics dump also prints has the same value there. A second daemon
// asked for the same address refuses to start.
func TestMetricsListener(t *testing.T) {
	l := lab.NewForTest(t, "kamet")
	bin := buildGokeepalived(t)
	dir := t.TempDir()
	h1, err := l.AddHost("lb1", "192.168.110.11/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	evil, err := l.AddHost("evil", "192.168.110.66/24")
	if err != nil {
		lab.Unavailable(t, err.Error())
	}
	// The seed master under a name of its own: /tmp/keepalived.stats is
	// shared with any other lab test running at the same time.
	conf := seedCopy(t, dir, "keepalived-lb1.conf")
	b, _ := os.ReadFile(conf)
	if err := os.WriteFile(conf, []byte(strings.Replace(string(b), "vrrp_instance lb_ha ", "vrrp_instance "+metricsInst+" ", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	lb1 := &lbHost{t: t, name: "lb1", h: h1, bin: bin, conf: conf, dir: dir}
	startArgs := func(name string) []string {
		return []string{bin, "-n", "-l", "-D", "-G", "-f", lb1.conf, "--metrics-address=" + metricsAddr,
			"-p", filepath.Join(dir, name+".pid"), "-r", filepath.Join(dir, name+"_vrrp.pid")}
	}
	lb1.proc, err = h1.Start(startArgs("lb1")...)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		lb1.proc.Signal(syscall.SIGTERM)
		if rc := waitExit(t, lb1, 5*time.Second); rc != 0 {
			t.Errorf("exit status %d after SIGTERM", rc)
		}
	}()
	scrape := namespaceScraper(t, h1)

	// BACKUP first (the listener is up before the instance starts), then
	// MASTER after the master-down interval, its first GARP counted.
	scrape.until(`state="BACKUP"`, 5*time.Second)
	waitGARPSent(t, lb1, 8*time.Second)
	m := scrape.until(`state="MASTER"`, 2*time.Second)
	for series, want := range map[string]float64{
		seedSeries("gokeepalived_vrrp_state", `state="MASTER"`):      1,
		seedSeries("gokeepalived_vrrp_state", `state="BACKUP"`):      0,
		seedSeries("gokeepalived_vrrp_state", `state="INIT"`):        0,
		seedSeries("gokeepalived_vrrp_state_code"):                   2,
		seedSeries("gokeepalived_vrrp_priority"):                     100,
		seedSeries("gokeepalived_vrrp_effective_priority"):           100,
		seedSeries("gokeepalived_vrrp_transitions_total"):            2, // INIT → BACKUP → MASTER
		seedSeries("gokeepalived_vrrp_became_master_total"):          1,
		seedSeries("gokeepalived_vrrp_master_down_interval_seconds"): 3.609375,
		seedSeries("gokeepalived_vrrp_advert_interval_seconds"):      1,
		seedSeries("gokeepalived_vrrp_garps_sent_total"):             1, // vrrp_garp_interval 100: one now
	} {
		if got, ok := m[series]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", series, got, ok, want)
		}
	}

	// Adverts go out every second.
	first := m[seedSeries("gokeepalived_vrrp_adverts_sent_total")]
	time.Sleep(2100 * time.Millisecond)
	m = scrape.get()
	if next := m[seedSeries("gokeepalived_vrrp_adverts_sent_total")]; first < 1 || next < first+2 {
		t.Errorf("adverts_sent_total %v then %v 2.1 s later", first, next)
	}

	// Bad adverts from a third host, each counted under its reason, and a
	// good one.
	src := netip.MustParseAddr("192.168.110.66")
	advert := func(mod func(*vrrp.Advert)) []byte {
		a := vrrp.Advert{Version: 2, Type: vrrp.TypeAdvertisement, VRID: 51, Priority: 200, AdverInt: 1, Addrs: []netip.Addr{seedVIP}}
		if mod != nil {
			mod(&a)
		}
		b, err := a.Marshal(src, vrrp.MulticastGroup4)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	badSum := advert(nil)
	badSum[7] ^= 0xff
	for _, p := range []struct {
		ttl     int
		payload []byte
	}{
		{64, advert(nil)},
		{255, badSum},
		{255, badSum},
		{255, advert(func(a *vrrp.Advert) { a.AuthType, a.AuthData = vrrp.AuthPass, vrrp.PassAuthData("1111") })},
		{255, advert(func(a *vrrp.Advert) { a.VRID = 52 })},
		// A valid advert of lower priority: accepted, MASTER stays.
		{255, advert(func(a *vrrp.Advert) { a.Priority = 50 })},
	} {
		if err := evil.Do(func() error { return sendRaw(p.ttl, src, p.payload) }); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(300 * time.Millisecond)
	m = scrape.get()
	for series, want := range map[string]float64{
		seedSeries("gokeepalived_vrrp_advert_errors_total", `reason="ip_ttl_err"`):        1,
		seedSeries("gokeepalived_vrrp_advert_errors_total", `reason="chk_err"`):           2,
		seedSeries("gokeepalived_vrrp_advert_errors_total", `reason="authtype_mismatch"`): 1,
		seedSeries("gokeepalived_vrrp_unknown_vrid_total"):                                1,
		seedSeries("gokeepalived_vrrp_adverts_received_total"):                            1,
		seedSeries("gokeepalived_vrrp_state", `state="MASTER"`):                           1,
	} {
		if got := m[series]; got != want {
			t.Errorf("after bad adverts: %s = %v, want %v", series, got, want)
		}
	}

	// The USR2 dump prints the same counters. Adverts keep going out, so
	// take the dump between two scrapes that agree.
	agreed := false
	for try := 0; try < 5 && !agreed; try++ {
		before := scrape.get()
		os.Remove("/tmp/keepalived.stats")
		lb1.proc.Signal(syscall.SIGUSR2)
		stats := waitFile(t, "/tmp/keepalived.stats")
		after := scrape.get()
		sent := seedSeries("gokeepalived_vrrp_adverts_sent_total")
		if before[sent] != after[sent] || !strings.Contains(stats, "VRRP Instance: "+metricsInst+"\n") {
			continue
		}
		agreed = true
		for _, w := range statsLines(after) {
			if !strings.Contains(stats, w) {
				t.Errorf("keepalived.stats lacks %q (from the metrics):\n%s", w, stats)
			}
		}
	}
	if !agreed {
		t.Fatal("no two scrapes around a USR2 dump agreed in 5 tries")
	}

	// A second daemon asked for the same address refuses to start, before
	// any instance runs.
	second, err := h1.Start(startArgs("lb1b")...)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-second.Done():
	case <-time.After(5 * time.Second):
		second.Kill()
		t.Fatalf("a second daemon on a taken metrics address kept running:\n%s", second.Stderr())
	}
	st, _ := second.Wait()
	log := second.Stderr()
	if st.ExitCode() != 1 || !strings.Contains(log, "goha: cannot listen for metrics on "+metricsAddr+": ") || strings.Contains(log, "Entering") {
		t.Errorf("second daemon: exit %d\n%s", st.ExitCode(), log)
	}
}

// seedSeries names a series of the seed instance, extra labels sorted in
// among instance, interface, vrid and family as the exposition orders them.
func seedSeries(name string, extra ...string) string {
	labels := append([]string{`family="ipv4"`, `vrrp_instance="` + metricsInst + `"`, `interface="ens160"`, `vrid="51"`}, extra...)
	sortLabels(labels)
	return name + "{" + strings.Join(labels, ",") + "}"
}

func sortLabels(l []string) {
	for i := range l {
		for j := i + 1; j < len(l); j++ {
			if l[j] < l[i] {
				l[i], l[j] = l[j], l[i]
			}
		}
	}
}

// statsLines are the lines keepalived.stats must hold for the scraped
// counters of the seed instance.
func statsLines(m map[string]float64) []string {
	v := func(name string, extra ...string) int { return int(m[seedSeries(name, extra...)]) }
	errs := func(reason string) int { return v("gokeepalived_vrrp_advert_errors_total", `reason="`+reason+`"`) }
	lines := []string{
		fmt.Sprintf("  State: MASTER\n  Effective priority: %d\n", v("gokeepalived_vrrp_effective_priority")),
		fmt.Sprintf("  Unknown VRID on socket: %d\n  Send errors: %d\n", v("gokeepalived_vrrp_unknown_vrid_total"), v("gokeepalived_vrrp_send_errors_total")),
		fmt.Sprintf("  Advertisements:\n    Received: %d\n    Sent: %d\n", v("gokeepalived_vrrp_adverts_received_total"), v("gokeepalived_vrrp_adverts_sent_total")),
		fmt.Sprintf("  Became master: %d\n  Released master: %d\n", v("gokeepalived_vrrp_became_master_total"), v("gokeepalived_vrrp_released_master_total")),
		fmt.Sprintf("  Packet Errors:\n    Length: %d\n    TTL: %d\n    Invalid Type: %d\n    Advertisement Interval: %d\n    Address List: %d\n",
			errs("packet_len_err"), errs("ip_ttl_err"), errs("invalid_type_rcvd"), errs("advert_interval_err"), errs("addr_list_err")+errs("addr_count_err")),
		fmt.Sprintf("  Authentication Errors:\n    Invalid Type: %d\n    Type Mismatch: %d\n    Failure: %d\n",
			errs("invalid_authtype"), errs("authtype_mismatch"), errs("auth_failure")),
		fmt.Sprintf("  Priority Zero:\n    Received: %d\n    Sent: %d\n", v("gokeepalived_vrrp_priority_zero_received_total"), v("gokeepalived_vrrp_priority_zero_sent_total")),
	}
	for r := vrrp.DropLength; !strings.HasPrefix(r.String(), "DropReason("); r++ {
		lines = append(lines, fmt.Sprintf("    %s: %d\n", r, errs(r.String())))
	}
	return lines
}

// scraper GETs /metrics from inside a lab host's namespace (the
// connection is opened there; nothing leaves the lab) and parses the text
// exposition into series → value.
type scraper struct {
	t      *testing.T
	client *http.Client
}

func namespaceScraper(t *testing.T, h *lab.Host) *scraper {
	return &scraper{t: t, client: &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			var c net.Conn
			err := h.Do(func() error {
				var err error
				c, err = (&net.Dialer{Timeout: time.Second}).DialContext(ctx, network, addr)
				return err
			})
			return c, err
		},
	}}}
}

// get scrapes once; any failure fails the test.
func (s *scraper) get() map[string]float64 {
	s.t.Helper()
	m, err := s.try()
	if err != nil {
		s.t.Fatal(err)
	}
	return m
}

func (s *scraper) try() (map[string]float64, error) {
	resp, err := s.client.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: %s\n%s", resp.Status, b)
	}
	m := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			return nil, fmt.Errorf("bad exposition line %q", line)
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			return nil, fmt.Errorf("bad exposition line %q", line)
		}
		m[line[:i]] = v
	}
	return m, nil
}

// until scrapes every 50 ms (connection errors tolerated while the daemon
// starts) until the seed instance's one-hot state series named by
// stateLabel is 1.
func (s *scraper) until(stateLabel string, limit time.Duration) map[string]float64 {
	s.t.Helper()
	series := seedSeries("gokeepalived_vrrp_state", stateLabel)
	deadline := time.Now().Add(limit)
	var last map[string]float64
	var err error
	for time.Now().Before(deadline) {
		if last, err = s.try(); err == nil && last[series] == 1 {
			return last
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("%s never 1 within %s (last error %v): %v", series, limit, err, last)
	return nil
}
