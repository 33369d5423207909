package tlsconf

import (
	"crypto/tls"
	"fmt"
	"strings"
)

// curveNames maps OpenSSL's group names (short and NIST aliases) to Go's
// curves; the others (brainpool, X448, ffdhe*, secp256k1 ...) Go lacks.
var curveNames = map[string]tls.CurveID{
	"X25519": tls.X25519, "x25519": tls.X25519,
	"P-256": tls.CurveP256, "prime256v1": tls.CurveP256, "secp256r1": tls.CurveP256,
	"P-384": tls.CurveP384, "secp384r1": tls.CurveP384,
	"P-521": tls.CurveP521, "secp521r1": tls.CurveP521,
}

// Curves reads a `curves` list (or an `ecdhe` curve) into Go's curve
// preferences, in order; a group Go cannot do is an error naming it.
func Curves(list string) ([]tls.CurveID, error) {
	var out []tls.CurveID
	var bad []string
	for _, w := range strings.Split(list, ":") {
		id, ok := curveNames[w]
		if !ok {
			bad = append(bad, w)
			continue
		}
		out = append(out, id)
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("curves %s: not a group Go's TLS implements", strings.Join(bad, ":"))
	}
	return out, nil
}
