package haproxy

import "fmt"

// genCertsCA checks the CA of a `bind ... ssl generate-certificates` as
// HAProxy loads it once the configuration is read (ssl_sock_load_ca):
// ca-sign-file, under ca-base, must hold a certificate and its key (or a
// ".key" file beside it). true: refused (alerted).
func (s *state) genCertsCA(px *Proxy, b Bind) bool {
	if _, gen := b.Options["generate-certificates"]; !gen || !b.SSL {
		return false
	}
	file, ok := b.Options["ca-sign-file"]
	if !ok {
		s.d.Raw(Alert, "", 0, fmt.Sprintf("config : Proxy '%s': cannot enable certificate generation, no CA certificate File configured at [%s:%d].",
			px.Name, b.Pos.File, b.Pos.Line))
		return true
	}
	file = s.underBase("ca-base", file)
	problem := ""
	if !s.lookups.readable(file) {
		problem = fmt.Sprintf("cannot open the file '%s'.", file)
	} else if data, ok := s.lookups.readFile(file); ok {
		problem = certFileProblem(file, file+".key", data, s.lookups.readFile)
	}
	if problem != "" {
		// HAProxy's loader ends its message with a newline, and the
		// alert adds one: an empty line follows.
		s.d.Raw(Alert, "", 0, fmt.Sprintf("config : Proxy '%s': Failed to read CA certificate file '%s' at [%s:%d]. Chain loading failed: %s\n",
			px.Name, file, b.Pos.File, b.Pos.Line, problem))
		return true
	}
	return false
}
