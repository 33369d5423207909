package haproxycfg

// preferClientWhy says why `prefer-client-ciphers` (a bind option, or in
// ssl-default-bind-options) is refused: with it OpenSSL takes the
// client's first suite the bind allows (measured on HAProxy 2.6:
// TLS_AES_256_GCM_SHA384 for openssl s_client's default order), while
// Go's crypto/tls picks by its own order in TLS 1.3, which it does not
// let a server restrict or reorder, and ignores the server's order in
// TLS 1.2 (PreferServerCipherSuites is gone).
const preferClientWhy = ": OpenSSL then takes the client's first suite the bind allows; Go's crypto/tls picks TLS 1.3 suites by its own order (AES-128-GCM first, ChaCha20 when the client prefers it), which cannot be changed"

// optionWhy is the reason appended to the notice of an unsupported bind
// option o ("" when the class table's word suffices).
func optionWhy(o string) string {
	if o == "prefer-client-ciphers" {
		return preferClientWhy
	}
	return ""
}
