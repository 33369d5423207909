package tlsconf

import (
	"bytes"
	"encoding/hex"
	"sync"
)

// KeyLog collects the secrets crypto/tls writes to a tls.Config's
// KeyLogWriter ("<label> <client random> <secret>", NSS's key log
// format), per connection: the TLS 1.3 ones for tune.ssl.keylog's fetches
// (ssl_fc_client_handshake_traffic_secret and the like) with TLS13, the
// TLS 1.3 handshake ones for ssl_fc_unique_id with Handshake (kept, not
// given by those fetches), the TLS 1.2 master secret for
// ssl_fc_session_key with Master. A connection
// takes its own by its ClientHello's random once its handshake is over.
// Safe for the concurrent handshakes of one or more binds.
type KeyLog struct {
	// TLS13 keeps the TLS 1.3 traffic secrets (Secrets.Logged),
	// Handshake the TLS 1.3 handshake ones, Master the TLS 1.2 master
	// secret (CLIENT_RANDOM lines); other lines are dropped.
	TLS13, Handshake, Master bool

	mu sync.Mutex
	m  map[[32]byte]*Secrets
}

// Secrets are one connection's secrets, in lower-case hex as the key
// log writes them ("" when not logged or not kept).
type Secrets struct {
	ClientHandshake, ServerHandshake string
	ClientTraffic0, ServerTraffic0   string
	// Master is the TLS 1.2 master secret of a full handshake (crypto/tls
	// logs none on a resumed one).
	Master string
	// Logged: the TLS 1.3 secrets are there for tune.ssl.keylog on (the
	// key log's TLS13), and may be given by its fetches.
	Logged bool
}

// keyLogMax bounds the connections whose secrets wait to be taken: a
// handshake that fails after its secrets were logged leaves them, and
// its connection takes them (Take) only if it gets that far.
const keyLogMax = 1 << 16

// Write takes one key log line; lines of other labels are ignored.
func (k *KeyLog) Write(p []byte) (int, error) {
	f := bytes.Fields(p)
	if len(f) != 3 || !k.keeps(string(f[0])) {
		return len(p), nil
	}
	var cr [32]byte
	if n, err := hex.Decode(cr[:], f[1]); err != nil || n != 32 {
		return len(p), nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil || len(k.m) >= keyLogMax {
		k.m = map[[32]byte]*Secrets{}
	}
	s := k.m[cr]
	if s == nil {
		s = &Secrets{Logged: k.TLS13}
		k.m[cr] = s
	}
	v := string(f[2])
	switch string(f[0]) {
	case "CLIENT_HANDSHAKE_TRAFFIC_SECRET":
		s.ClientHandshake = v
	case "SERVER_HANDSHAKE_TRAFFIC_SECRET":
		s.ServerHandshake = v
	case "CLIENT_TRAFFIC_SECRET_0":
		s.ClientTraffic0 = v
	case "SERVER_TRAFFIC_SECRET_0":
		s.ServerTraffic0 = v
	case "CLIENT_RANDOM":
		s.Master = v
	}
	return len(p), nil
}

// keeps says whether the lines of label are kept.
func (k *KeyLog) keeps(label string) bool {
	switch label {
	case "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET":
		return k.TLS13 || k.Handshake
	case "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0":
		return k.TLS13
	case "CLIENT_RANDOM":
		return k.Master
	}
	return false
}

// Take removes and returns the secrets logged for the connection whose
// ClientHello had random (nil: none).
func (k *KeyLog) Take(random []byte) *Secrets {
	if k == nil || len(random) != 32 {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	cr := [32]byte(random)
	s := k.m[cr]
	delete(k.m, cr)
	return s
}
