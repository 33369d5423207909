// Package tlsconf turns HAProxy's TLS bind settings (crt files and
// directories, ssl-min-ver/ssl-max-ver and the no-tlsv1x/force-tlsv1x
// flags, ciphers, ciphersuites, alpn) into a crypto/tls server
// configuration, with HAProxy's certificate selection by SNI. Everything
// Go's crypto/tls cannot do as OpenSSL does is an error naming it, so the
// adapter can refuse it (fail closed). RSA keys sign through the
// system's OpenSSL 3 libcrypto when it loads (rsasign.go, internal/osslrsa).
package tlsconf
