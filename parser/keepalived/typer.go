package keepalived

import (
	"fmt"
	"io/fs"
	"net/netip"
	"strings"
	"time"
)

// typer turns block trees into a Config, reporting in keepalived's words.
type typer struct {
	cfg     *Config
	opts    Options
	diags   []Diagnostic
	aborted bool
	// abortSeq is the line where keepalived would have exited
	abortSeq int
	ifaces   map[string]bool
	// track_script references (for disabling missing or insecure scripts)
	scriptRefs []scriptRef
	instNames  map[string]bool
	syncRefs   []syncRef
	badIface   bool
	hasScripts bool
	rulePref   int // next default rule preference keepalived assigns
	// checkScripts: a MISC_CHECK runs an existing program
	checkScripts bool
	versionSet   map[*Instance]bool
	prioSet      map[*Instance]bool
	// inst is the vrrp_instance whose keywords are being typed: the
	// handlers of the vrrp_instance table write into it (keepalived's
	// handlers likewise fill the last instance of the list).
	inst *Instance
	// vscript, vtrackFile, vsyncGroup: the vrrp_script, track_file and
	// vrrp_sync_group being typed, for their rows' handlers.
	vscript       *Script
	vtrackFile    *TrackFile
	vtrackProcess *TrackProcess
	vsyncGroup    *SyncGroup
	vgarpGroup    *GarpGroup
	// garpIfaces: the garp_group each interface was given to so far.
	garpIfaces map[string]*GarpGroup
	stateSet   map[*Instance]bool
	vridSet    map[*Instance]bool
	// trackGroups: track_group blocks seen so far (static_ipaddress's
	// track_group option looks them up at parse time, as keepalived).
	trackGroups map[string]bool
	// lvsSyncIface is the LVS sync daemon interface set so far (global
	// lvs_sync_daemon or a vrrp_instance's lvs_sync_daemon_interface).
	lvsSyncIface string
}

type scriptRef struct {
	inst *Instance
	sg   *SyncGroup
	t    Tracked
	idx  int
}

type syncRef struct {
	sg   *SyncGroup
	name string
	pos  Pos
}

func newTyper(opts Options) *typer {
	t := &typer{
		cfg: &Config{
			Scripts:        map[string]*Script{},
			TrackFiles:     map[string]*TrackFile{},
			TrackProcesses: map[string]*TrackProcess{},
			Global: GlobalDefs{
				GarpMasterDelay:         5 * time.Second,
				GarpMasterRepeat:        5,
				GarpMasterRefreshRepeat: 1,
				GarpLowerPrioDelay:      -1,
				GarpLowerPrioRepeat:     -1,
				Version:                 2,
				McastGroup4:             netip.MustParseAddr("224.0.0.18"),
				McastGroup6:             netip.MustParseAddr("ff02::12"),
				NftablesPriority:        -1,
				Email:                   Email{Alert: -1, AlertVRRP: -1, AlertChecker: -1},
			},
		},
		opts:        opts,
		ifaces:      map[string]bool{},
		instNames:   map[string]bool{},
		rulePref:    16384,
		versionSet:  map[*Instance]bool{},
		prioSet:     map[*Instance]bool{},
		stateSet:    map[*Instance]bool{},
		vridSet:     map[*Instance]bool{},
		trackGroups: map[string]bool{},
		garpIfaces:  map[string]*GarpGroup{},
	}
	for _, i := range opts.Interfaces {
		t.ifaces[i] = true
	}
	return t
}

func (t *typer) add(pos Pos, class Class, hint, format string, args ...any) {
	sev := SevError
	switch class {
	case ClassNone:
		sev = SevInfo
	case ClassWarning, ClassDeprecated:
		sev = SevWarning
	}
	t.diags = append(t.diags, Diagnostic{File: pos.File, Line: pos.Line, Col: pos.Col, Severity: sev, Class: class, Message: fmt.Sprintf(format, args...), Hint: hint})
}

func (t *typer) errorf(pos Pos, format string, args ...any) {
	t.add(pos, ClassGeneral, "", format, args...)
}

func (t *typer) notice(pos Pos, hint, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	t.diags = append(t.diags, Diagnostic{File: pos.File, Line: pos.Line, Col: pos.Col, Severity: SevWarning, Message: msg, Hint: hint, GohaOnly: true})
}

func (t *typer) number(pos Pos, msg string) {
	if msg != "" {
		t.add(pos, ClassInvalidNumber, "", "%s", msg)
	}
}

// need reproduces keepalived's null_strvec: a handler reading a missing
// parameter makes keepalived exit with status 2 on the spot.
func (t *typer) need(n *Node, count int) bool {
	if t.aborted {
		return false
	}
	if len(n.Args) >= count {
		return true
	}
	t.add(n.Pos, ClassAbort, "give '"+n.Name()+"' a value", "*** Configuration line starting `%s` is missing a parameter after keyword `%s` at word position %d",
		n.Name(), lastWord(n), len(n.Args)+2)
	t.aborted = true
	t.abortSeq = n.Line.seq
	return false
}

func lastWord(n *Node) string {
	if len(n.Args) > 0 {
		return n.Args[len(n.Args)-1].Text
	}
	return n.Name()
}

// unsupported reports a keyword gokeepalived does not run, by its class
// in the keyword table: inert ones are warned about, the others refused.
func (t *typer) unsupported(n *Node) {
	if n.Keyword.Support == Inert {
		t.inert(n.Pos, n.Name(), n.Keyword.Why)
		return
	}
	t.refuse(n.Pos, n.Name(), "", "'%s' is parsed but not supported by gokeepalived yet", n.Name())
}

// refuse records a feature of the file gokeepalived does not run: -t
// fails and the daemon refuses the file unless Options.AllowUnsupported,
// which makes it a warning (the daemon then runs without the feature).
func (t *typer) refuse(pos Pos, feature, hint, format string, args ...any) {
	t.cfg.Unsupported = append(t.cfg.Unsupported, Unsupported{Keyword: feature, Pos: pos})
	d := Diagnostic{File: pos.File, Line: pos.Line, Col: pos.Col, Severity: SevError, Hint: hint,
		Message: fmt.Sprintf(format, args...), GohaOnly: true, Unsupported: true}
	if t.opts.AllowUnsupported {
		d.Severity = SevWarning
		d.Message += AllowedSuffix
	}
	t.diags = append(t.diags, d)
}

// inert warns about a keyword whose effect cannot change what gokeepalived does.
func (t *typer) inert(pos Pos, name, why string) {
	t.notice(pos, "", "'%s' has no effect in goha: %s", name, why)
}

// rawArgs returns the text after the keyword on its line, for scripts.
func rawArgs(n *Node) string {
	s := strings.TrimLeft(n.Line.Text, " \t")
	s = strings.TrimPrefix(s, n.Name())
	return strings.TrimSpace(s)
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// globalDefs types the global_defs block: each keyword through its row's
// handler (global_defs.go), after the checks keepalived makes on any.
func (t *typer) globalDefs(nodes []*Node) {
	for _, n := range nodes {
		if t.aborted {
			return
		}
		if n.Name() == "notification_email" && len(n.Values) == 0 {
			t.add(n.End, ClassWarning, "list at least one address, or remove the block", "Warning - empty notification_email block")
		}
		if n.Name() == "lvs_sync_daemon" && len(n.Args) > 0 && t.lvsSyncIface == "" {
			t.lvsSyncIface = n.Arg(0)
		}
		if !n.Keyword.Honoured() {
			t.unsupported(n)
			if !n.Keyword.Typed {
				continue
			}
		}
		if h := n.Keyword.handle; h != nil {
			h(t, n)
		}
	}
}

// optBool reads an optional boolean argument (keyword alone = def).
func (t *typer) optBool(n *Node, def bool) bool {
	if len(n.Args) == 0 {
		return def
	}
	switch readBool(n.Arg(0)) {
	case 1:
		return true
	case 0:
		return false
	}
	t.errorf(n.Pos, "Invalid value for %s specified", n.Name())
	return def
}

func argsText(n *Node) []string {
	out := make([]string, 0, len(n.Args))
	for _, a := range n.Args {
		out = append(out, a.Text)
	}
	return out
}

// scriptProgram returns the program a script line runs: its first word,
// quotes removed.
func scriptProgram(raw string) string {
	toks, _ := splitWords(raw, Pos{})
	if len(toks) == 0 {
		return ""
	}
	f := strings.Fields(toks[0].Text)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// usableScript says whether keepalived would keep a script: its program
// exists. Missing programs are dropped silently by keepalived 2.2.7.
func (t *typer) usableScript(raw string) bool {
	m, ok := t.programMode(scriptProgram(raw))
	return ok && !m.IsDir()
}

// programMode stats a script's program, searching the PATH keepalived
// runs scripts with when the name has no '/'.
func (t *typer) programMode(p string) (fs.FileMode, bool) {
	if p == "" {
		return 0, false
	}
	if !strings.Contains(p, "/") {
		for _, dir := range []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"} {
			if m, ok := t.opts.FileMode(dir + "/" + p); ok && !m.IsDir() {
				return m, true
			}
		}
		return 0, false
	}
	return t.opts.FileMode(p)
}

// defaultScriptUser mirrors keepalived: without script_user the scripts run
// as keepalived_script, or as root when that user is missing and
// enable_script_security is off.
func (t *typer) defaultScriptUser(pos Pos) bool {
	g := &t.cfg.Global
	if g.ScriptUser != "" {
		return true
	}
	if t.opts.UserExists("keepalived_script") {
		return true
	}
	if !g.EnableScriptSecurity {
		return true
	}
	t.add(pos, ClassGeneral, "create the user (useradd -r -s /sbin/nologin keepalived_script) or set `script_user` in global_defs",
		"Unable to set default user keepalived_script for script")
	return false
}

func (t *typer) checkerScripts(n *Node) {
	for _, c := range n.Children {
		if c.Name() == "misc_path" && t.usableScript(rawArgs(c)) {
			t.checkScripts = true
		}
		t.checkerScripts(c)
	}
}
