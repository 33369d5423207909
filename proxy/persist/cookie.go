// Package persist is HAProxy 2.6's cookie persistence as pure functions:
// which server a request's persistence cookie designates, what is left of
// its Cookie headers for the server, what becomes of the server's
// Set-Cookie headers and which Set-Cookie the proxy adds, with the two
// characters the log's %tsc reports. No clock, no I/O: the caller passes
// the date in seconds.
package persist

// Mode is how the persistence cookie is produced (HAProxy's ck_opts).
type Mode uint8

const (
	// Passive: only read from requests (`cookie NAME` alone); the
	// server sets it.
	Passive Mode = iota
	// Rewrite: the server sets the cookie, the proxy replaces its value
	// with the server's cookie value.
	Rewrite
	// Insert: the proxy adds the cookie to responses.
	Insert
	// Prefix: the proxy prefixes the server's own cookie with
	// "<server cookie>~" and strips that prefix from requests.
	Prefix
)

// Cookie is a backend's `cookie` line.
type Cookie struct {
	Name                        string
	Mode                        Mode
	Indirect, NoCache, PostOnly bool
	Preserve, HTTPOnly, Secure  bool
	// Domain is every `domain` value joined as HAProxy emits them:
	// "a.example; domain=b.example" ("" = none).
	Domain string
	// Attrs is every `attr` value joined with "; " ("" = none).
	Attrs string
	// MaxIdle and MaxLife are in seconds (0 = not set).
	MaxIdle, MaxLife int64
}

// State is what the request's persistence cookie told (HAProxy's TX_CK_*),
// the third character of the log's %tsc.
type State uint8

const (
	NoCookie State = iota // N: none presented
	Invalid               // I: designates no server
	Down                  // D: its server is down (or it was redispatched)
	Valid                 // V: its server took the request
	Expired               // E: older than maxidle (or too far in the future)
	Old                   // O: older than maxlife (or too far in the future)
	Unused                // U: present but persistence was ignored or a server already assigned
)

// Char is the state's %tsc character.
func (s State) Char() byte { return "NIDVEOU"[s] }

// SetState is what became of the response's persistence cookie (HAProxy's
// TX_SCK_*), the fourth character of the log's %tsc.
type SetState uint8

const (
	NoSetCookie SetState = iota // N: none from the server, none inserted
	Found                       // P: the server's was left as it was
	Deleted                     // D: the server's was removed
	Inserted                    // I: the proxy inserted one
	Replaced                    // R: the server's was rewritten or prefixed
	Updated                     // U: the proxy refreshed the dates of a valid one
)

// Char is the state's %tsc character.
func (s SetState) Char() byte { return "NPDIRU"[s] }

// The delimiters HAProxy puts in persistence cookie values.
const (
	prefixDelim = '~' // prefix mode: SRV~VALUE
	dateDelim   = '|' // insert mode: SRV|last-seen|first-seen
)

const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// appendDate appends the low 30 bits of v as five base64 digits, most
// significant first: how HAProxy writes a cookie date (in 4-second units).
func appendDate(dst []byte, v int64) []byte {
	for i := 0; i < 5; i++ {
		dst = append(dst, b64[(v>>24)&0x3f])
		v <<= 6
	}
	return dst
}

// readDate decodes five digits written by appendDate; -1 when one is not
// a base64 digit.
func readDate(p []byte) int64 {
	var v int64
	for _, c := range p[:5] {
		var d int64
		switch {
		case c >= 'A' && c <= 'Z':
			d = int64(c - 'A')
		case c >= 'a' && c <= 'z':
			d = int64(c-'a') + 26
		case c >= '0' && c <= '9':
			d = int64(c-'0') + 52
		case c == '+':
			d = 62
		case c == '/':
			d = 63
		default:
			return -1
		}
		v = v<<6 + d
	}
	return v
}

func isSPHT(c byte) bool { return c == ' ' || c == '\t' }

// delValue removes h[from:next] from a header value, HAProxy's way: the
// delimiter at next replaces the one at from (or is eaten when from is the
// start), with one space after it when room allows, and the spaces around
// the old one dropped. It returns the value, the new from and the shift
// (<= 0) of what followed next.
func delValue(h []byte, from, next int) ([]byte, int, int) {
	end := len(h)
	prev := from
	if prev == 0 {
		if next < end {
			next++
		}
		for next < end && isSPHT(h[next]) {
			next++
		}
	} else {
		for isSPHT(h[prev-1]) {
			prev--
		}
		from = prev
		if next < end {
			h[prev] = h[next]
			prev++
			next++
			if prev+1 < next {
				h[prev] = ' '
				prev++
			}
			for next < end && isSPHT(h[next]) {
				next++
			}
		}
	}
	n := copy(h[prev:], h[next:end])
	return h[:prev+n], from, prev - next
}
