package haproxy

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// knownDifferences lists golden cases whose messages goha does not (yet)
// reproduce exactly, with the reason. Their mismatches are logged, not
// failed; a listed case that starts matching fails so the list stays honest.
var knownDifferences = map[string]string{
	"feat-bind-fd":      "HAProxy checks 'bind fd@N' against the process's real descriptors at parse time; goha does not touch descriptors in the parser",
	"lex-cond-feature":  "deliberate: feature() answers for goha's own build (+OPENSSL but no +LUA ... until it works), not Debian HAProxy's",
	"quirk-acl-no-name": "HAProxy 2.6 prints an unterminated message (\"character '\" and no newline) for 'acl' without a name; goha prints a proper one",
}

var msgRE = regexp.MustCompile(`^\[(ALERT|WARNING|NOTICE|DIAG)\] +\((?:PID|\d+)\) : (.*)$`)
var posRE = regexp.MustCompile(`\[([^\[\]]+:\d+)\]`)

type goldenMsg struct {
	sev, pos, text string
}

func (m goldenMsg) String() string { return fmt.Sprintf("%s %s %q", m.sev, m.pos, m.text) }

// parseOutput extracts the comparable parts of haproxy -c output.
func parseOutput(out string) (msgs []goldenMsg, valid bool) {
	for _, l := range strings.Split(out, "\n") {
		if l == "Configuration file is valid" {
			valid = true
		}
		m := msgRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		text := m[2]
		if strings.HasPrefix(text, "haproxy version is ") || strings.HasPrefix(text, "path to executable is ") ||
			strings.HasPrefix(text, "goha: ") {
			continue
		}
		pos := ""
		if p := posRE.FindStringSubmatch(text); p != nil {
			pos = p[1]
		}
		msgs = append(msgs, goldenMsg{m[1], pos, text})
	}
	return msgs, valid
}

// caseArgs reads "# goha-args:" and "# goha-env:" lines of a case.
func caseArgs(t *testing.T, cfg string) (paths []string, env map[string]string, quiet, diag bool, opts CheckOptions) {
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	paths = []string{cfg}
	env = map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		l := strings.TrimSuffix(sc.Text(), "\r")
		if a, ok := strings.CutPrefix(l, "# goha-args: "); ok {
			f := strings.Fields(a)
			for i := 0; i < len(f); i++ {
				if f[i] == "-q" {
					quiet = true
				}
				if f[i] == "-dD" {
					diag = true
				}
				if f[i] == "-L" && i+1 < len(f) {
					opts.LocalPeer = f[i+1]
					i++
				}
				if f[i] == "-f" && i+1 < len(f) {
					paths = append(paths, f[i+1])
					i++
				}
			}
		}
		if e, ok := strings.CutPrefix(l, "# goha-env: "); ok {
			k, v, _ := strings.Cut(e, "=")
			env[k] = v
		}
	}
	return paths, env, quiet, diag, opts
}

// render prints a result the way gohaproxy -c does (stderr then stdout).
func render(res *Result, quiet, diag bool) string {
	var b bytes.Buffer
	if quiet {
		return ""
	}
	pr := &Printer{W: &b, PID: 0, Version: Version + "-goha", Executable: "gohaproxy", ShowDiag: diag}
	for _, d := range res.Diags.List {
		pr.Print(d)
	}
	for _, l := range res.Stdout {
		b.WriteString(l + "\n")
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	dir, err := filepath.Abs("../../testdata/haproxy")
	if err != nil {
		t.Fatal(err)
	}
	cases, _ := filepath.Glob(filepath.Join(dir, "*.cfg"))
	if len(cases) == 0 {
		t.Skip("no golden corpus in testdata/haproxy")
	}
	t.Chdir(dir)
	for _, full := range cases {
		name := strings.TrimSuffix(filepath.Base(full), ".cfg")
		t.Run(name, func(t *testing.T) {
			golden, err := os.ReadFile(name + ".golden")
			if err != nil {
				t.Skip("no golden file")
			}
			first, rest, _ := strings.Cut(string(golden), "\n")
			wantExit, err := strconv.Atoi(strings.TrimPrefix(first, "exit: "))
			if err != nil {
				t.Fatalf("bad golden header %q", first)
			}
			paths, env, quiet, diag, opts := caseArgs(t, name+".cfg")
			res := CheckWith(paths, func(k string) (string, bool) {
				if k == "PATH" {
					return os.Getenv("PATH"), true
				}
				v, ok := env[k]
				return v, ok
			}, opts)
			wantMsgs, wantValid := parseOutput(rest)
			gotMsgs, gotValid := parseOutput(render(res, quiet, diag))
			var problems []string
			if res.Exit != wantExit {
				problems = append(problems, fmt.Sprintf("exit %d, want %d", res.Exit, wantExit))
			}
			if gotValid != wantValid {
				problems = append(problems, fmt.Sprintf("valid=%v, want %v", gotValid, wantValid))
			}
			for i := 0; i < len(wantMsgs) || i < len(gotMsgs); i++ {
				var w, g goldenMsg
				if i < len(wantMsgs) {
					w = wantMsgs[i]
				}
				if i < len(gotMsgs) {
					g = gotMsgs[i]
				}
				if w != g {
					problems = append(problems, fmt.Sprintf("message %d:\n   got %v\n  want %v", i, g, w))
				}
			}
			reason, known := knownDifferences[name]
			switch {
			case len(problems) > 0 && known:
				t.Logf("known difference (%s):\n%s", reason, strings.Join(problems, "\n"))
			case len(problems) > 0:
				t.Errorf("%s", strings.Join(problems, "\n"))
			case known:
				t.Errorf("listed in knownDifferences (%s) but now matches: remove it", reason)
			}
		})
	}
}
