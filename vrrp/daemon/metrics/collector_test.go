package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/goha-lb/goha/vrrp"
	"github.com/goha-lb/goha/vrrp/daemon"
)

type fakeSource []daemon.InstanceSnapshot

func (f fakeSource) Snapshot() []daemon.InstanceSnapshot { return f }

// fakeSnapshot: a MASTER over IPv4 with trackers and a few drops, and an
// IPv6 BACKUP with nothing tracked.
func fakeSnapshot() fakeSource {
	var c vrrp.Counters
	c[vrrp.DropNone] = 7
	c[vrrp.DropTTL] = 2
	c[vrrp.DropChecksum] = 3
	c[vrrp.DropAuthFailure] = 4
	c[vrrp.DropVRID] = 5
	var c6 vrrp.Counters
	c6[vrrp.DropNone] = 120
	return fakeSource{
		{
			Name: "lb_ha", Interface: "ens160", VRID: 51, State: vrrp.StateMaster,
			BasePriority: 100, EffectivePriority: 90, AdvertInterval: time.Second,
			MasterDownInterval: 3609375 * time.Microsecond,
			Counters:           c,
			Stats:              vrrp.Stats{BecomeMaster: 2, ReleaseMaster: 1, AdvertsSent: 42, PriZeroSent: 1, PriZeroRcvd: 6},
			UnknownVRID:        8, SendErrors: 9, Transitions: 4, GarpsSent: 10,
			TrackInterfaces: []daemon.TrackStatus{{Name: "eth1", Up: true}},
			TrackScripts:    []daemon.TrackStatus{{Name: "chk_haproxy", Up: false}},
			TrackFiles:      []daemon.TrackFileValue{{Name: "prio_file", Value: -10}},
		},
		{
			Name: "lb_v6", Interface: "vrrp.52", VRID: 52, IPv6: true, State: vrrp.StateBackup,
			BasePriority: 255, EffectivePriority: 255, AdvertInterval: 250 * time.Millisecond,
			MasterDownInterval: 750 * time.Millisecond, Counters: c6,
		},
	}
}

// TestCollectorExposition: every series of the fake snapshot, names, help,
// types, labels and values, as the text exposition format (testdata/fake.prom,
// each value checked by hand against fakeSnapshot).
func TestCollectorExposition(t *testing.T) {
	want, err := os.Open("testdata/fake.prom")
	if err != nil {
		t.Fatal(err)
	}
	defer want.Close()
	if err := testutil.CollectAndCompare(NewCollector(fakeSnapshot()), want); err != nil {
		t.Fatal(err)
	}
	// The pedantic registry checks Collect against Describe (names, label sets).
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewCollector(fakeSnapshot()))
	if _, err := reg.Gather(); err != nil {
		t.Fatal(err)
	}
}

// TestCollectorOneHotState: exactly one state series is 1 for each state,
// and state_code is keepalived's number for it.
func TestCollectorOneHotState(t *testing.T) {
	for _, tc := range []struct {
		state vrrp.State
		code  string
	}{{vrrp.StateInit, "0"}, {vrrp.StateBackup, "1"}, {vrrp.StateMaster, "2"}, {vrrp.StateFault, "3"}, {vrrp.StateStop, "98"}} {
		src := fakeSource{{Name: "i", Interface: "eth0", VRID: 1, State: tc.state}}
		want := "# HELP gokeepalived_vrrp_state_code " + descHelp(t, "gokeepalived_vrrp_state_code") + "\n" +
			"# TYPE gokeepalived_vrrp_state_code gauge\n" +
			`gokeepalived_vrrp_state_code{family="ipv4",interface="eth0",vrid="1",vrrp_instance="i"} ` + tc.code + "\n" +
			"# HELP gokeepalived_vrrp_state " + descHelp(t, "gokeepalived_vrrp_state") + "\n" +
			"# TYPE gokeepalived_vrrp_state gauge\n"
		for _, s := range states {
			v := "0"
			if s == tc.state {
				v = "1"
			}
			want += `gokeepalived_vrrp_state{family="ipv4",interface="eth0",state="` + s.String() + `",vrid="1",vrrp_instance="i"} ` + v + "\n"
		}
		if err := testutil.CollectAndCompare(NewCollector(src), strings.NewReader(want), "gokeepalived_vrrp_state", "gokeepalived_vrrp_state_code"); err != nil {
			t.Errorf("%s: %v", tc.state, err)
		}
	}
}

// descHelp reads a metric's help text from the golden file.
func descHelp(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/fake.prom")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if h, ok := strings.CutPrefix(l, "# HELP "+name+" "); ok {
			return h
		}
	}
	t.Fatalf("no help for %s", name)
	return ""
}

// TestHandlerServesMetricsOnly: /metrics answers the exposition (with the
// process and Go collectors), any other path 404, a POST 405.
func TestHandlerServesMetricsOnly(t *testing.T) {
	srv := httptest.NewServer(Handler(fakeSnapshot()))
	defer srv.Close()
	get := func(method, path string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get("GET", "/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	for _, w := range []string{
		`gokeepalived_vrrp_state{family="ipv4",interface="ens160",state="MASTER",vrid="51",vrrp_instance="lb_ha"} 1` + "\n",
		`gokeepalived_vrrp_adverts_sent_total{family="ipv4",interface="ens160",vrid="51",vrrp_instance="lb_ha"} 42` + "\n",
		"\nprocess_start_time_seconds ", "\ngo_goroutines ",
	} {
		if !strings.Contains(body, w) {
			t.Errorf("/metrics lacks %q", w)
		}
	}
	for _, p := range []string{"/", "/metrics/", "/debug/pprof/", "/stats"} {
		if code, _ := get("GET", p); code != 404 {
			t.Errorf("GET %s: %d, want 404", p, code)
		}
	}
	if code, _ := get("POST", "/metrics"); code != 405 {
		t.Errorf("POST /metrics: %d, want 405", code)
	}
}
