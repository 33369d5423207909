package haproxy

// RetryOn is a `retry-on` line: its keywords, as written.
type RetryOn struct {
	Pos   Pos
	Words []string
}

// retryOnWords are the keywords and status codes HAProxy 2.6 accepts.
var retryOnWords = map[string]bool{
	"none": true, "conn-failure": true, "empty-response": true, "junk-response": true,
	"response-timeout": true, "0rtt-rejected": true, "all-retryable-errors": true,
	"401": true, "403": true, "404": true, "408": true, "425": true,
	"500": true, "501": true, "502": true, "503": true, "504": true,
}

// retryOn checks a `retry-on` line with HAProxy's messages; each line
// replaces the previous one (not cumulative).
func (s *state) retryOn(px *Proxy, p Pos, w []string) {
	if len(w) < 2 {
		s.alert(p, "'retry-on' needs at least one keyword to specify when to retry")
		return
	}
	for _, a := range w[1:] {
		if !retryOnWords[a] {
			s.alert(p, "'retry-on': unknown keyword '%s'", a)
			return
		}
		if a == "none" && len(w) > 2 {
			s.alert(p, "'retry-on' 'none' keyworld only usable alone")
			return
		}
	}
	px.RetryOn = &RetryOn{Pos: p, Words: append([]string(nil), w[1:]...)}
}

// redispatchInterval is the argument of `option redispatch <interval>`,
// read as HAProxy reads it (atol: no digits is 0); -1 without one.
func redispatchInterval(w []string) int {
	if len(w) < 3 {
		return -1
	}
	n, _, _ := leadingInt(w[2])
	return n
}
