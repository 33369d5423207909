package proxy

import (
	"time"

	"github.com/goha-lb/goha/proxy/stick"
)

// Stick counters, as HAProxy 2.6 keeps them for an HTTP stream: an
// http-request track-sc<n> holds an entry for the rest of the request
// (HTTP/1 keeps one stream per request), counts a connection on it
// (conn_cnt, conn_cur, conn_rate: stream_start_counters) and the request
// itself (http_req_cnt, http_req_rate); a denied or tarpitted request and
// a server's 4xx count an HTTP error, a server's 5xx other than 501 and
// 505 a failure; when the request ends the bytes of the exchange are
// added (bytes_in, bytes_out), conn_cur is released and the entry is
// dated now+expire.

// MaxStickCounters is HAProxy 2.6's MAX_SESS_STKCTR: sc0, sc1, sc2.
const MaxStickCounters = 3

// StickRule is the operands of a TrackSC, SCIncGPC or SCSetGPT rule.
type StickRule struct {
	SC    int          // the sticky counter
	Table *stick.Table // track-sc: the table tracked in
	// Key is track-sc's key, in the table's form (false: no key, the
	// rule does nothing).
	Key func(*RequestInfo) ([]byte, bool)
	// Type and Index are the counter sc-inc-gpc* increments (GPC0, GPC1,
	// or GPC with Index) or the tag sc-set-gpt* sets (GPT0, or GPT with
	// Index).
	Type  stick.DataType
	Index int
	// Value is sc-set-gpt*'s value (false: none, nothing is set).
	Value func(*RequestInfo) (int64, bool)
}

// tracking is a session's sticky counters and the tables fetches may name.
// sc are the request's (http-request track-sc), sess the connection's
// (tcp-request connection track-sc); HAProxy reads and counts on the
// request's counter n when it tracks, else on the connection's.
type tracking struct {
	sc     [MaxStickCounters]stick.Ref
	sess   [MaxStickCounters]stick.Ref
	tables map[string]*stick.Table
	own    *stick.Table
	// ended is set once the current request's end was counted (its log
	// line and the connection's end both end it); bytesCounted once its
	// bytes were, which comes before its log line (countTrackedBytes).
	ended, bytesCounted bool
	// beContent has bit n set while counter n, tracked by a backend's
	// content rules, awaits the request's count (backend_track.go).
	beContent uint8
}

// eff is the entry counter n counts on for this request.
func (tr *tracking) eff(n int) stick.Ref {
	if tr.sc[n].Valid() {
		return tr.sc[n]
	}
	return tr.sess[n]
}

// startSession counts the session on the connection's entries (sess_cnt,
// sess_rate: HAProxy counts a session once the connection is accepted).
func (tr *tracking) startSession() {
	now := StickNow()
	for _, ref := range tr.sess {
		if ref.Valid() {
			ref.AddPair(stick.SessCnt, stick.SessRate, 1, now)
		}
	}
}

// sessionRules runs the `tcp-request session` rules once the session
// begins, then counts the session on the connection's entries: the first
// accept or reject whose condition holds ends them. It returns true when
// a reject or a silent-drop ended the connection: the caller closes it
// (nothing logged, no session counted, as in HAProxy 2.6, where
// conn_complete_session fails before session_count_new). A reject counts
// a denied session (dses) and closes with a FIN; a silent-drop a denied
// request.
func (s *session) sessionRules() (dropped bool) {
	tr := s.info.track
	rules := s.fe.cfg.TCPSessRules
	if tr == nil && len(rules) == 0 {
		return false
	}
	s.info.Src = s.src
rules:
	for i := range rules {
		r := &rules[i]
		if r.Cond != nil && !r.Cond.Match(&s.info) {
			continue
		}
		switch {
		case r.Exec != nil:
			r.Exec(&s.info)
			s.info.endTransaction() // no stream yet: only sess variables stay
			s.takeAddrs()           // a set-src/set-dst (actions_addr.go)
		case r.Track != nil:
			trackConn(r.Track, &s.info)
		case r.Silent:
			s.fe.stats.deniedReq.Add(1)
			if s.c.TCPConn != nil {
				silence(s.c.TCPConn)
			}
			return true
		case r.Reject:
			s.fe.stats.deniedSess.Add(1)
			return true
		default: // accept: no further session rule
			break rules
		}
	}
	if tr != nil {
		tr.startSession()
	}
	return false
}

// release lets a connection's entries go (nil: none).
func (tr *tracking) release() {
	if tr != nil {
		releaseConn(&tr.sess)
	}
}

// beginRequest counts a request on the connection's entries (the
// request's own tracking counts it when it tracks).
func (tr *tracking) beginRequest() {
	tr.ended, tr.bytesCounted = false, false
	tr.countRequest()
}

// countRequest counts the request on the connection's entries.
func (tr *tracking) countRequest() {
	var now uint32
	for _, ref := range tr.sess {
		if ref.Valid() {
			if now == 0 {
				now = StickNow()
			}
			ref.AddPair(stick.HTTPReqCnt, stick.HTTPReqRate, 1, now)
		}
	}
}

// endSession releases the connection's entries (conn_cur) when it ends.
func (s *session) endSession() { s.info.track.release() }

var clockBase = time.Now()

// StickNow is the stick tables' clock: a wrapping millisecond tick, as
// HAProxy's now_ms (from the wall clock, advanced by the monotonic one).
func StickNow() uint32 {
	return uint32(clockBase.UnixMilli() + time.Since(clockBase).Milliseconds())
}

// Tracked is the entry sticky counter n tracks for this request.
func (r *RequestInfo) Tracked(n int) (stick.Ref, bool) {
	if r.track == nil || n < 0 || n >= MaxStickCounters {
		return stick.Ref{}, false
	}
	ref := r.track.eff(n)
	return ref, ref.Valid()
}

// StickTable is the table named name ("": the frontend's own), or nil.
func (r *RequestInfo) StickTable(name string) *stick.Table {
	if r.track == nil {
		return nil
	}
	if name == "" {
		return r.track.own
	}
	return r.track.tables[name]
}

// SetStickTables lets a RequestInfo built outside a session (tests,
// tools) see tables: own is the default one.
func (r *RequestInfo) SetStickTables(own *stick.Table, all map[string]*stick.Table) {
	r.track = &tracking{own: own, tables: all}
}

// runStickRule runs a TrackSC, SCIncGPC or SCSetGPT rule whose condition
// held.
func (s *session) runStickRule(r *HeaderRule) {
	st, tr := r.Stick, s.info.track
	if tr == nil {
		return
	}
	now := StickNow()
	switch r.Action {
	case TrackSC:
		// Only the first track-sc<n> of a request applies, and a
		// counter the connection tracks (tcp-request connection or
		// session) counts as tracked: HAProxy's stream starts with a
		// copy of the session's counters (measured on 2.6.12).
		if tr.eff(st.SC).Valid() {
			return
		}
		key, ok := st.Key(&s.info)
		if !ok {
			return
		}
		if ref, ok := st.Table.Track(key, now); ok {
			ref.AddPair(stick.HTTPReqCnt, stick.HTTPReqRate, 1, now)
			tr.sc[st.SC] = ref
		}
	case SCIncGPC:
		s.info.scCount(st, false)
	case SCSetGPT:
		s.info.scCount(st, true)
	}
}

// TrackContentExec is the Exec of a tcp-request content track-sc<n> of a
// TCP-mode frontend: the stream's counter n tracks the entry of its key
// unless it tracks one already (the connection's included), counting the
// connection on it (Table.Track); the stream's end counts its bytes and
// releases it (endTracking), as HAProxy's STKCTR_TRACK_CONTENT counters.
func TrackContentExec(st *StickRule) func(*RequestInfo) {
	return func(r *RequestInfo) {
		tr := r.track
		if tr == nil || tr.eff(st.SC).Valid() {
			return
		}
		key, ok := st.Key(r)
		if !ok {
			return
		}
		if ref, ok := st.Table.Track(key, StickNow()); ok {
			tr.sc[st.SC] = ref
		}
	}
}

// SCCounterExec is the Exec of an sc-inc-gpc* (set false) or sc-set-gpt*
// (set true) rule of the tcp-request and tcp-response rule sets: it acts
// on the entry sticky counter st.SC tracks at that stage (the
// connection's in connection and session rules, the stream's, which
// starts as a copy of the connection's, later), as HAProxy 2.6's
// action_inc_gpc*/action_set_gpt* do; nothing when it tracks none.
func SCCounterExec(st *StickRule, set bool) func(*RequestInfo) {
	return func(r *RequestInfo) { r.scCount(st, set) }
}

// scCount increments the counter or sets the tag st names on the entry
// sticky counter st.SC tracks.
func (r *RequestInfo) scCount(st *StickRule, set bool) {
	tr := r.track
	if tr == nil {
		return
	}
	ref := tr.eff(st.SC)
	if !ref.Valid() {
		return
	}
	now := StickNow()
	if !set {
		incGPC(ref, st.Type, st.Index, now)
		return
	}
	if v, ok := st.Value(r); ok {
		if st.Type == stick.GPT0 && !ref.Set(stick.GPT0, 0, uint64(v), now) {
			ref.Set(stick.GPT, 0, uint64(v), now) // gpt0 reads gpt[0] when only the array is stored
		} else if st.Type == stick.GPT {
			ref.Set(stick.GPT, st.Index, uint64(v), now)
		}
	}
}

// incGPC increments a general purpose counter and its rate: gpc0 and
// gpc1 fall back on elements 0 and 1 of the gpc array, as HAProxy 2.6's
// do. It returns the counter's new value (false: neither is stored).
func incGPC(ref stick.Ref, d stick.DataType, idx int, now uint32) (uint64, bool) {
	cnt, rate := stick.GPC, stick.GPCRate
	switch d {
	case stick.GPC0, stick.GPC1:
		idx = 0
		if d == stick.GPC1 {
			idx = 1
		}
		c, r := d, stick.GPC0Rate
		if d == stick.GPC1 {
			r = stick.GPC1Rate
		}
		if _, ok := ref.Table().Stores(c); ok {
			cnt, idx = c, 0
		}
		if _, ok := ref.Table().Stores(r); ok {
			rate = r
		}
	}
	ref.Add(rate, rateIdx(rate, idx), 1, now)
	ok := ref.Add(cnt, idx, 1, now)
	ref.Touch(now)
	if !ok {
		_, okRate := ref.Table().Stores(rate)
		return 0, okRate
	}
	v, _ := ref.Value(cnt, idx, now)
	return v, true
}

func rateIdx(rate stick.DataType, idx int) int {
	if rate == stick.GPCRate {
		return idx
	}
	return 0
}

// countHTTPError counts an HTTP error (a 4xx: deny, tarpit, a server's)
// or failure (a server's 5xx) on every tracked entry.
func (s *session) countHTTPStatus(status int, fromServer bool) {
	s.countStatusOn(-1, status, fromServer)
}

// countStatusOn is countHTTPStatus on the entry of sticky counter sc
// only (-1: every one).
func (s *session) countStatusOn(sc, status int, fromServer bool) {
	tr := s.info.track
	if tr == nil {
		return
	}
	cnt, rate := stick.HTTPErrCnt, stick.HTTPErrRate
	switch {
	case status >= 400 && status < 500:
	case fromServer && status >= 500 && status < 600 && status != 501 && status != 505:
		cnt, rate = stick.HTTPFailCnt, stick.HTTPFailRate
	default:
		return
	}
	now := StickNow()
	for i := range tr.sc {
		if ref := tr.eff(i); ref.Valid() && (sc < 0 || sc == i) {
			ref.AddPair(cnt, rate, 1, now)
		}
	}
}

// endTracking ends the request's sticky counters: its bytes are counted
// and the entries released.
func (s *session) endTracking() {
	s.countTrackedBytes()
	s.releaseTracked()
}

// countTrackedBytes adds the request's bytes to its tracked entries, once.
// HAProxy's stream_process_counters does so before the stream's log line,
// which may read them (sc0_bytes_in_cnt ...), and releases the request's
// own counters only after that line (stream_stop_content_counters): its
// log-format still reads sc0_* of them.
func (s *session) countTrackedBytes() {
	tr := s.info.track
	if tr == nil || tr.ended || tr.bytesCounted {
		return
	}
	tr.bytesCounted = true
	in := s.received
	if s.inHead > 0 { // an HTTP request: its HTX size and a tunnel's bytes, the figure %U logs (log.go)
		in = s.inHead + s.inBody + s.tl.tunnelIn
	}
	out := s.bytesOut() // as HAProxy counts them (bytes_count.go)
	if in <= 0 && out <= 0 {
		return
	}
	var now uint32
	clock := false // read once, when a counter needs it
	for i := range tr.sc {
		ref := tr.eff(i)
		if !ref.Valid() {
			continue
		}
		if !clock {
			now, clock = StickNow(), true
		}
		if in > 0 {
			ref.AddPair(stick.BytesInCnt, stick.BytesInRate, uint64(in), now)
		}
		if out > 0 {
			ref.AddPair(stick.BytesOutCnt, stick.BytesOutRate, uint64(out), now)
		}
	}
}

// releaseTracked releases the entries the request itself tracked and ends
// its counting.
func (s *session) releaseTracked() {
	tr := s.info.track
	if tr == nil || tr.ended {
		return
	}
	var now uint32
	clock := false
	for i := range tr.sc {
		if !tr.sc[i].Valid() {
			continue
		}
		if !clock {
			now, clock = StickNow(), true
		}
		tr.sc[i].Release(true, now)
		tr.sc[i] = stick.Ref{}
	}
	tr.ended, tr.beContent = true, 0
}

// refusedRequest counts a request that failed before its rules ran (bad,
// too big, timed out, or the connection closed during it) as HAProxy's
// http_wait_for_request counts it: in req_tot and ereq (hrsp_4xx with the
// status it logs), and on the stick counters (failedRequest).
func (s *session) refusedRequest() { s.refused(false) }

// refused is refusedRequest; preface: an HTTP/2 preface the H1 parser
// refuses (switchmode.go).
func (s *session) refused(preface bool) {
	s.fe.stats.requests.Add(1)
	countRate(&s.fe.stats, true)
	s.fe.stats.reqErrors.Add(1)
	s.countRefusedFirst(preface) // switchmode.go
	s.failedRequest()
}

// failedRequest counts a request that failed before its rules ran (bad,
// timed out, or the connection closed during it; not the wait for a next
// request) as a request and an HTTP error on the connection's entries,
// as HAProxy's http_wait_for_request does.
func (s *session) failedRequest() {
	tr := s.info.track
	if tr == nil {
		return
	}
	tr.beginRequest()
	now := StickNow()
	for _, ref := range tr.sess {
		if ref.Valid() {
			ref.AddPair(stick.HTTPErrCnt, stick.HTTPErrRate, 1, now)
		}
	}
}
