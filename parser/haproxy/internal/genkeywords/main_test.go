package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
)

// debianDoc is where Debian's haproxy package (make deps) installs HAProxy
// 2.6's configuration.txt.
const debianDoc = "/usr/share/doc/haproxy/configuration.txt.gz"

// The committed keywords_gen.go is exactly what the generator writes from
// the installed documentation.
func TestGenerated(t *testing.T) {
	if _, err := os.Stat(debianDoc); err != nil {
		testenv.Missing(t, "HAProxy documentation not installed: "+err.Error())
	}
	out := filepath.Join(t.TempDir(), "keywords_gen.go")
	if err := run(debianDoc, out); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../keywords_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("keywords_gen.go is not what genkeywords writes from %s: run go generate in parser/haproxy\n%s", debianDoc, firstDiff(got, want))
	}
}

// firstDiff shows the first differing line of got and want.
func firstDiff(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl []byte
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if !bytes.Equal(gl, wl) {
			return fmt.Sprintf("line %d:\n generated: %s\n committed: %s", i+1, gl, wl)
		}
	}
	return ""
}

func TestSignature(t *testing.T) {
	lines := []string{
		"bind [<address>]:<port_range> [, ...] [param*]",
		"maxconn <number>",
		"option httplog [ clf ]",
		"balance <algorithm> [ <arguments> ]",
		"daemon",
		"backlog <conns>",
	}
	for _, tc := range []struct {
		name     string
		usage    string
		min, max int
	}{
		{"maxconn", "maxconn <number>", 1, 1},
		{"option httplog", "option httplog [ clf ]", 0, -1},
		{"balance", "balance <algorithm> [ <arguments> ]", 1, -1},
		{"daemon", "daemon", 0, 0},
		{"back", "", 0, -1}, // a prefix of "backlog" is not its usage
		{"absent", "", 0, -1},
	} {
		usage, mn, mx := signature(lines, tc.name)
		if usage != tc.usage || mn != tc.min || mx != tc.max {
			t.Errorf("signature(%q) = %q, %d, %d; want %q, %d, %d", tc.name, usage, mn, mx, tc.usage, tc.min, tc.max)
		}
	}
}

func TestOptionAndFetchWords(t *testing.T) {
	options := []string{
		"5.1. Bind options", "-----------------",
		"accept-proxy",
		"  Enforces the use of the PROXY protocol.",
		"",
		"alpn <protocols>",
		"",
		"  This enables the TLS ALPN extension.",
		"alpn <again>",
		"  Listed once.",
		"notanoption",
		"Neither is this line.",
	}
	if got, want := optionWords(options), []string{"accept-proxy", "alpn"}; !slices.Equal(got, want) {
		t.Errorf("optionWords = %q, want %q", got, want)
	}
	fetches := []string{
		"src : ip",
		"  Returns the source address.",
		"hdr([<name>[,<occ>]]) : string",
		"  ACL derivatives :",
		"    hdr([<name>[,<occ>]])     : exact string match",
		"    hdr_beg([<name>[,<occ>]]) : prefix match",
		"",
		"    hdr_not_a_derivative : after the list",
		"src : ip",
	}
	if got, want := fetchWords(fetches), []string{"src", "hdr", "hdr_beg"}; !slices.Equal(got, want) {
		t.Errorf("fetchWords = %q, want %q", got, want)
	}
}

// A documentation without the headings the generator reads is an error,
// not an empty keyword list.
func TestMissingHeading(t *testing.T) {
	if _, err := generate("3. Global parameters\n   - daemon\n"); err == nil {
		t.Fatal("generate without section headings: no error")
	}
}
