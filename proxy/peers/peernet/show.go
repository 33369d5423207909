package peernet

import (
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goha-lb/goha/proxy/peers"
)

// Counts returns how many peer sessions exist (being made or running:
// HAProxy's ActivePeers) and how many are established (ConnectedPeers).
func (n *Node) Counts() (active, connected int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, rp := range n.peersInOrder() {
		if rp.conn != nil || rp.dialing {
			active++
		}
		if rp.conn != nil {
			connected++
		}
	}
	return active, connected
}

// peersInOrder lists the peers, the local one included, as HAProxy's
// peers->remote list holds them: the last declared first.
func (n *Node) peersInOrder() []*remotePeer {
	names := n.cfg.Order
	if len(names) == 0 {
		for name := range n.remote {
			names = append(names, name)
		}
		sort.Strings(names)
		names = append(names, n.cfg.Local)
	}
	var out []*remotePeer
	for i := len(names) - 1; i >= 0; i-- {
		if names[i] == n.cfg.Local {
			out = append(out, n.local)
		} else if rp := n.remote[names[i]]; rp != nil {
			out = append(out, rp)
		}
	}
	return out
}

// ShowPeers appends the section's part of HAProxy 2.6's "show peers"
// (peers_dump_head and peers_dump_peer): the section's resync flags and
// deadline, then per peer its status, timers, counters, session and
// shared tables. Pointers are this process's own; task_calls counts the
// section's resync ticks. tableNames maps a wire table name to the
// table's name in "show table" (missing: the wire name).
func (n *Node) ShowPeers(b []byte, section string, now time.Time, tableNames map[string]string) []byte {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.resync.Tick(now)
	lc := n.started.Local()
	timeout := "<NEVER>"
	if t := n.resync.Timeout(); !t.IsZero() {
		timeout = untilText(t, now)
	}
	b = fmt.Appendf(b, "%p: [%02d/%s/%04d:%02d:%02d:%02d] id=%s disabled=0 flags=0x%x resync_timeout=%s task_calls=%d\n",
		n, lc.Day(), lc.Month().String()[:3], lc.Year(), lc.Hour(), lc.Minute(), lc.Second(),
		section, n.resync.Flags(), timeout, n.ticks)
	for _, rp := range n.peersInOrder() {
		b = n.showPeer(b, rp, now, tableNames)
	}
	return b
}

func (n *Node) showPeer(b []byte, rp *remotePeer, now time.Time, tableNames map[string]string) []byte {
	kind, active := "remote", "inactive"
	if rp == n.local {
		kind = "local"
	}
	if rp.conn != nil || rp.dialing {
		active = "active"
	}
	host, port, _ := net.SplitHostPort(rp.addr)
	if host == "" {
		host = "0.0.0.0"
	}
	st := &rp.stats
	hs := "<NEVER>"
	if !st.lastHandshake.IsZero() {
		hs = humanTime(now.Sub(st.lastHandshake))
	}
	b = fmt.Appendf(b, "  %p: id=%s(%s,%s) addr=%s:%s last_status=%s last_hdshk=%s\n",
		rp, rp.name, kind, active, host, port, peers.StatusName(rp.status), hs)
	sc := st.session
	reconnect, heartbeat := "<NEVER>", "<NEVER>"
	switch {
	case rp.conn != nil && !sc.NextReconnect.IsZero():
		reconnect, heartbeat = untilText(sc.NextReconnect, now), untilText(sc.NextHeartbeat, now)
	case !rp.reconnect.IsZero():
		reconnect = untilText(rp.reconnect, now)
	}
	b = fmt.Appendf(b, "        reconnect=%s heartbeat=%s confirm=%d tx_hbt=%d rx_hbt=%d no_hbt=%d new_conn=%d proto_err=%d coll=%d\n",
		reconnect, heartbeat, sc.Confirms, st.txHbt+sc.TxHeartbeats, st.rxHbt+sc.RxHeartbeats, st.noHbt, st.newConn,
		st.protoErr+sc.ProtoErrors, st.coll)
	flags := sc.Flags
	if st.teachComplete {
		flags |= peers.PeerFlagTeachComplete
	}
	if n.resync.NotUp2Date(rp.name) {
		flags |= peers.PeerFlagNotUp2Date
	}
	b = fmt.Appendf(b, "        flags=0x%x", flags)
	if rp.conn != nil {
		b = fmt.Appendf(b, " appctx:%p st0=%d st1=0 task_calls=%d state=EST", rp.conn, sc.State, n.ticks)
		if st.accepted != nil {
			b = fmt.Appendf(b, "\n        xprt=RAW src=%s addr=%s", st.accepted.src, st.accepted.dst)
		}
	}
	byID := map[uint64]peers.TableCounters{}
	for _, t := range sc.Tables {
		byID[t.LocalID] = t
	}
	name := func(t peers.TableCounters) string {
		if s, ok := tableNames[t.Name]; ok {
			return s
		}
		return t.Name
	}
	if t, ok := byID[sc.RemoteTable]; ok && rp.conn != nil {
		b = fmt.Appendf(b, "\n        remote_table:%p id=%s local_id=%d remote_id=%d", tablePtr(rp, t.LocalID), name(t), t.LocalID, t.RemoteID)
	}
	if t, ok := byID[sc.LastLocalTable]; ok && rp.conn != nil {
		b = fmt.Appendf(b, "\n        last_local_table:%p id=%s local_id=%d remote_id=%d", tablePtr(rp, t.LocalID), name(t), t.LocalID, t.RemoteID)
	}
	tables := n.tableCounters(rp)
	if len(tables) > 0 {
		b = append(b, "\n        shared tables:"...)
	}
	for i := len(tables) - 1; i >= 0; i-- {
		t := tables[i]
		b = fmt.Appendf(b, "\n          %p local_id=%d remote_id=%d flags=0x%x remote_data=0x%x", tablePtr(rp, t.LocalID), t.LocalID, t.RemoteID, t.Flags, t.RemoteData)
		b = fmt.Appendf(b, "\n              last_acked=%d last_pushed=%d last_get=%d teaching_origin=%d update=%d",
			t.LastAcked, t.LastPushed, t.LastGet, t.TeachingOrigin, t.Update)
		b = fmt.Appendf(b, "\n              table:%p id=%s update=%d localupdate=%d commitupdate=%d refcnt=1",
			n.cfg.Tables[t.LocalID-1], name(t), t.LocalUpdate, t.LocalUpdate, n.commitUpdate(t.LocalID))
		b = append(b, "\n        Dictionary cache not dumped (use \"show peers dict\")"...)
	}
	return append(b, '\n')
}

// tableCounters returns the peer's shared tables: the live session's, or
// what is kept between sessions.
func (n *Node) tableCounters(rp *remotePeer) []peers.TableCounters {
	if rp.conn != nil && len(rp.stats.session.Tables) == len(n.cfg.Tables) {
		return rp.stats.session.Tables
	}
	out := make([]peers.TableCounters, len(n.cfg.Tables))
	for i, t := range n.cfg.Tables {
		d := t.Def()
		out[i] = peers.TableCounters{LocalID: uint64(i + 1), Name: d.Name, LocalUpdate: t.LastUpdate()}
		if i < len(rp.acked) {
			out[i].Update = rp.acked[i]
			out[i].LastPushed = rp.acked[i]
		}
	}
	return out
}

// commitUpdate is HAProxy's table->commitupdate: the highest update
// pushed to any peer.
func (n *Node) commitUpdate(id uint64) uint32 {
	var c uint32
	for _, rp := range n.peersInOrder() {
		for _, t := range rp.stats.session.Tables {
			if t.LocalID == id && int32(t.LastPushed-c) > 0 {
				c = t.LastPushed
			}
		}
	}
	return c
}

// tablePtr stands for HAProxy's shared_table pointer: one per peer and
// table, stable for the process's life.
func tablePtr(rp *remotePeer, id uint64) *int {
	for len(rp.tablePtrs) < int(id) {
		rp.tablePtrs = append(rp.tablePtrs, new(int))
	}
	return rp.tablePtrs[id-1]
}

// untilText prints a deadline as HAProxy does: "<PAST>" once expired,
// else the time left.
func untilText(t, now time.Time) string {
	if !now.Before(t) {
		return "<PAST>"
	}
	return humanTime(t.Sub(now))
}

// humanTime is HAProxy's human_time at second resolution: at most two
// units among d, h, m, s, "0s" for nothing.
func humanTime(d time.Duration) string {
	t := int(d / time.Second)
	if t < 0 {
		return "?"
	}
	var sb strings.Builder
	cnt := 2
	const minute, hour, day = 60, 3600, 86400
	if t >= day {
		sb.WriteString(strconv.Itoa(t/day) + "d")
		cnt--
	}
	if cnt > 0 && t%day/hour != 0 {
		sb.WriteString(strconv.Itoa(t%day/hour) + "h")
		cnt--
	}
	if cnt > 0 && t%hour/minute != 0 {
		sb.WriteString(strconv.Itoa(t%hour/minute) + "m")
		cnt--
	}
	if (cnt > 0 && t%minute != 0) || t == 0 {
		sb.WriteString(strconv.Itoa(t%minute) + "s")
	}
	return sb.String()
}
