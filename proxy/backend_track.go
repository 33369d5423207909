package proxy

import "github.com/goha-lb/goha/proxy/stick"

const (
	// TrackSCContent is a backend's tcp-request content track-sc<n>
	// (Stick): tracked as TrackSC is, but the request is counted on it
	// (http_req_cnt, http_req_rate) only once the backend's content rules
	// ran (CountContentTracks), as HAProxy 2.6's stream_inc_be_http_req_ctr
	// does at the start of the backend's http-request processing: a
	// content rule after it still reads the count before this request.
	TrackSCContent RuleAction = 1200 + iota
	// CountContentTracks follows a backend's content rules: it counts the
	// request on the entries they tracked.
	CountContentTracks
	// CountFrontendRequest follows an HTTP frontend's content rules (its
	// track-sc<n> there are TrackSCContent): it counts the request on
	// every entry the stream tracks, the connection's included, as
	// HAProxy 2.6's stream_inc_http_req_ctr does once the request
	// analysers start, after the frontend's content rules: a content rule
	// reads the counts before this request, an http-request rule after
	// it (TestContentTrackCountsMatchHAProxy).
	CountFrontendRequest
)

// countsAfterContent says whether rules (a frontend's RequestRules) count
// the request after their content rules (CountFrontendRequest).
func countsAfterContent(rules []HeaderRule) bool {
	for i := range rules {
		if rules[i].Action == CountFrontendRequest {
			return true
		}
	}
	return false
}

// countFrontendRequest runs a CountFrontendRequest rule.
func (s *session) countFrontendRequest() {
	if tr := s.info.track; tr != nil {
		tr.countRequest()
	}
	s.countContentTracks()
}

// trackContent runs a TrackSCContent rule whose condition held.
func (s *session) trackContent(r *HeaderRule) {
	st, tr := r.Stick, s.info.track
	if tr == nil || tr.eff(st.SC).Valid() {
		return
	}
	key, ok := st.Key(&s.info)
	if !ok {
		return
	}
	if ref, ok := st.Table.Track(key, StickNow()); ok {
		tr.sc[st.SC] = ref
		tr.beContent |= 1 << st.SC
	}
}

// countContentTracks counts the request on the entries the backend's
// content rules tracked.
func (s *session) countContentTracks() {
	tr := s.info.track
	if tr == nil || tr.beContent == 0 {
		return
	}
	now := StickNow()
	for i := range tr.sc {
		if tr.beContent&(1<<i) != 0 && tr.sc[i].Valid() {
			tr.sc[i].AddPair(stick.HTTPReqCnt, stick.HTTPReqRate, 1, now)
		}
	}
	tr.beContent = 0
}
