// Package tlsconf turns HAProxy's TLS bind settings (crt files and
// directories, ssl-min-ver/ssl-max-ver and the no-tlsv1x/force-tlsv1x
// flags, ciphers, ciphersuites, alpn) into a crypto/tls server
// configuration, with HAProxy's certificate selection by SNI. Everything
// Go's crypto/tls cannot do as OpenSSL does is an error naming it, so the
// adapter can refuse it (fail closed). RSA keys sign through the
// system's OpenSSL 3 libcrypto when it loads (rsasign.go, internal/osslrsa).
// It also reads what HAProxy's TLS fetches give that crypto/tls does not
// expose, off the handshake's bytes and key log: the hellos' randoms
// (hellorandom.go), the secrets (keylog.go), the master secret of a
// resumed session (sessionkey.go, clientkeys.go), and the Finished
// messages (finished12.go, finished13.go).
package tlsconf
