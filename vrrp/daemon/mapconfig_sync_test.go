package daemon

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// syncTrackConf is the namespace experiment run against keepalived 2.2.7: a
// sync-group member tracking a weighted interface, a weighted and an
// unweighted script, and track files of the default weight and weight 5.
const syncTrackConf = `
vrrp_script chk {
  script "/bin/true"
  weight 10
}
vrrp_script chk0 {
  script "/bin/true"
}
track_file tf {
  file /tmp/goha-no-such-file
}
track_file tf5 {
  file /tmp/goha-no-such-file
  weight 5
}
vrrp_sync_group G {
  %OPTION%
  track_script {
    chk
  }
  group {
    A
  }
}
vrrp_instance A {
  interface ens160
  virtual_router_id 77
  track_interface {
    ens161 weight 20
  }
  track_script {
    chk
    chk0
  }
  track_file {
    tf
    tf5
  }
  virtual_ipaddress {
    10.77.0.100/24
  }
}
`

func mapSyncConf(t *testing.T, option string) *Config {
	t.Helper()
	p := filepath.Join(t.TempDir(), "k.conf")
	if err := os.WriteFile(p, []byte(strings.Replace(syncTrackConf, "%OPTION%", option, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	c, errs := MapConfig(lintFile(t, p, nil), fakePrimary(map[string]string{"ens160": "10.77.0.1"}))
	if len(errs) != 0 || len(c.Instances) != 1 {
		t.Fatalf("instances %d, errors %v", len(c.Instances), errs)
	}
	return c
}

// Without sync_group_tracking_weight keepalived 2.2.7 drops the member's
// weighted script and the track file of weight 5, makes the default-weight
// track file unweighted and only logs the interface (whose weight it still
// applies). The group's own script keeps its weight.
func TestSyncGroupMemberTrackers(t *testing.T) {
	c := mapSyncConf(t, "")
	in := c.Instances[0]
	wantIf := []Tracker{{Name: "ens161", Weight: 20}}
	wantScripts := []Tracker{{Name: "chk0"}, {Name: "chk", Weight: 10}}
	wantFiles := []Tracker{{Name: "tf"}}
	if d := cmp.Diff(wantIf, in.TrackInterfaces); d != "" {
		t.Errorf("track_interface (-want +got)\n%s", d)
	}
	if d := cmp.Diff(wantScripts, in.TrackScripts); d != "" {
		t.Errorf("track_script (-want +got)\n%s", d)
	}
	if d := cmp.Diff(wantFiles, in.TrackFiles); d != "" {
		t.Errorf("track_file (-want +got)\n%s", d)
	}
	// keepalived 2.2.7's log lines, in its order.
	want := []string{
		"(A) ignoring ens161 tracked interface weight due to SYNC group",
		"(A) ignoring tracked script chk with weights due to SYNC group",
		"(A) ignoring weight from tracked file tf due to SYNC group. specify weight 0",
		"(A) ignoring tracked file tf5 with weight 5 due to SYNC group",
	}
	var got []string
	for _, n := range c.Notices {
		if strings.Contains(n, "SYNC group") {
			got = append(got, n)
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("log lines (-want +got)\n%s", d)
	}
}

// sync_group_tracking_weight, and the deprecated global_tracking, keep the
// members' weights.
func TestSyncGroupTrackingWeight(t *testing.T) {
	for _, opt := range []string{"sync_group_tracking_weight", "global_tracking"} {
		t.Run(opt, func(t *testing.T) {
			c := mapSyncConf(t, opt)
			in := c.Instances[0]
			want := []Tracker{{Name: "chk", Weight: 10}, {Name: "chk0"}, {Name: "chk", Weight: 10}}
			if d := cmp.Diff(want, in.TrackScripts); d != "" {
				t.Errorf("track_script (-want +got)\n%s", d)
			}
			if d := cmp.Diff([]Tracker{{Name: "tf", Weight: 1}, {Name: "tf5", Weight: 5}}, in.TrackFiles); d != "" {
				t.Errorf("track_file (-want +got)\n%s", d)
			}
			for _, n := range c.Notices {
				if strings.Contains(n, "SYNC group") {
					t.Errorf("unexpected %q", n)
				}
			}
		})
	}
}
