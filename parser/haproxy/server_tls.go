package haproxy

import (
	"encoding/pem"
	"fmt"
)

// The TLS options of server lines, checked with HAProxy 2.6's words.

// serverMissingArg is HAProxy's message for an option left without its
// value, as its own parser words it (the others say "'<option>' expects
// an argument.").
var serverMissingArg = map[string]string{
	"sni":           "'sni' : missing sni expression.",
	"alpn":          "'alpn' : missing the comma-delimited ALPN protocol suite.",
	"ciphers":       "'ciphers' : missing cipher suite.",
	"ciphersuites":  "'ciphersuites' : missing cipher suite.",
	"check-sni":     "'check-sni' : missing SNI.",
	"verifyhost":    "'verifyhost' : missing hostname to verify against.",
	"ssl-min-ver":   "'ssl-min-ver' : missing the ssl/tls version.",
	"ssl-max-ver":   "'ssl-max-ver' : missing the ssl/tls version.",
	"ca-file":       "'ca-file' : missing CAfile path.",
	"crl-file":      "'crl-file' : missing CRLfile path.",
	"crt":           "'crt' : missing certificate file path.",
	"resolve-net":   "'resolve-net' expects a list of networks..",
	"tcp-ut":        tcpUserTimeoutError("") + ".",
	"ws":            "'ws' has to be 'auto', 'h1' or 'h2'.", // (an empty word, HAProxy's check)
	"log-proto":     "'log-proto' expects one of 'legacy' or 'octet-count' but got ''.",
	"namespace":     "'namespace' : expects <name> as argument.",
	"socks4":        "'socks4' expects <addr>:<port> as argument..",
	"rise":          "'rise' expects an integer argument..",
	"fall":          "'fall' expects an integer argument..",
	"error-limit":   "'error-limit' expects an integer argument..",
	"id":            "'id' : expects an integer argument.",
	"port":          "'port' expects a port number as argument..",
	"agent-port":    "'agent-port' expects a port number as argument..",
	"agent-inter":   "'agent-inter' expects a delay as argument..",
	"addr":          "'addr' expects <ipv4|ipv6> as argument..",
	"observe":       "'observe' expects <mode> as argument..",
	"pool-max-conn": "'pool-max-conn' expects <value> as argument..",
	"max-reuse":     "'max-reuse' expects <value> as argument..",
	"on-error":      "'on-error' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got ''.",
}

// serverEmptyIsZero are the integer options HAProxy reads with atol()
// and no check for a missing word: left without one they are 0 (weight 0:
// no traffic; maxconn, maxqueue, minconn 0: their defaults, no limit).
var serverEmptyIsZero = map[string]bool{"weight": true, "maxconn": true, "maxqueue": true, "minconn": true}

// serverSSLVersion is ssl-min-ver and ssl-max-ver.
func serverSSLVersion(l *serverLine, o, v string) bool {
	switch v {
	case "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3":
	default:
		l.alert("'%s' : unknown ssl/tls version.", v)
		return false
	}
	l.opts.Other[o] = v
	return true
}

// serverSNI checks that the expression starts with a fetch HAProxy knows.
func serverSNI(l *serverLine, o, v string) bool {
	if name := fetchName(v); !fetchSet[name] {
		l.alert("error detected while parsing sni expression : unknown fetch method '%s'", name)
		return false
	}
	l.opts.Other[o] = v
	return true
}

// serverCAFile is ca-file and crl-file: under ca-base, a file holding at
// least one certificate or CRL.
func serverCAFile(l *serverLine, o, v string) bool {
	path := l.s.underBase("ca-base", v)
	why := ""
	if !l.s.lookups.readable(path) {
		why = "No such file or directory"
	} else if data, ok := l.s.lookups.readFile(path); ok && !hasCertOrCRL(data) {
		why = "no certificate or crl found"
	}
	if why != "" {
		l.alert("Couldn't open the ca-file '%s' (%s).", path, why)
		l.s.d.Raw(Alert, l.p.File, l.p.Line, fmt.Sprintf("config : '%s' : unable to load %s.", o, path))
		return false
	}
	l.opts.Other[o] = v
	return true
}

func hasCertOrCRL(data []byte) bool {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return false
		}
		if b.Type == "CERTIFICATE" || b.Type == "TRUSTED CERTIFICATE" || b.Type == "X509 CRL" {
			return true
		}
	}
}

// serverCrtProblem is HAProxy's post-parse message for a server's client
// certificate that cannot be loaded ("" = none).
func (s *state) serverCrtProblem(v string) string {
	path := s.underBase("crt-base", v)
	if !s.lookups.readable(path) {
		return fmt.Sprintf("unable to stat SSL certificate from file '%s' : No such file or directory.", path)
	}
	if data, ok := s.lookups.readFile(path); ok {
		if cert, _ := pemParts(data); cert != nil {
			return weakKeyProblem(path, data)
		}
		return fmt.Sprintf("unable to load certificate from file '%s'.", path)
	}
	return ""
}
