package keepalived

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"sort"
	"strings"
)

// DefaultConfigFile is keepalived's default -f.
const DefaultConfigFile = "/etc/keepalived/keepalived.conf"

// Options are the inputs of a lint. Interfaces is injected (the lint never
// reads the host) so that tests and `-t` agree.
type Options struct {
	File       string
	ConfigID   string   // -i; keepalived's default is the hostname up to the first dot
	Interfaces []string // names of existing network interfaces
	RandomSeed uint64   // seeds ${_RANDOM}
	// Data, when not nil, is the content of File (includes are still read
	// from the file system, relative to File's directory).
	Data []byte
	// FileMode stats a script's program (ok false: missing or inaccessible);
	// keepalived drops missing scripts and, with enable_script_security,
	// insecure ones. nil: look at the file system.
	FileMode func(path string) (mode fs.FileMode, ok bool)
	// UserExists says whether a system user exists (keepalived_script, the
	// default script user). nil: look up the user database.
	UserExists func(name string) bool
	// AllowUnsupported is the operator's override (--allow-unsupported,
	// GOHA_ALLOW_UNSUPPORTED=1): unsupported features become warnings and
	// no longer fail the lint.
	AllowUnsupported bool
}

func (o *Options) defaults() {
	if o.File == "" {
		o.File = DefaultConfigFile
	}
	if o.FileMode == nil {
		o.FileMode = func(p string) (fs.FileMode, bool) {
			st, err := os.Stat(p)
			if err != nil {
				return 0, false
			}
			return st.Mode(), true
		}
	}
	if o.UserExists == nil {
		o.UserExists = func(n string) bool {
			_, err := user.Lookup(n)
			return err == nil
		}
	}
}

// Result is the outcome of Lint.
type Result struct {
	Config *Config
	// IPVS is the checker side (virtual_server, virtual_server_group) after
	// keepalived's checks, typed for `-t`'s messages only: gokeepalived does
	// not run IPVS (the runtime reports every virtual_server as unsupported).
	IPVS        *IPVSConfig
	Diagnostics []Diagnostic
	ExitCode    int // keepalived -t's exit status
	// LintExitCode is gokeepalived -t's exit status: ExitCode, except that a
	// named file that could not be read fails the lint with 4 where
	// keepalived 2.2.7 exits 0.
	LintExitCode int
}

// ExitUnsupported is gokeepalived -t's exit status for a file keepalived
// accepts but which uses a feature gokeepalived does not run (keepalived's
// own, non-zero, status wins when it has one).
const ExitUnsupported = 1

// DefaultConfigID is keepalived's default config-id: the host name up to the
// first dot.
func DefaultConfigID() string {
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	h, _, _ = strings.Cut(h, ".")
	return h
}

// Lint parses and checks a configuration like `keepalived -t -f FILE`.
func Lint(opts Options) *Result {
	opts.defaults()
	p := runPrepass(opts)
	diags := append([]Diagnostic(nil), p.diags...)
	// The pre-pass lines go straight to the keyword walker (tree.go); see
	// the package doc for why no grammar sits between them.
	lines := p.lines
	for i := range lines {
		if len(lines[i].Tokens) > 0 {
			// A line is where its first word is (its leading blanks are not).
			lines[i].Pos = lines[i].Tokens[0].Pos
		}
		lines[i].seq = i
	}
	t := newTyper(opts)
	var ipvs *IPVSConfig // the checker process's virtual servers
	netNamespace := false
	childFrom, childDiagsFrom := len(diags), 0
	// keepalived parses the file once per process; each parse activates only
	// its own root keywords. The parent's parse types global_defs.
	// keepalived 2.2.7's -t reads the checker's blocks (and completes
	// them) before the VRRP ones, then BFD's: a VRRP-side exit still
	// shows the checker's messages, a checker-side exit hides the VRRP's
	// (seen with keepalived -t).
	for _, g := range []procGroup{grpGlobal, grpCheck, grpVRRP, grpBFD} {
		g := g
		nodes, d := buildTree(lines, func(k *Keyword) bool { return k.Block != "root" || k.Group == g })
		if t.aborted {
			break
		}
		switch g {
		case grpGlobal:
			for _, n := range nodes {
				if n.Name() == "net_namespace" {
					netNamespace = true
				}
				if n.Name() == "global_defs" {
					t.globalDefs(n.Children)
				} else if !n.Keyword.Honoured() {
					t.unsupported(n)
				}
			}
		case grpVRRP:
			t.vrrpTree(nodes)
		default:
			if g == grpCheck {
				ipvs = t.ipvs(nodes)
			}
			for _, n := range nodes {
				t.unsupported(n)
				t.checkerScripts(n)
			}
		}
		// keepalived types as it reads: after an exit, later lines were never read
		for _, x := range d {
			if !t.aborted || x.seq <= t.abortSeq {
				diags = append(diags, x)
			}
		}
		if g == grpGlobal {
			childFrom, childDiagsFrom = len(diags), len(t.diags)
		}
		if t.aborted {
			continue
		}
		switch g {
		case grpCheck:
			t.completeIPVS(ipvs)
			if t.checkScripts && !t.cfg.Global.EnableScriptSecurity {
				t.add(Pos{}, ClassSecurity, "add `enable_script_security` to global_defs",
					"SECURITY VIOLATION - check scripts are being executed but script_security not enabled.")
			}
		case grpVRRP:
			t.complete()
		}
	}
	if p.blockDepth > 0 {
		diags = append(diags, Diagnostic{Severity: SevError, Class: ClassMissingEOB,
			Message: fmt.Sprintf("There are %d missing '}'s or extra '{'s", p.blockDepth),
			Hint:    "every block opened with '{' needs a matching '}'"})
	}
	if netNamespace {
		// keepalived 2.2.7's -t with net_namespace reports nothing of the
		// VRRP, checker and BFD parses (seen: a missing interface, priority
		// 300 and a missing script all pass with exit 0). gokeepalived
		// still shows them, as its own notices.
		quiet(diags[childFrom:])
		quiet(t.diags[childDiagsFrom:])
	}
	diags = append(diags, t.diags...)
	diags = addTypoHints(dedupe(diags))
	sortStable(diags)
	r := &Result{Config: t.cfg, IPVS: ipvs, Diagnostics: diags, ExitCode: ExitCode(diags)}
	r.LintExitCode = r.ExitCode
	if p.unreadable && r.LintExitCode == 0 {
		r.LintExitCode = 4
	}
	if r.LintExitCode == 0 && RefusesStart(diags) {
		// keepalived would run this file; gokeepalived would run it
		// without a feature, so it refuses it (issue 16: fail closed).
		r.LintExitCode = ExitUnsupported
	}
	return r
}

// addTypoHints suggests the nearest known keyword for unknown ones.
func addTypoHints(diags []Diagnostic) []Diagnostic {
	var names []string
	hinted := 0
	for i, d := range diags {
		if d.Class != ClassUnknownKeyword || d.Hint != "" {
			continue
		}
		// a file of garbage has thousands of unknown words: hint the first ones
		if hinted++; hinted > 100 {
			break
		}
		w := strings.TrimSuffix(strings.TrimPrefix(d.Message, "Unknown keyword '"), "'")
		if names == nil {
			names = allKeywordNames(rootTable)
		}
		best, bestD := "", 3
		for _, n := range names {
			if len(n) > len(w)+2 || len(w) > len(n)+2 {
				continue
			}
			if dd := editDistance(w, n); dd < bestD {
				best, bestD = n, dd
			}
		}
		if best != "" && best != w {
			diags[i].Hint = fmt.Sprintf("did you mean '%s'?", best)
		}
	}
	return diags
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			c = min(c, prev[j]+1, cur[j-1]+1)
			cur[j] = c
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// MessageSet returns the distinct keepalived-visible message lines of a
// result with "(FILE: Line N)" normalised to "(Line N)" (goha-only notices
// and hints excluded): the form the golden tests compare.
func MessageSet(diags []Diagnostic) []string {
	seen := map[string]bool{}
	for _, d := range diags {
		if d.GohaOnly {
			continue
		}
		s := d.Message
		if d.Line > 0 {
			s = fmt.Sprintf("(Line %d) %s", d.Line, d.Message)
		}
		seen[s] = true
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// quiet turns diagnostics keepalived does not print into goha notices.
func quiet(diags []Diagnostic) {
	for i := range diags {
		diags[i].GohaOnly = true
	}
}
