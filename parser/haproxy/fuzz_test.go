package haproxy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{`bind :80 # c`, `"${A[*]}"x`, `'a'"b"\ c`, `\x4`, `"${A-def}"`, "a\x00b", `"$"`, `"unterminated`} {
		f.Add(s)
	}
	env := func(k string) (string, bool) { return "v1 v2", k == "A" }
	f.Fuzz(func(t *testing.T, line string) {
		words, err := Tokenize(line, env)
		if err != nil && (err.Pos < 1 || err.Pos > len(line)+1) {
			t.Fatalf("position %d out of range for %q", err.Pos, line)
		}
		if err == nil && len(words) > 0 && strings.ContainsAny(line, "\x00") {
			t.Fatalf("NUL accepted in %q", line)
		}
	})
}

// FuzzCheck runs the whole pre-pass, grammar and keyword layer: it must
// never panic, and every alert must turn into a non-zero exit, except the
// ones HAProxy prints without failing the check: "... Continuing." (a
// second user/uid or group/gid) and a named defaults section used both
// explicitly and implicitly.
func FuzzCheck(f *testing.F) {
	seeds, _ := filepath.Glob("../../testdata/haproxy/*.cfg")
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil && len(b) < 4096 {
			f.Add(b)
		}
	}
	f.Add([]byte("frontend\n"))
	f.Add([]byte(".if 1\n.elif\n.else\n.endif\n"))
	f.Add([]byte("listen l\n bind :1\n server a b:c\n use_backend x if { a b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res := CheckBytes("fuzz.cfg", data, func(string) (string, bool) { return "", false })
		if res.Exit != 0 {
			return
		}
		for _, d := range res.Diags.List {
			if d.Severity == Alert && !strings.HasSuffix(d.Text, " Continuing.") &&
				!strings.Contains(d.Text, "is explicitly referenced by another proxy and implicitly used here.") {
				t.Fatalf("alerts but exit 0: %+v", res.Diags.List)
			}
		}
	})
}
