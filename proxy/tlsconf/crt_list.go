package tlsconf

import (
	"crypto/tls"
	"fmt"
	"os"
	"strings"
)

// ListEntry is one line of a crt-list file:
//
//	<crtfile> [[<ssl option> ...]] [[!]<sni filter> ...]
//
// The filters replace the certificate's own names for SNI selection;
// "!name" excludes a name a wildcard of the same line would cover.
type ListEntry struct {
	Line    int
	Crt     string            // under crt-base
	Options map[string]string // option -> value ("" for flags)
	Filters []string
}

// listOptions are the crt-list options goha honours, and whether they
// take a value; HAProxy's others (allow-0rtt, ca-verify-file,
// npn, no-ca-names) are refused.
var listOptions = map[string]bool{
	"alpn": true, "ca-file": true, "ciphers": true, "ciphersuites": true, "crl-file": true,
	"curves": true, "ecdhe": true, "ssl-min-ver": true, "ssl-max-ver": true, "verify": true,
}

// LoadCrtList reads a crt-list file; relative certificate paths are
// under crtBase, relative ca-file/crl-file under caBase, as HAProxy does.
func LoadCrtList(path, crtBase, caBase string) ([]ListEntry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("crt-list %s: %v", path, err)
	}
	l, err := ParseCrtList(string(data), crtBase, caBase)
	if err != nil {
		return nil, fmt.Errorf("crt-list %s: %v", path, err)
	}
	return l, nil
}

// ParseCrtList reads the text of a crt-list (see LoadCrtList).
func ParseCrtList(text, crtBase, caBase string) ([]ListEntry, error) {
	var out []ListEntry
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		e, err := parseListLine(line, crtBase, caBase)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", i+1, err)
		}
		e.Line = i + 1
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no certificate")
	}
	return out, nil
}

func parseListLine(line, crtBase, caBase string) (ListEntry, error) {
	e := ListEntry{Options: map[string]string{}}
	words := strings.Fields(line)
	e.Crt = under(crtBase, words[0])
	rest := words[1:]
	if len(rest) > 0 && strings.HasPrefix(rest[0], "[") {
		// The options run to the word ending with "]" ("[alpn h2]" or
		// "[ alpn h2 ]").
		var opts []string
		closed := false
		for len(rest) > 0 {
			w := rest[0]
			rest = rest[1:]
			if strings.HasSuffix(w, "]") {
				w, closed = strings.TrimSuffix(w, "]"), true
			}
			w = strings.TrimPrefix(w, "[")
			if w != "" {
				opts = append(opts, w)
			}
			if closed {
				break
			}
		}
		if !closed {
			return e, fmt.Errorf("missing ']'")
		}
		for i := 0; i < len(opts); i++ {
			o := opts[i]
			withValue, ok := listOptions[o]
			if !ok {
				return e, fmt.Errorf("crt-list option %s is not supported by goha", o)
			}
			v := ""
			if withValue {
				if i+1 >= len(opts) {
					return e, fmt.Errorf("'%s' : missing value", o)
				}
				i++
				v = opts[i]
			}
			if o == "ca-file" || o == "crl-file" {
				v = under(caBase, v)
			}
			e.Options[o] = v
		}
	}
	e.Filters = rest
	return e, nil
}

func under(base, name string) string {
	if base == "" || strings.HasPrefix(name, "/") {
		return name
	}
	return base + "/" + name
}

// withList adds the crt-list entries to the bind's store: each entry
// gets the bind's settings with its own options over them, and the store
// answers GetConfigForClient with them.
func (b Bind) withList(cfg *tls.Config, st *Store) (*tls.Config, error) {
	for _, e := range b.List {
		eb := b
		eb.List = nil
		for o, v := range e.Options {
			switch o {
			case "alpn":
				eb.ALPN = v
			case "ca-file":
				eb.CAFile = v
			case "crl-file":
				eb.CRLFile = v
			case "ciphers":
				eb.Ciphers = v
			case "ciphersuites":
				eb.CipherSuites = v
			case "curves", "ecdhe":
				eb.Curves = v
			case "verify":
				eb.Verify = v
			case "ssl-min-ver":
				eb.Versions.Min = v
			case "ssl-max-ver":
				eb.Versions.Max = v
			}
		}
		conf, err := eb.base()
		if err != nil {
			return nil, fmt.Errorf("crt-list line %d: %v", e.Line, err)
		}
		certs, err := LoadCrt(e.Crt)
		if err != nil {
			return nil, err
		}
		b.warn(certs)
		for i := range certs {
			c := &certs[i]
			conf := conf.Clone()
			conf.Certificates = []tls.Certificate{c.TLS}
			names := c.Names
			if len(e.Filters) > 0 {
				names = e.Filters
			}
			st.Add(&c.TLS, names, conf)
		}
	}
	if st.def == nil {
		return nil, fmt.Errorf("no certificate")
	}
	cfg.GetCertificate = st.Get
	cfg.GetConfigForClient = st.ConfigFor
	return cfg, nil
}
