package daemon

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/goha-lb/goha/vrrp"
)

// jsonInstance is one element of keepalived 2.2.7's /tmp/keepalived.json
// (signal 36), keys in keepalived's order (captured from the real daemon).
type jsonInstance struct {
	Data  jsonData  `json:"data"`
	Stats jsonStats `json:"stats"`
}

type jsonData struct {
	Iname                string   `json:"iname"`
	DontTrackPrimary     int      `json:"dont_track_primary"`
	SkipCheckAdvAddr     int      `json:"skip_check_adv_addr"`
	StrictMode           int      `json:"strict_mode"`
	VmacIfname           string   `json:"vmac_ifname"`
	IfpIfname            string   `json:"ifp_ifname"`
	MasterPriority       int      `json:"master_priority"`
	LastTransition       float64  `json:"last_transition"`
	GarpDelay            float64  `json:"garp_delay"`
	GarpRefresh          float64  `json:"garp_refresh"`
	GarpRep              int      `json:"garp_rep"`
	GarpRefreshRep       int      `json:"garp_refresh_rep"`
	GarpLowerPrioDelay   float64  `json:"garp_lower_prio_delay"`
	GarpLowerPrioRep     int      `json:"garp_lower_prio_rep"`
	LowerPrioNoAdvert    int      `json:"lower_prio_no_advert"`
	HigherPrioSendAdvert int      `json:"higher_prio_send_advert"`
	VRID                 int      `json:"vrid"`
	BasePriority         int      `json:"base_priority"`
	EffectivePriority    int      `json:"effective_priority"`
	VIPSet               bool     `json:"vipset"`
	PromoteSecondaries   bool     `json:"promote_secondaries"`
	AdverInt             float64  `json:"adver_int"`
	MasterAdverInt       float64  `json:"master_adver_int"`
	Accept               int      `json:"accept"`
	Nopreempt            bool     `json:"nopreempt"`
	PreemptDelay         float64  `json:"preempt_delay"`
	State                int      `json:"state"`
	Wantstate            int      `json:"wantstate"`
	Version              int      `json:"version"`
	SMTPAlert            bool     `json:"smtp_alert"`
	NotifyDeleted        bool     `json:"notify_deleted"`
	VIPs                 []string `json:"vips"`
	AuthType             int      `json:"auth_type"`
}

type jsonStats struct {
	AdvertRcvd        uint64 `json:"advert_rcvd"`
	AdvertSent        uint64 `json:"advert_sent"`
	BecomeMaster      uint64 `json:"become_master"`
	ReleaseMaster     uint64 `json:"release_master"`
	PacketLenErr      uint64 `json:"packet_len_err"`
	AdvertIntervalErr uint64 `json:"advert_interval_err"`
	IPTTLErr          uint64 `json:"ip_ttl_err"`
	InvalidTypeRcvd   uint64 `json:"invalid_type_rcvd"`
	AddrListErr       uint64 `json:"addr_list_err"`
	InvalidAuthtype   uint64 `json:"invalid_authtype"`
	AuthtypeMismatch  uint64 `json:"authtype_mismatch"`
	AuthFailure       uint64 `json:"auth_failure"`
	PriZeroRcvd       uint64 `json:"pri_zero_rcvd"`
	PriZeroSent       uint64 `json:"pri_zero_sent"`
}

// keepalived's numeric states (vrrp.h).
func stateNumber(s vrrp.State) int {
	switch s {
	case vrrp.StateBackup:
		return 1
	case vrrp.StateMaster:
		return 2
	case vrrp.StateFault:
		return 3
	case vrrp.StateStop:
		return 98
	}
	return 0
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// JSON is the signal-36 dump (/tmp/keepalived.json). master_priority is
// not tracked by the state machine's public API and is reported as 0.
func (r *Runner) JSON() string {
	var s string
	r.do(func(time.Duration) { s = r.json() })
	return s
}

func (r *Runner) json() string {
	out := []jsonInstance{}
	for _, in := range r.insts {
		c, cnt, st := in.m.Config(), in.m.Counters, in.m.Stats
		d := jsonData{
			Iname: c.Name, DontTrackPrimary: b2i(c.DontTrackPrimary), SkipCheckAdvAddr: b2i(c.SkipCheckAdvAddr),
			StrictMode: b2i(in.spec.Strict), IfpIfname: c.Interface,
			GarpDelay: c.GarpMasterDelay.Seconds(), GarpRefresh: c.GarpMasterRefresh.Seconds(),
			GarpRep: c.GarpMasterRepeat, GarpRefreshRep: c.GarpMasterRefreshRepeat,
			GarpLowerPrioDelay: c.GarpLowerPrioDelay.Seconds(), GarpLowerPrioRep: c.GarpLowerPrioRepeat,
			LowerPrioNoAdvert: b2i(c.LowerPrioNoAdvert), HigherPrioSendAdvert: b2i(c.HigherPrioSendAdvert),
			VRID: int(c.VRID), BasePriority: int(c.Priority), EffectivePriority: int(in.m.Priority()),
			VIPSet:   in.m.State() == vrrp.StateMaster,
			AdverInt: c.AdvertInterval.Seconds(), MasterAdverInt: c.AdvertInterval.Seconds(),
			Accept: b2i(!c.NoAccept), Nopreempt: c.Nopreempt, PreemptDelay: c.PreemptDelay.Seconds(),
			State: stateNumber(in.m.State()), Wantstate: stateNumber(in.m.State()), Version: int(c.Version),
			VIPs: []string{},
		}
		if !in.lastTransition.IsZero() {
			d.LastTransition = float64(in.lastTransition.UnixMicro()) / 1e6
		}
		if c.AuthType == vrrp.AuthPass {
			d.AuthType = 1
		}
		for _, a := range c.VIPs {
			d.VIPs = append(d.VIPs, in.vipText(a))
		}
		out = append(out, jsonInstance{Data: d, Stats: jsonStats{
			AdvertRcvd: cnt[vrrp.DropNone], AdvertSent: st.AdvertsSent, BecomeMaster: st.BecomeMaster, ReleaseMaster: st.ReleaseMaster,
			PacketLenErr: cnt[vrrp.DropLength], AdvertIntervalErr: cnt[vrrp.DropIntervalMismatch], IPTTLErr: cnt[vrrp.DropTTL],
			InvalidTypeRcvd: cnt[vrrp.DropType], AddrListErr: cnt[vrrp.DropAddrList] + cnt[vrrp.DropAddrCount],
			InvalidAuthtype: cnt[vrrp.DropInvalidAuthType], AuthtypeMismatch: cnt[vrrp.DropAuthTypeMismatch], AuthFailure: cnt[vrrp.DropAuthFailure],
			PriZeroRcvd: st.PriZeroRcvd, PriZeroSent: st.PriZeroSent,
		}})
	}
	b, _ := json.Marshal(out)
	// keepalived's JSON writer escapes '/' (valid JSON either way).
	return strings.ReplaceAll(string(b), "/", `\/`)
}
