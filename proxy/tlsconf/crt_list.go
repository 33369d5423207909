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

// withList makes the bind serve its crt-list's entries: each entry gets
// the bind's settings with its own options over them, and the store
// answers GetConfigForClient with them.
func (b Bind) withList(r *Registry, st *Store) error {
	l, err := r.loadList(b.ListPath, b.List)
	if err != nil {
		return err
	}
	return r.serveList(l, b, st)
}

// entryConf is the bind's settings with a crt-list line's options over
// them (without the certificate).
func (b Bind) entryConf(opts map[string]string) (*tls.Config, error) {
	eb := b
	eb.List = nil
	for o, v := range opts {
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
	cfg, _, err := eb.base() // ignore-err options are refused with crt-list
	return cfg, err
}

// ParseListLine reads one crt-list line given to `add ssl crt-list` in
// a payload (no base directories apply).
func ParseListLine(line string) (ListEntry, error) {
	if strings.TrimSpace(line) == "" {
		return ListEntry{}, fmt.Errorf("empty line")
	}
	return parseListLine(strings.TrimSpace(line), "", "")
}

// serveList makes a bind serve every entry of a crt-list (or of a crt
// directory) and records the bind with the list, for later updates.
func (r *Registry) serveList(l *crtList, b Bind, st *Store) error {
	lb := listBind{b: b, st: st}
	for _, e := range l.entries {
		if err := r.serveEntry(lb, e); err != nil {
			return err
		}
	}
	l.binds = append(l.binds, lb)
	return nil
}
