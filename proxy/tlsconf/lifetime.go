package tlsconf

import (
	"crypto/tls"
	"encoding/binary"
	"time"
)

// DefaultLifetime is how long a TLS session resumes without
// tune.ssl.lifetime: OpenSSL's default session timeout, which HAProxy
// 2.6 keeps when the setting is not given (measured: its tickets' lifetime
// hint is 7200 s; Go's own limit is 7 days).
const DefaultLifetime = 7200 * time.Second

// sessionLifetime makes cfg's server refuse to resume a session created
// more than d ago (tune.ssl.lifetime; 0: DefaultLifetime): such a ticket
// gives a full handshake, as OpenSSL's session timeout does. Tickets are
// sealed and opened with cfg's keys whichever copy of cfg (a crt-list
// line's, a per-handshake clone) serves the handshake, so that they open
// the same everywhere.
func sessionLifetime(cfg *tls.Config, d time.Duration) {
	if d <= 0 {
		d = DefaultLifetime
	}
	cfg.WrapSession = cfg.EncryptTicket
	cfg.UnwrapSession = func(identity []byte, cs tls.ConnectionState) (*tls.SessionState, error) {
		ss, err := cfg.DecryptTicket(identity, cs)
		if ss == nil || err != nil {
			return ss, err
		}
		if created, ok := sessionCreated(ss); !ok || expired(created, time.Now(), d) {
			return nil, nil // not resumed: a full handshake
		}
		return ss, nil
	}
}

// expired is OpenSSL's session timeout check, in whole seconds as its
// session times are: a session created at second c has expired at second
// n when n - c > d.
func expired(created, now time.Time, d time.Duration) bool {
	return now.Unix()-created.Unix() > int64(d/time.Second)
}

// sessionCreated is the time a session was created, which crypto/tls
// keeps in its encoding after the version, type and cipher suite (it
// exports no field for it).
func sessionCreated(ss *tls.SessionState) (time.Time, bool) {
	b, err := ss.Bytes()
	if err != nil || len(b) < 13 {
		return time.Time{}, false
	}
	return time.Unix(int64(binary.BigEndian.Uint64(b[5:13])), 0), true
}
