package vrrp

import (
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// Instance is the pure state machine of one vrrp_instance, modelled on
// etcd/raft: Step takes an event and returns the actions the runner performs,
// in order. It owns no socket, no timer and no clock.
type Instance struct {
	cfg   InstanceConfig
	state State

	basePrio uint8 // configured priority, lowered to 254 on an owner conflict
	effPrio  uint8 // base + tracker weights, clamped
	delta    int   // current sum of tracker weights
	trackErr bool  // an unweighted tracker is failing
	linkDown bool
	syncErr  bool // forced to FAULT by the sync group

	masterAdverInt time.Duration // learned from the master's adverts (v3)
	masterSrc      netip.Addr
	masterPrio     uint8
	preemptAt      time.Duration // end of a running preempt_delay; 0 = not running
	oldChecksum    bool          // peer uses keepalived ≤1.3.6's unicast v3 checksum
	vipsSet        bool

	timers [TimerGarpLowerPrio + 1]time.Duration // armed deadline per kind, -1 = idle
	rx     Advert                                // decode buffer, reused

	// Counters counts received adverts: accepted and one slot per drop reason.
	Counters Counters
	// Stats mirrors keepalived's per-instance statistics that the state machine sees.
	Stats Stats
}

// Stats are the instance's transition and advert counts.
type Stats struct {
	BecomeMaster  uint64
	ReleaseMaster uint64
	AdvertsSent   uint64
	PriZeroSent   uint64
	PriZeroRcvd   uint64
}

// NewInstance returns an instance in INIT for cfg.
func NewInstance(cfg InstanceConfig) *Instance {
	i := &Instance{cfg: cfg, basePrio: cfg.Priority}
	for k := range i.timers {
		i.timers[k] = -1
	}
	i.masterAdverInt = cfg.wireInterval()
	i.effPrio = i.computePriority()
	return i
}

// State is the current state.
func (i *Instance) State() State { return i.state }

// Priority is the effective priority currently advertised.
func (i *Instance) Priority() uint8 { return i.effPrio }

// Config is the configuration in force.
func (i *Instance) Config() InstanceConfig { return i.cfg }

// MasterDownInterval is 3 × Master_Adver_Interval + Skew_Time for the current priority.
func (i *Instance) MasterDownInterval() time.Duration {
	n := time.Duration(3)
	if i.cfg.DownTimerAdverts > 0 {
		n = time.Duration(i.cfg.DownTimerAdverts)
	}
	return n*i.masterAdverInt + i.skew()
}

// skew is keepalived's Skew_Time: v2 (256−p)/256 s in µs; v3 (256−p)·Master_Adver_Int/256
// computed from centiseconds, as keepalived does to stay in 32 bits.
func (i *Instance) skew() time.Duration {
	p := 256 - time.Duration(i.effPrio)
	if i.cfg.Version == 3 {
		cs := i.masterAdverInt / (10 * time.Millisecond)
		return p * cs * 625 / 16 * time.Microsecond
	}
	return p * 1000000 / 256 * time.Microsecond
}

func (i *Instance) computePriority() uint8 {
	if i.basePrio == 255 {
		return 255 // the address owner's priority is never changed by trackers
	}
	p := int(i.basePrio) + i.delta
	return uint8(min(max(p, 1), 254))
}

func (i *Instance) faulty() bool {
	return (i.linkDown && !i.cfg.DontTrackPrimary) || i.trackErr || i.syncErr
}

// actions collects the output of one Step.
type actions []Action

func (a *actions) log(i *Instance, format string, args ...any) {
	*a = append(*a, Log{Text: "(" + i.cfg.Name + ") " + fmt.Sprintf(format, args...)})
}

func (i *Instance) setTimer(a *actions, k TimerKind, at time.Duration) {
	i.timers[k] = at
	*a = append(*a, SetTimer{Kind: k, At: at})
}

func (i *Instance) cancelTimer(a *actions, k TimerKind) {
	if i.timers[k] >= 0 {
		i.timers[k] = -1
		*a = append(*a, CancelTimer{Kind: k})
	}
}

func (i *Instance) cancelAllTimers(a *actions) {
	for k := TimerMasterDown; k <= TimerGarpLowerPrio; k++ {
		i.cancelTimer(a, k)
	}
}

// Step feeds one event to the instance and returns the actions to perform.
func (i *Instance) Step(ev Event) []Action {
	var a actions
	if i.state == StateStop {
		return nil
	}
	switch e := ev.(type) {
	case Start:
		i.start(&a, e.Now)
	case AdvertReceived:
		i.receive(&a, e)
	case TimerExpired:
		i.timerExpired(&a, e)
	case InterfaceDown:
		i.linkDown = true
		i.faultCheck(&a, e.Now)
	case InterfaceUp:
		i.linkDown = false
		i.faultCheck(&a, e.Now)
	case TrackChanged:
		i.delta, i.trackErr = e.PriorityDelta, e.Fault
		i.setPriority(&a, e.Now)
		i.faultCheck(&a, e.Now)
	case SyncForce:
		i.syncForce(&a, e)
	case Shutdown:
		i.shutdown(&a)
	case Reload:
		i.reload(&a, e)
	}
	return a
}

func (i *Instance) start(a *actions, now time.Duration) {
	if i.state != StateInit {
		return
	}
	if i.faulty() {
		i.state = StateFault
		a.log(i, "Entering FAULT STATE (init)")
		*a = append(*a, Notify{State: StateFault, Priority: i.effPrio})
		return
	}
	if i.basePrio == 255 && i.cfg.StartMaster {
		i.becomeMaster(a, now, false)
		return
	}
	// keepalived clears VIPs and drop rules a previous run may have left behind.
	i.releaseVIPs(a)
	i.enterBackup(a, now, "Entering BACKUP STATE (init)")
}

func (i *Instance) enterBackup(a *actions, now time.Duration, msg string) {
	i.state = StateBackup
	i.preemptAt = 0
	a.log(i, "%s", msg)
	*a = append(*a, Notify{State: StateBackup, Priority: i.effPrio})
	i.cancelTimer(a, TimerAdvert)
	i.cancelTimer(a, TimerGarpDelay)
	i.cancelTimer(a, TimerGarpRefresh)
	i.cancelTimer(a, TimerGarpLowerPrio)
	i.setTimer(a, TimerMasterDown, now+i.MasterDownInterval())
}

func (i *Instance) advert(prio uint8) SendAdvert {
	adv := Advert{
		Version:  i.cfg.Version,
		Type:     TypeAdvertisement,
		VRID:     i.cfg.VRID,
		Priority: prio,
		Addrs:    i.cfg.VIPs,
	}
	if i.cfg.Version == 2 {
		adv.AuthType = i.cfg.AuthType
		if i.cfg.AuthType == AuthPass {
			adv.AuthData = PassAuthData(i.cfg.AuthPass)
		}
		adv.AdverInt = i.cfg.v2Interval()
	} else {
		adv.MaxAdverInt = i.cfg.v3Interval()
	}
	s := SendAdvert{Advert: adv}
	if i.oldChecksum {
		s.ChecksumDst = MulticastGroup4
	}
	return s
}

func (i *Instance) sendAdvert(a *actions, prio uint8) {
	i.Stats.AdvertsSent++
	*a = append(*a, i.advert(prio))
	if prio == 0 {
		i.Stats.PriZeroSent++
		a.log(i, "sent 0 priority")
	}
}

func (i *Instance) gratuitous(a *actions, count int) {
	all := i.cfg.allVIPs()
	if count <= 0 || len(all) == 0 {
		return
	}
	for _, v := range all {
		a.log(i, "Sending/queueing %s on %s for %s", garpWord(v), i.cfg.Interface, v)
	}
	*a = append(*a, SendGratuitous{Addrs: all, Count: count})
}

func garpWord(v netip.Addr) string {
	if v.Is6() && !v.Is4In6() {
		return "Unsolicited Neighbour Adverts"
	}
	return "gratuitous ARPs"
}

// becomeMaster is keepalived's master transition: advert first (so the old
// master drops the VIPs before our GARPs), then rules, VIPs, GARPs, notify.
func (i *Instance) becomeMaster(a *actions, now time.Duration, timeout bool) {
	if timeout {
		a.log(i, "Receive advertisement timeout")
	}
	i.state = StateMaster
	i.preemptAt = 0
	i.cancelTimer(a, TimerMasterDown)
	i.sendAdvert(a, i.effPrio)
	a.log(i, "Entering MASTER STATE")
	if own := i.cfg.wireInterval(); i.masterAdverInt != own {
		a.log(i, "changing advert interval from %dms to locally configured %dms", i.masterAdverInt/time.Millisecond, own/time.Millisecond)
		i.masterAdverInt = own
	}
	if i.cfg.NoAccept {
		a.log(i, "setting firewall drop rule")
		*a = append(*a, FirewallAddVIPs{Addrs: i.cfg.allVIPs()})
	}
	a.log(i, "setting VIPs.")
	*a = append(*a, AddVIPs{Addrs: i.cfg.allVIPs()})
	i.vipsSet = true
	i.gratuitous(a, i.cfg.GarpMasterRepeat)
	if i.cfg.GarpMasterDelay > 0 {
		i.setTimer(a, TimerGarpDelay, now+i.cfg.GarpMasterDelay)
	}
	if i.cfg.GarpMasterRefresh > 0 {
		i.setTimer(a, TimerGarpRefresh, now+i.cfg.GarpMasterRefresh)
	}
	*a = append(*a, Notify{State: StateMaster, Priority: i.effPrio})
	i.Stats.BecomeMaster++
	i.setTimer(a, TimerAdvert, now+i.cfg.wireInterval())
}

// releaseVIPs removes the VIPs then the drop rules, as keepalived's restore does.
func (i *Instance) releaseVIPs(a *actions) {
	a.log(i, "removing VIPs.")
	*a = append(*a, DelVIPs{Addrs: i.cfg.allVIPs()})
	if i.cfg.NoAccept {
		a.log(i, "removing firewall drop rule")
		*a = append(*a, FirewallDelVIPs{Addrs: i.cfg.allVIPs()})
	}
	i.vipsSet = false
}

func (i *Instance) leaveMaster(a *actions, now time.Duration) {
	i.Stats.ReleaseMaster++
	i.enterBackupFromMaster(a, now)
}

func (i *Instance) enterBackupFromMaster(a *actions, now time.Duration) {
	i.state = StateBackup
	i.preemptAt = 0
	a.log(i, "Entering BACKUP STATE")
	i.releaseVIPs(a)
	*a = append(*a, Notify{State: StateBackup, Priority: i.effPrio})
	i.cancelTimer(a, TimerAdvert)
	i.cancelTimer(a, TimerGarpDelay)
	i.cancelTimer(a, TimerGarpRefresh)
	i.cancelTimer(a, TimerGarpLowerPrio)
	i.setTimer(a, TimerMasterDown, now+i.MasterDownInterval())
}

func (i *Instance) timerExpired(a *actions, e TimerExpired) {
	if e.Kind < TimerMasterDown || e.Kind > TimerGarpLowerPrio {
		return
	}
	due := i.timers[e.Kind]
	if due < 0 || e.Now < due {
		return // stale: re-armed or cancelled since the runner armed it
	}
	i.timers[e.Kind] = -1
	switch e.Kind {
	case TimerMasterDown:
		if i.state == StateBackup {
			i.becomeMaster(a, e.Now, true)
		}
	case TimerAdvert:
		if i.state == StateMaster {
			i.sendAdvert(a, i.effPrio)
			i.setTimer(a, TimerAdvert, e.Now+i.cfg.wireInterval())
		}
	case TimerGarpDelay:
		if i.state == StateMaster {
			i.gratuitous(a, i.cfg.GarpMasterRepeat)
		}
	case TimerGarpRefresh:
		if i.state == StateMaster {
			i.gratuitous(a, i.cfg.GarpMasterRefreshRepeat)
			i.setTimer(a, TimerGarpRefresh, e.Now+i.cfg.GarpMasterRefresh)
		}
	case TimerGarpLowerPrio:
		if i.state == StateMaster {
			i.gratuitous(a, i.cfg.GarpLowerPrioRepeat)
		}
	}
}

func (i *Instance) receive(a *actions, e AdvertReceived) {
	if i.state != StateBackup && i.state != StateMaster {
		return // INIT and FAULT do not listen
	}
	checkAddrs := true
	if i.state == StateBackup && i.cfg.SkipCheckAdvAddr && i.masterSrc.IsValid() &&
		i.masterSrc.Is4() == e.Src.Is4() && i.masterSrc == e.Src {
		checkAddrs = false
	}
	v := Validate(&i.cfg, e.Payload, RxMeta{Src: e.Src, Dst: e.Dst, TTL: e.TTL}, checkAddrs, &i.rx)
	i.Counters[v.Reason]++
	if v.Reason != DropNone {
		if v.Reason != DropVRID {
			a.log(i, "%s", v.Msg)
		}
		return
	}
	if v.OldUnicastChecksum && !i.oldChecksum {
		i.oldChecksum = true
		a.log(i, "Setting unicast VRRPv3 checksum to old version")
	}
	if i.rx.Priority == 0 {
		i.Stats.PriZeroRcvd++
	}
	if i.state == StateBackup {
		i.backupRx(a, e)
	} else {
		i.masterRx(a, e)
	}
}

// learnInterval adopts the master's advert interval (VRRPv3 only, RFC 5798
// Master_Adver_Interval); by names "master" or "new master" for the log.
func (i *Instance) learnInterval(a *actions, by string) {
	if i.cfg.Version != 3 {
		return
	}
	mai := time.Duration(i.rx.MaxAdverInt) * 10 * time.Millisecond
	if mai != i.masterAdverInt {
		a.log(i, "advertisement interval updated from %dms to %dms by %s", i.masterAdverInt/time.Millisecond, mai/time.Millisecond, by)
		i.masterAdverInt = mai
	}
}

func (i *Instance) backupRx(a *actions, e AdvertReceived) {
	hd := &i.rx
	switch {
	case hd.Priority == 0:
		a.log(i, "Backup received priority 0 advertisement")
		i.setTimer(a, TimerMasterDown, e.Now+i.skew())
	case i.cfg.Nopreempt || hd.Priority >= i.effPrio ||
		(i.cfg.PreemptDelay > 0 && (i.preemptAt == 0 || i.preemptAt > e.Now)):
		i.learnInterval(a, "master")
		i.masterSrc, i.masterPrio = e.Src, hd.Priority
		if i.cfg.PreemptDelay > 0 {
			if hd.Priority >= i.effPrio {
				if i.preemptAt != 0 {
					a.log(i, "stop preempt delay")
					i.preemptAt = 0
				}
			} else if i.preemptAt == 0 {
				d := i.cfg.PreemptDelay
				a.log(i, "start preempt delay (%d.%06d)", d/time.Second, (d%time.Second)/time.Microsecond)
				i.preemptAt = e.Now + d
			}
		}
		i.setTimer(a, TimerMasterDown, e.Now+i.MasterDownInterval())
	default:
		// A lower priority master: ignore it and let the down timer run out,
		// which is how a preempting backup takes over.
		a.log(i, "received lower priority (%d) advert from %s - discarding", hd.Priority, e.Src)
		i.masterSrc = e.Src
	}
}

func (i *Instance) masterRx(a *actions, e AdvertReceived) {
	hd := &i.rx
	own := i.cfg.SrcAddr
	cmp := 0 // keepalived treats an unknown own address as equal
	if own.IsValid() && own.Is4() == e.Src.Is4() {
		cmp = e.Src.Compare(own)
	}
	higher := hd.Priority > i.effPrio || (hd.Priority == i.effPrio && cmp > 0)
	if hd.Priority == 0 || (i.cfg.HigherPrioSendAdvert && higher) {
		i.sendAdvert(a, i.effPrio)
		if hd.Priority == 0 {
			a.log(i, "Master received priority 0 message")
			return
		}
	}
	if hd.Priority == i.effPrio && i.effPrio == 255 && cmp != 0 {
		a.log(i, "CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority")
		i.basePrio = 254
		i.effPrio = 254
		higher = hd.Priority > i.effPrio
	}
	if hd.Priority == i.effPrio && cmp == 0 && own.IsValid() {
		a.log(i, "WARNING - equal priority advert received from remote host with our IP address.")
	}
	if hd.Priority < i.effPrio || (hd.Priority == i.effPrio && cmp < 0) {
		suffix := ", forcing new election"
		if i.cfg.LowerPrioNoAdvert {
			suffix = ""
		}
		a.log(i, "Received advert from %s with lower priority %d, ours %d%s", e.Src, hd.Priority, i.effPrio, suffix)
		if !i.cfg.LowerPrioNoAdvert {
			i.sendAdvert(a, i.effPrio)
		}
		if i.cfg.GarpLowerPrioRepeat > 0 {
			i.gratuitous(a, i.cfg.GarpLowerPrioRepeat)
			if i.cfg.GarpLowerPrioDelay > 0 {
				i.setTimer(a, TimerGarpLowerPrio, e.Now+i.cfg.GarpLowerPrioDelay)
			}
		}
		return
	}
	if higher {
		if hd.Priority > i.effPrio {
			a.log(i, "Master received advert from %s with higher priority %d, ours %d", e.Src, hd.Priority, i.effPrio)
		} else {
			a.log(i, "Master received advert from %s with same priority %d but higher IP address than ours", e.Src, hd.Priority)
		}
		i.learnInterval(a, "new master")
		i.masterSrc, i.masterPrio = e.Src, hd.Priority
		i.leaveMaster(a, e.Now)
	}
}

func (i *Instance) setPriority(a *actions, now time.Duration) {
	p := i.computePriority()
	if p == i.effPrio {
		return
	}
	i.effPrio = p
	if i.state == StateBackup && i.timers[TimerMasterDown] >= 0 {
		// The skew depends on the priority; keepalived re-arms from now.
		i.setTimer(a, TimerMasterDown, now+i.MasterDownInterval())
	}
}

// faultCheck moves the instance into or out of FAULT after a change of link
// or tracker state.
func (i *Instance) faultCheck(a *actions, now time.Duration) {
	switch {
	case i.state == StateInit:
	case i.faulty() && i.state != StateFault:
		wasMaster := i.state == StateMaster
		i.state = StateFault
		a.log(i, "Entering FAULT STATE")
		if wasMaster {
			i.sendAdvert(a, 0)
			i.releaseVIPs(a)
			i.Stats.ReleaseMaster++
		}
		i.cancelAllTimers(a)
		*a = append(*a, Notify{State: StateFault, Priority: i.effPrio})
	case !i.faulty() && i.state == StateFault:
		i.masterAdverInt = i.cfg.wireInterval()
		i.enterBackup(a, now, "Entering BACKUP STATE")
	}
}

func (i *Instance) syncForce(a *actions, e SyncForce) {
	switch e.State {
	case StateFault:
		i.syncErr = true
		i.faultCheck(a, e.Now)
	case StateBackup:
		if i.syncErr {
			i.syncErr = false
			i.faultCheck(a, e.Now)
			return
		}
		if i.state == StateMaster {
			i.leaveMaster(a, e.Now)
		}
	case StateMaster:
		if i.state == StateBackup {
			i.becomeMaster(a, e.Now, false)
		}
	}
}

func (i *Instance) shutdown(a *actions) {
	if i.state == StateMaster {
		i.sendAdvert(a, 0)
		i.releaseVIPs(a)
	}
	i.cancelAllTimers(a)
	i.state = StateStop
	*a = append(*a, Notify{State: StateStop, Priority: i.effPrio})
}

// reload applies a new configuration. An instance whose identity is unchanged
// keeps its state (a MASTER sends no priority 0 and keeps its VIPs); a MASTER
// advertises at once, and sends GARPs only when its VIPs changed.
func (i *Instance) reload(a *actions, e Reload) {
	old := i.cfg
	i.cfg = e.Config
	i.basePrio = e.Config.Priority
	i.effPrio = i.computePriority()
	if !old.sameIdentity(&e.Config) {
		// A different virtual router: stop the old one and start afresh.
		if i.state == StateMaster {
			i.cfg = old
			i.sendAdvert(a, 0)
			i.releaseVIPs(a)
			i.cfg = e.Config
		}
		i.cancelAllTimers(a)
		i.state = StateInit
		i.masterAdverInt = i.cfg.wireInterval()
		i.start(a, e.Now)
		return
	}
	switch i.state {
	case StateMaster:
		removed := diffAddrs(old.allVIPs(), i.cfg.allVIPs())
		added := diffAddrs(i.cfg.allVIPs(), old.allVIPs())
		i.sendAdvert(a, i.effPrio)
		if len(removed) > 0 {
			*a = append(*a, DelVIPs{Addrs: removed})
			if old.NoAccept {
				*a = append(*a, FirewallDelVIPs{Addrs: removed})
			}
		}
		if len(added) > 0 && i.cfg.NoAccept {
			*a = append(*a, FirewallAddVIPs{Addrs: added})
		}
		// keepalived re-applies every VIP on reload (restoring any removed by
		// hand); the runner treats "already there" as success.
		a.log(i, "setting VIPs.")
		*a = append(*a, AddVIPs{Addrs: i.cfg.allVIPs()})
		if !vipsEqual(old.allVIPs(), i.cfg.allVIPs()) {
			i.gratuitous(a, i.cfg.GarpMasterRepeat)
		}
		i.setTimer(a, TimerAdvert, e.Now+i.cfg.wireInterval())
	case StateBackup:
		i.masterAdverInt = i.cfg.wireInterval()
		i.setTimer(a, TimerMasterDown, e.Now+i.MasterDownInterval())
	}
	// dont_track_primary may have changed.
	i.faultCheck(a, e.Now)
}

func diffAddrs(a, b []netip.Addr) []netip.Addr {
	var out []netip.Addr
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
