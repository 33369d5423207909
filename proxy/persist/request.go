package persist

// Server is what the cookie logic knows of one server of the backend, in
// declaration order.
type Server struct {
	Cookie string // `cookie` value ("" = none: never designated)
	Up     bool   // not down nor in maintenance (a draining server is up)
}

// Request is the transaction's persistence state, filled by Scan from the
// request's Cookie headers and read back when the response comes.
type Request struct {
	// Server is the index of the server the cookie designates and which
	// takes the request (-1: none; the balancer picks).
	Server int
	State  State
	// Direct: Server was chosen by the cookie (HAProxy's SF_DIRECT).
	Direct bool
	// LastDate and FirstDate are the cookie's dates in seconds (0: none).
	LastDate, FirstDate int64
	// Ignore: `ignore-persist` matched; cookies are neither read nor set.
	Ignore bool
}

// Facts are what Scan needs besides the headers.
type Facts struct {
	Servers []Server
	Now     int64 // Unix seconds
	// Ignore: an `ignore-persist` rule matched.
	Ignore bool
	// Persist: `option persist` or a matching `force-persist` rule: a
	// cookie designating a down server still sends the request there.
	Persist bool
}

// Scan reads every Cookie header value of a request (in order) as HAProxy
// 2.6 does for a backend with a persistence cookie, and returns the
// persistence state and the values the server receives: a value may be
// rewritten (spaces around '=' dropped, a prefix stripped, the cookie
// removed in insert+indirect mode); a nil entry means the header is
// removed. Values are modified in place.
func (c *Cookie) Scan(values [][]byte, f Facts) ([][]byte, Request) {
	r := Request{Server: -1, Ignore: f.Ignore}
	for i, v := range values {
		n := len(v)
		v = c.scanHeader(v, &f, &r)
		switch {
		case len(v) == n:
		case len(v) == 0:
			values[i] = nil
			continue
		}
		values[i] = v
	}
	return values, r
}

// scanHeader is one Cookie header value; it returns what is left of it.
func (c *Cookie) scanHeader(h []byte, f *Facts, r *Request) []byte {
	delFrom := -1
	preserve := false
	end := len(h)
	var next int
	for prev, first := 0, true; prev < end; prev, first = next, false {
		var attBeg, attEnd, equal, valBeg, valEnd int
		attBeg, attEnd, equal, valBeg, valEnd, next = scanPair(h, prev, end, first)
		// RFC2109 attributes ($Path...) go with the cookie before them.
		if attBeg < end && h[attBeg] == '$' {
			continue
		}
		if equal == next { // no '=': not ours, kept
			preserve = true
			h, next, end, delFrom = c.dropMarked(h, delFrom, prev, next, end)
			continue
		}
		// Spaces around '=' are dropped for every cookie.
		if attEnd != equal || valBeg > equal+1 {
			valBeg, valEnd, next, end = squeezeEqual(h, attEnd, equal, valBeg, valEnd, next, end)
		}
		if attEnd-attBeg != len(c.Name) || string(h[attBeg:attEnd]) != c.Name {
			// Not ours: kept, and one marked for removal before it goes.
			preserve = true
			h, next, end, delFrom = c.dropMarked(h, delFrom, prev, next, end)
			continue
		}
		delim := c.designator(h, valBeg, valEnd, r)
		delim = c.checkDates(delim, valBeg, f.Now, r)
		c.pick(string(h[valBeg:delim]), delim == valBeg, f, r)
		switch {
		case c.Mode == Prefix && delim != valEnd:
			// The server gets its own cookie back without our prefix.
			copy(h[valBeg:], h[delim+1:end])
			d := valBeg - (delim + 1)
			next += d
			end += d
			delFrom = -1
			preserve = true
		case delFrom < 0 && c.Mode == Insert && c.Indirect:
			delFrom = prev
		}
	}
	if delFrom >= 0 {
		if preserve {
			end = delFrom
		} else {
			end = 0
		}
	}
	return h[:end]
}

// dropMarked removes the cookie marked for removal (from delFrom to
// prev, the delimiter before the cookie being kept), if any, and returns
// the value, next and end shifted, and no mark.
func (c *Cookie) dropMarked(h []byte, delFrom, prev, next, end int) ([]byte, int, int, int) {
	if delFrom < 0 {
		return h, next, end, -1
	}
	h, _, d := delValue(h[:end], delFrom, prev)
	return h, next + d, end + d, -1
}

// designator finds where the server's part of the value ends, and reads
// the dates of an insert-mode value (SRV|last|first).
func (c *Cookie) designator(h []byte, valBeg, valEnd int, r *Request) int {
	if c.Mode == Prefix {
		d := valBeg
		for d < valEnd && h[d] != prefixDelim {
			d++
		}
		return d
	}
	bar := -1
	for i := valBeg; i < valEnd; i++ {
		if h[i] == dateDelim {
			bar = i
			break
		}
	}
	if bar < 0 {
		return valEnd
	}
	delim := bar
	bar++
	if valEnd-bar >= 5 {
		if v := readDate(h[bar:]); v > 0 {
			r.LastDate = date32(v)
		}
	}
	for i := bar; i < valEnd; i++ {
		if h[i] == dateDelim {
			if valEnd-i > 5 {
				if v := readDate(h[i+1:]); v > 0 {
					r.FirstDate = date32(v)
				}
			}
			break
		}
	}
	return delim
}

// date32 turns a decoded date (4-second units) into seconds the way
// HAProxy stores it, in a signed 32-bit int: a date past 2038 wraps
// negative (and then counts as long expired, or as needing a refresh).
func date32(v int64) int64 { return int64(int32(uint32(v) << 2)) }

// checkDates applies maxlife then maxidle: a cookie too old, or dated more
// than a day ahead, is treated as absent.
func (c *Cookie) checkDates(delim, valBeg int, now int64, r *Request) int {
	switch {
	case r.FirstDate != 0 && c.MaxLife != 0 && (now-r.FirstDate > c.MaxLife || r.FirstDate-now > 86400):
		r.State = Old
	case r.LastDate != 0 && c.MaxIdle != 0 && (now-r.LastDate > c.MaxIdle || r.LastDate-now > 86400):
		r.State = Expired
	default:
		return delim
	}
	r.FirstDate, r.LastDate = 0, 0
	return valBeg
}

// pick looks for the first server whose cookie is id: a running one, or
// any with persist; an empty id designates none.
func (c *Cookie) pick(id string, empty bool, f *Facts, r *Request) {
	found := false
	if !empty && !f.Ignore && r.Server < 0 {
		for i, s := range f.Servers {
			if s.Cookie == "" || s.Cookie != id {
				continue
			}
			if s.Up || f.Persist {
				r.State = Valid
				if !s.Up {
					r.State = Down
				}
				r.Server, r.Direct, found = i, true, true
				break
			}
			r.State = Down // and look further: another may share the id
		}
	}
	if !found && r.State == NoCookie {
		r.State = Invalid
		if f.Ignore || r.Server >= 0 {
			r.State = Unused
		}
	}
}
