// Package metrics exports gokeepalived's per-instance VRRP state and
// counters to Prometheus (keepalived has no such exporter; the listener is
// opt-in with --metrics-address). A Collector reads one daemon snapshot per
// scrape, so every series of a scrape comes from the same instant and the
// counters are those of the USR2 stats dump.
package metrics

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/goha-lb/goha/vrrp"
	"github.com/goha-lb/goha/vrrp/daemon"
)

// Source gives the instances to export; *daemon.Runner is one.
type Source interface {
	Snapshot() []daemon.InstanceSnapshot
}

// instanceLabels are on every per-instance series.
var instanceLabels = []string{"vrrp_instance", "interface", "vrid", "family"}

func desc(name, help string, extra ...string) *prometheus.Desc {
	return prometheus.NewDesc("gokeepalived_vrrp_"+name, help, append(append([]string{}, instanceLabels...), extra...), nil)
}

var (
	descState = desc("state",
		"1 for the instance's current state, 0 for the other states (INIT, BACKUP, MASTER, FAULT, STOP).", "state")
	descStateCode = desc("state_code",
		"The instance's state as keepalived numbers it in keepalived.json: 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT, 98 STOP.")
	descPriority = desc("priority",
		"The configured priority of the instance.")
	descEffPriority = desc("effective_priority",
		"The priority advertised now: the configured priority with the tracker weights applied.")
	descAdvertInterval = desc("advert_interval_seconds",
		"The configured advertisement interval.")
	descMasterDown = desc("master_down_interval_seconds",
		"The master-down timer's length at the current priority (3 x advert interval + skew), as keepalived.data's 'Master down timer'.")
	descTransitions = desc("transitions_total",
		"State changes of the instance since the daemon started.")
	descBecameMaster = desc("became_master_total",
		"Transitions to MASTER (keepalived.stats 'Became master').")
	descReleasedMaster = desc("released_master_total",
		"Transitions out of MASTER (keepalived.stats 'Released master').")
	descAdvertsSent = desc("adverts_sent_total",
		"VRRP advertisements sent (keepalived.stats 'Advertisements: Sent').")
	descAdvertsReceived = desc("adverts_received_total",
		"VRRP advertisements received and accepted (keepalived.stats 'Advertisements: Received').")
	descPriZeroSent = desc("priority_zero_sent_total",
		"Priority-0 advertisements sent (keepalived.stats 'Priority Zero: Sent').")
	descPriZeroReceived = desc("priority_zero_received_total",
		"Priority-0 advertisements received (keepalived.stats 'Priority Zero: Received').")
	descAdvertErrors = desc("advert_errors_total",
		"Received advertisements dropped, by reason (keepalived.json's names: packet_len_err, ip_ttl_err, chk_err, auth_failure, vrid_err, ...; keepalived.stats 'Drops by reason').", "reason")
	descUnknownVRID = desc("unknown_vrid_total",
		"Advertisements received on the instance's socket for a VRID no local instance runs; instances sharing a socket report the same count.")
	descSendErrors = desc("send_errors_total",
		"Advertisements that could not be sent.")
	descGarpsSent = desc("garps_sent_total",
		"Gratuitous ARPs and unsolicited neighbour advertisements sent for the instance's virtual addresses.")
	descTrackInterface = desc("track_interface_up",
		"1 while a tracked interface is up, 0 while it is down (before weight or reverse).", "tracked_interface")
	descTrackScript = desc("track_script_up",
		"1 while a tracked vrrp_script succeeds, 0 while it fails (after rise/fall, before weight or reverse); absent until its first result.", "script")
	descTrackFile = desc("track_file_value",
		"The value last read from a tracked track_file.", "track_file")
)

// states are the one-hot values of gokeepalived_vrrp_state, in keepalived's order.
var states = []vrrp.State{vrrp.StateInit, vrrp.StateBackup, vrrp.StateMaster, vrrp.StateFault, vrrp.StateStop}

// Collector is a prometheus.Collector over a Source.
type Collector struct {
	src Source
}

// NewCollector returns a collector reading src at each scrape.
func NewCollector(src Source) *Collector { return &Collector{src: src} }

// Describe sends every metric description.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descState, descStateCode, descPriority, descEffPriority,
		descAdvertInterval, descMasterDown, descTransitions, descBecameMaster, descReleasedMaster,
		descAdvertsSent, descAdvertsReceived, descPriZeroSent, descPriZeroReceived, descAdvertErrors,
		descUnknownVRID, descSendErrors, descGarpsSent, descTrackInterface, descTrackScript, descTrackFile} {
		ch <- d
	}
}

// Collect sends the series of one snapshot.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.src.Snapshot() {
		collectInstance(ch, &s)
	}
}

func family(ipv6 bool) string {
	if ipv6 {
		return "ipv6"
	}
	return "ipv4"
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func collectInstance(ch chan<- prometheus.Metric, s *daemon.InstanceSnapshot) {
	lv := []string{s.Name, s.Interface, strconv.Itoa(int(s.VRID)), family(s.IPv6)}
	gauge := func(d *prometheus.Desc, v float64, extra ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, append(lv[:4:4], extra...)...)
	}
	counter := func(d *prometheus.Desc, v uint64, extra ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), append(lv[:4:4], extra...)...)
	}
	for _, st := range states {
		gauge(descState, b2f(s.State == st), st.String())
	}
	gauge(descStateCode, float64(daemon.StateNumber(s.State)))
	gauge(descPriority, float64(s.BasePriority))
	gauge(descEffPriority, float64(s.EffectivePriority))
	gauge(descAdvertInterval, s.AdvertInterval.Seconds())
	gauge(descMasterDown, s.MasterDownInterval.Seconds())
	counter(descTransitions, s.Transitions)
	counter(descBecameMaster, s.Stats.BecomeMaster)
	counter(descReleasedMaster, s.Stats.ReleaseMaster)
	counter(descAdvertsSent, s.Stats.AdvertsSent)
	counter(descAdvertsReceived, s.Counters[vrrp.DropNone])
	counter(descPriZeroSent, s.Stats.PriZeroSent)
	counter(descPriZeroReceived, s.Stats.PriZeroRcvd)
	for r := vrrp.DropLength; int(r) < len(s.Counters); r++ {
		counter(descAdvertErrors, s.Counters[r], r.String())
	}
	counter(descUnknownVRID, s.UnknownVRID)
	counter(descSendErrors, s.SendErrors)
	counter(descGarpsSent, s.GarpsSent)
	for _, t := range s.TrackInterfaces {
		gauge(descTrackInterface, b2f(t.Up), t.Name)
	}
	for _, t := range s.TrackScripts {
		gauge(descTrackScript, b2f(t.Up), t.Name)
	}
	for _, t := range s.TrackFiles {
		gauge(descTrackFile, float64(t.Value), t.Name)
	}
}
