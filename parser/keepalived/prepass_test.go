package keepalived

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// lexLines runs the pre-pass over src and renders each logical line as its
// words joined by "|", prefixed with the line number.
func lexLines(t *testing.T, file, src, id string) ([]string, []Diagnostic) {
	t.Helper()
	p := runPrepass(Options{File: file, Data: []byte(src), ConfigID: id})
	var out []string
	for _, l := range p.lines {
		w := []string{strconv.Itoa(l.Pos.Line)}
		for _, tk := range l.Tokens {
			w = append(w, tk.Text)
		}
		out = append(out, strings.Join(w, "|"))
	}
	return out, p.diags
}

func TestPrepassLines(t *testing.T) {
	tests := []struct {
		name, src, id string
		want          []string
	}{
		{"comments anywhere", "priority 100#x\nstate BACKUP ! c\n# whole\n", "",
			[]string{"1|priority|100", "2|state|BACKUP"}},
		{"slashslash is not a comment", "state BACKUP\t\t//\n", "", []string{"1|state|BACKUP|//"}},
		{"brace on same line splits", "vrrp_instance VI_1 {\n}\n", "", []string{"1|vrrp_instance|VI_1", "1|{", "2|}"}},
		{"values and braces on one line", "virtual_ipaddress { 1.2.3.4/24 }\n", "",
			[]string{"1|virtual_ipaddress", "1|{", "1|1.2.3.4/24", "1|}"}},
		{"quotes keep blanks and hide comment chars", "script \"/bin/echo a#b\"\n", "",
			[]string{"1|script|/bin/echo a#b"}},
		{"escaped hash", "x a\\#b\n", "", []string{"1|x|a#b"}},
		{"definition and use", "$IF=ens160\ninterface $IF\ninterface ${IF}x\n", "",
			[]string{"2|interface|ens160", "3|interface|ens160x"}},
		{"undefined stays", "interface $NOPE\n", "", []string{"1|interface|$NOPE"}},
		{"multi-line definition", "$BLK=a 1 \\\n  b 2\n$BLK\n", "", []string{"3|a|1", "3|b|2"}},
		{"conditional", "@lb1 priority 100\n@^lb1 priority 50\n", "lb1", []string{"1|priority|100"}},
		{"conditional other id", "@lb1 priority 100\n@^lb1 priority 50\n", "lb2", []string{"2|priority|50"}},
		{"seq", "~SEQ(i,1,2,5) ip 10.0.0.$i\n", "", []string{"1|ip|10.0.0.1", "1|ip|10.0.0.3", "1|ip|10.0.0.5"}},
		{"seq one arg", "~SEQ(i,3) n $i\n", "", []string{"1|n|1", "1|n|2", "1|n|3"}},
		{"seqx", "~SEQx(i,9,11) n $i\n", "", []string{"1|n|9", "1|n|a", "1|n|b"}},
		{"lst", "~LST(v,a,b) n $v\n", "", []string{"1|n|a", "1|n|b"}},
		{"lst multi", "~LST({x,y},{1,2},{3,4}) n $x $y\n", "", []string{"1|n|1|2", "1|n|3|4"}},
		{"builtin bang", "x ${_BANG}\n", "", []string{"1|x|!"}},
		{"crlf", "state BACKUP\r\n", "", []string{"1|state|BACKUP"}},
		{"nul ends the line", "state BACKUP\x00junk\npriority 1\n", "", []string{"1|state|BACKUP", "2|priority|1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := lexLines(t, "t.conf", tc.src, tc.id)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestPrepassMessages(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"extra brace", "}\n", "Extra '}' found"},
		{"unterminated quote", "x \"abc\n", "Unterminated quote 'x \"abc'"},
		{"unmatched quote", "x \"abc\n", "Unmatched quote: 'x \"abc'"},
		{"bad seq", "~SEQ(i) x\n", "Invalid ~SEQ definition '~SEQ(i) x'"},
		{"bad seq values", "~SEQ(i,1,-1,5) x\n", "Invalid ~SEQ values '~SEQ(i,1,-1,5) x'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := lexLines(t, "t.conf", tc.src, "")
			for _, d := range diags {
				if d.Message == tc.want && d.Line == 1 {
					return
				}
			}
			t.Errorf("no %q in %v", tc.want, diags)
		})
	}
}

func TestIncludes(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "inc", "sub"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "main.conf"), []byte("a 1\ninclude inc/{x,y}.conf\nb 2\ninclude inc/none*.conf\ninclude inc/missing.conf\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "inc", "x.conf"), []byte("x 1\ninclude sub/z.conf\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "inc", "y.conf"), []byte("y 1\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "inc", "sub", "z.conf"), []byte("z 1\ninclude ../x.conf\n"), 0o644))
	p := runPrepass(Options{File: filepath.Join(dir, "main.conf")})
	var words []string
	for _, l := range p.lines {
		words = append(words, filepath.Base(l.Pos.File)+":"+l.Tokens[0].Text)
	}
	got := strings.Join(words, " ")
	// x -> z -> x -> z -> x (refused: the third time on the include stack)
	want := "main.conf:a x.conf:x z.conf:z x.conf:x z.conf:z y.conf:y main.conf:b"
	if got != want {
		t.Errorf("lines %q, want %q", got, want)
	}
	var loop, missing bool
	for _, d := range p.diags {
		if strings.Contains(d.Message, "open problem (Too many open files)") {
			loop = true
		}
		if d.Message == "Config files missing 'inc/missing.conf'." {
			missing = true
		}
		if strings.Contains(d.Message, "none*") {
			t.Errorf("a pattern without match must be silent: %v", d)
		}
	}
	if !loop || !missing {
		t.Errorf("loop=%v missing=%v in %v", loop, missing, p.diags)
	}
}

func TestIncludeVariants(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		kw   string
		rc   int
		msgs []string
	}{
		{"include", 0, []string{"(Line 2) Config files missing 'none.conf'."}},
		{"includer", 0, []string{"(Line 2) Config files missing 'none.conf'."}},
		{"includem", 6, []string{"(Line 2) Config files missing 'none.conf'."}},
		{"includew", 6, []string{"(Line 1) No config files matched 'none*.conf'.", "(Line 2) Config files missing 'none.conf'."}},
		{"includea", 6, []string{"(Line 1) No config files matched 'none*.conf'.", "(Line 2) Config files missing 'none.conf'."}},
	}
	for _, c := range cases {
		src := c.kw + " none*.conf\n" + c.kw + " none.conf\n"
		r := Lint(Options{File: filepath.Join(dir, "x.conf"), Data: []byte(src)})
		got := MessageSet(r.Diagnostics)
		if r.ExitCode != c.rc || strings.Join(got, "|") != strings.Join(c.msgs, "|") {
			t.Errorf("%s: rc %d msgs %q, want %d %q", c.kw, r.ExitCode, got, c.rc, c.msgs)
		}
	}
}

// include_check levels and the include messages as keepalived 2.2.7 printed
// them for the same files (probed with keepalived -t in a namespace).
func TestIncludeCheck(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.conf"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	includes := "include nodir/g-*.conf\ninclude no-*.conf\ninclude {a,zz}.conf\n"
	missingDir := "(Line 4) Config files missing 'nodir/g-*.conf'."
	noMatch := "(Line 5) No config files matched 'no-*.conf'."
	someMissing := `(Line 6) Some config files missing: "{a,zz}.conf".`
	cases := []struct {
		check string
		rc    int
		msgs  []string
	}{
		{"", 0, []string{missingDir, someMissing}},
		{"include_check", 6, []string{missingDir, noMatch, someMissing}},
		{"include_check match", 6, []string{missingDir, someMissing}},
		{"include_check wildcard_match", 6, []string{missingDir, noMatch, someMissing}},
		{"include_check +match -wildcard_match", 6, []string{missingDir, someMissing}},
		{"include_check brace_match", 6, []string{missingDir, someMissing}},
		{"include_check -match", 0, []string{missingDir, someMissing}},
		{"include_check bogus", 5, []string{"(Line 2) Unknown include_check type 'bogus' - ignoring", missingDir, someMissing}},
	}
	for _, c := range cases {
		src := "global_defs {\n" + c.check + "\n}\n" + includes
		r := Lint(Options{File: filepath.Join(dir, "x.conf"), Data: []byte(src)})
		got := MessageSet(r.Diagnostics)
		if r.ExitCode != c.rc || strings.Join(got, "|") != strings.Join(c.msgs, "|") {
			t.Errorf("%q: rc %d msgs %q, want %d %q", c.check, r.ExitCode, got, c.rc, c.msgs)
		}
	}
}

// The include_check level of a file is restored when an included file that
// changed it ends.
func TestIncludeCheckRestoredAfterInclude(t *testing.T) {
	dir := t.TempDir()
	inner := "global_defs {\ninclude_check\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "inner.conf"), []byte(inner), 0o644); err != nil {
		t.Fatal(err)
	}
	r := Lint(Options{File: filepath.Join(dir, "x.conf"), Data: []byte("include inner.conf\ninclude none.conf\n")})
	if r.ExitCode != 0 {
		t.Errorf("rc %d, want 0 (include_check of inner.conf must not leak): %q", r.ExitCode, MessageSet(r.Diagnostics))
	}
}

func TestExpandBraces(t *testing.T) {
	got := strings.Join(expandBraces("a{b,c{d,e}}f{1,2}"), " ")
	want := "abf1 abf2 acdf1 acdf2 acef1 acef2"
	if got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

// Inputs on which keepalived loops or explodes end with a notice instead.
func TestExpansionBudget(t *testing.T) {
	for _, src := range []string{
		"~SEQ(i,1,100000) ~SEQ(j,1,100000) x $i $j\n",
		"$A=x \\\n$A\n$A\n",
	} {
		r := Lint(Options{File: "x", Data: []byte(src)})
		found := false
		for _, d := range r.Diagnostics {
			if d.GohaOnly && strings.Contains(d.Message, "expansion stopped after") {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: no budget notice", src)
		}
	}
	// $A=$A$A doubles on every substitution: the line length cap stops it
	r := Lint(Options{File: "x", Data: []byte("$A=$A$A\nx $A\n")})
	if r.ExitCode != 5 {
		t.Errorf("exit %d", r.ExitCode)
	}
}
