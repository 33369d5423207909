package daemon

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/vrrp"
)

// TestSnapshotCounts drives the seed master through MASTER and back and
// checks the snapshot's counters: transitions and GARPs counted by the
// runner, the rest the very numbers of the USR2 stats dump.
func TestSnapshotCounts(t *testing.T) {
	h := newHarness(t, seedConfig(t, "keepalived-lb1.conf", "192.168.110.11"))
	s := h.r.snapshot()[0]
	if s.Name != "lb_ha" || s.Interface != "ens160" || s.VRID != 51 || s.IPv6 || s.State != vrrp.StateBackup ||
		s.BasePriority != 100 || s.EffectivePriority != 100 || s.AdvertInterval != time.Second ||
		s.MasterDownInterval != 3609375*time.Microsecond || s.Transitions != 1 {
		t.Fatalf("start snapshot %+v", s)
	}
	// MASTER at 3.61 s (one GARP at once, vrrp_garp_interval 100 queues
	// four), 3 more adverts, then the second GARP 100 s later.
	h.advance(3610*time.Millisecond + 3*time.Second)
	s = h.r.snapshot()[0]
	if s.State != vrrp.StateMaster || s.Transitions != 2 || s.GarpsSent != 1 || s.Stats.AdvertsSent != 4 {
		t.Fatalf("MASTER snapshot: state %s transitions %d garps %d sent %d", s.State, s.Transitions, s.GarpsSent, s.Stats.AdvertsSent)
	}
	h.advance(3610*time.Millisecond + 100*time.Second)
	if s = h.r.snapshot()[0]; s.GarpsSent != 2 {
		t.Fatalf("GARPs after 100 s: %d", s.GarpsSent)
	}
	// A higher priority master: BACKUP, queued GARPs dropped (not counted).
	hi := mustAdvert(t, 200, "192.168.110.22")
	meta := RxMeta{Src: netip.MustParseAddr("192.168.110.22"), Dst: vrrp.MulticastGroup4, TTL: 255}
	h.r.handle(rxEvent{cs: h.r.byName["lb_ha"].conn, payload: hi, meta: meta}, h.clock)
	meta.TTL = 64
	h.r.handle(rxEvent{cs: h.r.byName["lb_ha"].conn, payload: hi, meta: meta}, h.clock)
	s = h.r.snapshot()[0]
	if s.State != vrrp.StateBackup || s.Transitions != 3 || s.GarpsSent != 2 ||
		s.Counters[vrrp.DropNone] != 1 || s.Counters[vrrp.DropTTL] != 1 {
		t.Fatalf("after demotion: state %s transitions %d garps %d counters %v", s.State, s.Transitions, s.GarpsSent, s.Counters)
	}
	stats := h.r.stats()
	for _, w := range []string{
		fmt.Sprintf("  Advertisements:\n    Received: %d\n    Sent: %d\n", s.Counters[vrrp.DropNone], s.Stats.AdvertsSent),
		fmt.Sprintf("  Became master: %d\n  Released master: %d\n", s.Stats.BecomeMaster, s.Stats.ReleaseMaster),
		fmt.Sprintf("    TTL: %d\n", s.Counters[vrrp.DropTTL]),
		fmt.Sprintf("  Unknown VRID on socket: %d\n  Send errors: %d\n", s.UnknownVRID, s.SendErrors),
	} {
		if !strings.Contains(stats, w) {
			t.Errorf("stats dump lacks %q:\n%s", w, stats)
		}
	}
	if s.Stats.AdvertsSent < 100 || s.Stats.BecomeMaster != 1 || s.Stats.ReleaseMaster != 1 {
		t.Errorf("stats %+v", s.Stats)
	}
	// The peer goes silent: MASTER again; within vrrp_garp_interval of
	// the last GARP the new burst waits in the queue, uncounted until sent.
	h.advance(h.clock + 4*time.Second)
	if s = h.r.snapshot()[0]; s.State != vrrp.StateMaster || s.Transitions != 4 || s.GarpsSent != 2 {
		t.Fatalf("back to MASTER: state %s transitions %d garps %d", s.State, s.Transitions, s.GarpsSent)
	}
	h.advance(h.clock + 100*time.Second)
	if s = h.r.snapshot()[0]; s.GarpsSent != 3 {
		t.Fatalf("queued GARP not counted once sent: %d", s.GarpsSent)
	}
}

const snapTrackConf = `
vrrp_script chk { script "/bin/true"
 weight -60
 fall 2 }
vrrp_track_file tf { file "/nonexistent/goha-track-file" }
vrrp_instance A { interface ens160
 virtual_router_id 51
 priority 100
 track_script { chk }
 track_interface { ens161 weight -10 }
 track_file { tf weight 5 }
 virtual_ipaddress { 192.168.110.100/24 } }
`

// TestSnapshotTrackers: the snapshot reports each tracker's own status
// (scripts only once they reported) and the priority they produce.
func TestSnapshotTrackers(t *testing.T) {
	h := newHarness(t, configFrom(t, snapTrackConf))
	s := h.r.snapshot()[0]
	if s.State != vrrp.StateInit || len(s.TrackScripts) != 0 ||
		len(s.TrackFiles) != 1 || s.TrackFiles[0] != (TrackFileValue{Name: "tf", Value: 0}) {
		t.Fatalf("before the script reported: %+v", s)
	}
	h.r.handle(LinkEvent{Name: "ens161", Up: true}, h.clock)
	h.r.handle(scriptEvent{name: "chk", rc: 0}, h.clock)
	s = h.r.snapshot()[0]
	if s.State != vrrp.StateBackup || len(s.TrackScripts) != 1 || s.TrackScripts[0] != (TrackStatus{Name: "chk", Up: true}) ||
		len(s.TrackInterfaces) != 1 || s.TrackInterfaces[0] != (TrackStatus{Name: "ens161", Up: true}) || s.EffectivePriority != 100 {
		t.Fatalf("all fine: %+v", s)
	}
	h.r.handle(scriptEvent{name: "chk", rc: 1}, h.clock)
	h.r.handle(scriptEvent{name: "chk", rc: 1}, h.clock)
	h.r.handle(LinkEvent{Name: "ens161", Up: false}, h.clock)
	s = h.r.snapshot()[0]
	if s.TrackScripts[0].Up || s.TrackInterfaces[0].Up || s.BasePriority != 100 || s.EffectivePriority != 30 {
		t.Fatalf("script failed and link down: %+v", s)
	}
	h.r.handle(fileEvent{name: "tf", value: 3}, h.clock)
	if s = h.r.snapshot()[0]; s.TrackFiles[0].Value != 3 || s.EffectivePriority != 45 {
		t.Fatalf("track_file 3: %+v", s)
	}
}

// TestSnapshotSyncGroupTransitions: members moved by their sync group
// count their transitions too.
func TestSnapshotSyncGroupTransitions(t *testing.T) {
	p := t.TempDir() + "/k.conf"
	if err := writeFile(p, syncConf); err != nil {
		t.Fatal(err)
	}
	c, errs := MapConfig(lintFile(t, p, nil), fakePrimary(map[string]string{"ens160": "10.0.0.11", "ens161": "10.0.1.11"}))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	h := newHarness(t, c)
	h.advance(4 * time.Second)
	h.r.handle(LinkEvent{Name: "ens161", Up: false}, h.clock)
	for _, s := range h.r.snapshot() {
		// INIT → BACKUP → MASTER → FAULT
		if s.State != vrrp.StateFault || s.Transitions != 3 || s.Stats.ReleaseMaster != 1 {
			t.Errorf("%s: state %s transitions %d released %d", s.Name, s.State, s.Transitions, s.Stats.ReleaseMaster)
		}
	}
}
