package tlsconf

import (
	"crypto/tls"
	"fmt"
	"strings"
)

// openSSLNames maps OpenSSL's TLS 1.0-1.2 cipher names to Go's suites. A
// name missing here is one Go does not implement (DHE-*, CCM, ARIA,
// CAMELLIA, PSK ...), or an OpenSSL alias (HIGH, ECDHE+AESGCM ...).
var openSSLNames = map[string]uint16{
	"ECDHE-ECDSA-AES128-GCM-SHA256": tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-RSA-AES128-GCM-SHA256":   tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-ECDSA-AES256-GCM-SHA384": tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-RSA-AES256-GCM-SHA384":   tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-ECDSA-CHACHA20-POLY1305": tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	"ECDHE-RSA-CHACHA20-POLY1305":   tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	"ECDHE-ECDSA-AES128-SHA256":     tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
	"ECDHE-RSA-AES128-SHA256":       tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
	"ECDHE-ECDSA-AES128-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
	"ECDHE-RSA-AES128-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	"ECDHE-ECDSA-AES256-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
	"ECDHE-RSA-AES256-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	"AES128-GCM-SHA256":             tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
	"AES256-GCM-SHA384":             tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
	"AES128-SHA256":                 tls.TLS_RSA_WITH_AES_128_CBC_SHA256,
	"AES128-SHA":                    tls.TLS_RSA_WITH_AES_128_CBC_SHA,
	"AES256-SHA":                    tls.TLS_RSA_WITH_AES_256_CBC_SHA,
	"DES-CBC3-SHA":                  tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
	"ECDHE-RSA-DES-CBC3-SHA":        tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA,
}

// OpenSSLName is the OpenSSL name of a Go suite (ssl_fc_cipher, %sslc).
func OpenSSLName(id uint16) string {
	for n, v := range openSSLNames {
		if v == id {
			return n
		}
	}
	switch id {
	case tls.TLS_AES_128_GCM_SHA256:
		return "TLS_AES_128_GCM_SHA256"
	case tls.TLS_AES_256_GCM_SHA384:
		return "TLS_AES_256_GCM_SHA384"
	case tls.TLS_CHACHA20_POLY1305_SHA256:
		return "TLS_CHACHA20_POLY1305_SHA256"
	}
	return tls.CipherSuiteName(id)
}

// Ciphers reads a `ciphers` list (TLS 1.0-1.2) into Go suite IDs. Only
// explicit suite names are taken; "!name" and "-name" remove one. Any
// alias, rule or name Go cannot do is an error naming it: OpenSSL would
// offer suites Go cannot, or expand a rule differently.
func Ciphers(list string) ([]uint16, error) {
	var out []uint16
	var bad []string
	for _, w := range splitList(list) {
		drop := strings.HasPrefix(w, "!") || strings.HasPrefix(w, "-")
		name := strings.TrimLeft(w, "!-")
		id, ok := openSSLNames[name]
		switch {
		case !ok:
			bad = append(bad, w)
		case drop:
			out = remove(out, id)
		case !contains(out, id):
			out = append(out, id)
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("ciphers %s: not a cipher Go's TLS implements (or an OpenSSL rule goha does not expand)", strings.Join(bad, ":"))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("ciphers %q: no cipher left", list)
	}
	return out, nil
}

// tls13All are the TLS 1.3 suites of Go, which it always offers.
var tls13All = []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}

// CipherSuites checks a `ciphersuites` list (TLS 1.3): Go offers exactly
// its three suites and cannot restrict them, so only a list naming all
// three (in any order) is honoured.
func CipherSuites(list string) error {
	got := map[string]bool{}
	for _, w := range splitList(list) {
		got[w] = true
	}
	for _, n := range tls13All {
		if !got[n] {
			return fmt.Errorf("ciphersuites %s: Go's TLS 1.3 always offers %s", list, strings.Join(tls13All, ":"))
		}
	}
	if len(got) != len(tls13All) {
		return fmt.Errorf("ciphersuites %s: Go's TLS 1.3 offers only %s", list, strings.Join(tls13All, ":"))
	}
	return nil
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == ',' || r == ' ' })
}

func contains(l []uint16, id uint16) bool {
	for _, v := range l {
		if v == id {
			return true
		}
	}
	return false
}

func remove(l []uint16, id uint16) []uint16 {
	out := l[:0]
	for _, v := range l {
		if v != id {
			out = append(out, v)
		}
	}
	return out
}

// CipherIDName is OpenSSL 3.0's name of a cipher suite by its IANA id,
// any suite OpenSSL knows, usable or not (ssl_fc_cipherlist_str); false
// for an id it does not know (GREASE values among them).
func CipherIDName(id uint16) (string, bool) {
	n, ok := openSSLCipherIDs[id]
	return n, ok
}

// CipherBits is a cipher suite's symmetric key size in bits, read from
// its OpenSSL name (0: unknown), as the *_use_keysize and *_alg_keysize
// fetches give it.
func CipherBits(suite uint16) int {
	n := OpenSSLName(suite)
	switch {
	case strings.Contains(n, "AES128") || strings.Contains(n, "AES_128"):
		return 128
	case strings.Contains(n, "AES256") || strings.Contains(n, "AES_256") || strings.Contains(n, "CHACHA20"):
		return 256
	case strings.Contains(n, "DES-CBC3"):
		return 168
	}
	return 0
}
