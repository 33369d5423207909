package haproxy

import (
	"fmt"
	"os"
)

// Result is the verdict of a check, as haproxy -c gives it.
type Result struct {
	Config *Config
	Diags  Diagnostics
	// Exit is HAProxy's exit code: 0 valid, 1 errors, 2 valid but no listener.
	Exit int
	// Stdout holds the lines HAProxy prints on stdout ("Warnings were found.",
	// "Configuration file is valid", ...).
	Stdout []string
	// Usage means HAProxy would print its version banner and usage text
	// (no configuration file, or one it cannot open).
	Usage bool
	// Quiet: the configuration set global "quiet"; Silenced and
	// SilencedStdout hold what HAProxy does not print because of it
	// (everything after the keyword), which -V prints anyway.
	Quiet          bool
	Silenced       []Diagnostic
	SilencedStdout []string
	unquieted      []Diagnostic // the whole output, for Unquiet
}

// CheckFiles parses and checks files in order (already expanded by
// ExpandPaths), the way "haproxy -c" does.
func CheckFiles(files []string, env Env) *Result {
	return checkFilesQuiet(files, env, CheckOptions{})
}

// CheckOptions are the command-line settings that change how HAProxy reads
// its configuration.
type CheckOptions struct {
	// LocalPeer is -L: the local peer's name. It overrides global
	// "localpeer" (which then warns) and is $HAPROXY_LOCALPEER.
	LocalPeer string
	// MasterWorker is -W or -Ws: as global master-worker, it allows
	// program sections and makes a file without bind valid.
	MasterWorker bool
}

func checkFilesQuiet(files []string, env Env, o CheckOptions) *Result {
	r := checkFiles(files, env, o)
	applyQuiet(r)
	return r
}

func checkFiles(files []string, env Env, o CheckOptions) *Result {
	if env == nil {
		env = lookupEnv
	}
	if o.LocalPeer != "" {
		base := env
		env = func(name string) (string, bool) {
			if name == "HAPROXY_LOCALPEER" {
				return o.LocalPeer, true
			}
			return base(name)
		}
	}
	r := &Result{Config: &Config{}}
	st := &state{cfg: r.Config, d: &r.Diags, proxies: map[string]*Proxy{}, localPeerCmdline: o.LocalPeer, mworkerCmdline: o.MasterWorker}
	st.envs = &envState{base: env, cmdlinePeer: o.LocalPeer != ""}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			r.Diags.Raw(Alert, "", 0, fmt.Sprintf("config : Could not open configuration file %s : %s", f, errnoText(err)))
			r.Exit = 1
			return r
		}
		st.defaultPathFile(&st.cfg.Global, f) // the policy of an earlier file (global_default_path.go)
		fatal, abort := st.parseFile(f, data, env)
		if st.readerFailed {
			r.Diags.Raw(Alert, "", 0, fmt.Sprintf("config : Could not open configuration file %s : Success", f))
			r.Exit = 1
			return r
		}
		if fatal || abort {
			r.Diags.Raw(Alert, "", 0, "config : Error(s) found in configuration file : "+f)
		}
		if abort {
			r.Exit = 1
			return r
		}
		st.fatal = st.fatal || fatal
	}
	st.lookups.base = "" // HAProxy is back in the working directory after each file
	if st.fatal {
		r.Diags.Raw(Alert, "", 0, "config : Fatal errors found in configuration.")
		r.Exit = 1
		return r
	}
	if st.checkValidity() {
		r.Diags.Raw(Alert, "", 0, "config : Fatal errors found in configuration.")
		r.Exit = 1
		return r
	}
	if st.loadH1CaseAdjustFile() { // global_h1case.go
		r.Diags.Raw(Alert, "", 0, "config : Fatal errors found in configuration.")
		r.Exit = 1
		return r
	}
	if st.initServerAddrs() {
		r.Diags.Raw(Alert, "", 0, "config : Failed to initialize server(s) addr.")
		r.Exit = 1
		return r
	}
	if r.Diags.Warnings() {
		r.Stdout = append(r.Stdout, "Warnings were found.")
	}
	// In master-worker mode the master's own CLI sockpair is a listener:
	// 2.6.12 calls such a file valid (exit 0) with no bind at all.
	if len(st.listeners()) == 0 && !r.Config.Global.MasterWorker && !o.MasterWorker {
		r.Stdout = append(r.Stdout, "Configuration file has no error but will not start (no listener) => exit(2).")
		r.Exit = 2
		return r
	}
	r.Stdout = append(r.Stdout, "Configuration file is valid")
	for _, st := range r.Config.Global.Raw {
		if st.Args[0] == "zero-warning" {
			ZeroWarning(r)
		}
	}
	return r
}

// ZeroWarning applies "-dW" / global "zero-warning": a configuration that
// produced warnings is refused.
func ZeroWarning(r *Result) {
	silencedWarning := false
	for _, d := range r.Silenced {
		silencedWarning = silencedWarning || d.Severity == Warning
	}
	if r.Exit != 0 && r.Exit != 2 || !r.Diags.Warnings() && !silencedWarning {
		return
	}
	const msg = "config : Some warnings were found and 'zero-warning' is set. Aborting."
	if r.Quiet {
		d := Diagnostic{Severity: Alert, Text: msg}
		r.Silenced, r.unquieted = append(r.Silenced, d), append(r.unquieted, d)
		r.SilencedStdout = nil
	} else {
		r.Diags.Raw(Alert, "", 0, msg)
	}
	r.Stdout = nil
	r.Exit = 1
}

// Check is "haproxy -c -f P1 -f P2 ...": expand the paths, read, parse and
// check. Unreadable paths and empty file lists give HAProxy's answers
// (an alert plus usage, or usage alone), with Usage set so callers print it.
func Check(paths []string, env Env) *Result { return CheckWith(paths, env, CheckOptions{}) }

// CheckWith is Check with command-line settings (-L).
func CheckWith(paths []string, env Env, o CheckOptions) *Result {
	files, err := ExpandPaths(paths)
	if err == ErrNoConfig {
		return &Result{Config: &Config{}, Exit: 1, Usage: true}
	}
	if err != nil {
		r := &Result{Config: &Config{}, Exit: 1, Usage: true}
		r.Diags.Raw(Alert, "", 0, "config : "+err.Error())
		return r
	}
	return checkFilesQuiet(files, env, o)
}

// CheckBytes checks a single in-memory file without consulting the host
// (users, groups and error files are taken as present, /etc/resolv.conf
// as listing no nameserver): for tests and fuzzing.
func CheckBytes(name string, data []byte, env Env) *Result {
	return checkBytesWith(name, data, env, func() (string, bool) { return "", true })
}

// checkBytesWith is CheckBytes with resolvConf read as /etc/resolv.conf.
func checkBytesWith(name string, data []byte, env Env, resolvConf func() (string, bool)) *Result {
	r := &Result{Config: &Config{}}
	yes := func(string) bool { return true }
	st := &state{cfg: r.Config, d: &r.Diags, proxies: map[string]*Proxy{},
		lookups: systemLookups{User: yes, Group: yes, Readable: yes, Resolve: yes, Hostname: func() string { return "localhost" },
			ResolvConf: resolvConf}}
	st.envs = &envState{base: env}
	fatal, abort := st.parseFile(name, data, env)
	if fatal || abort {
		r.Exit = 1
	} else if st.checkValidity() || st.loadH1CaseAdjustFile() || st.initServerAddrs() {
		r.Exit = 1
	}
	applyQuiet(r)
	return r
}

type state struct {
	curRing *Ring // the ring section being read (ring.go)
	// curLogForward is the log-forward section being read (logforward.go).
	curLogForward *LogForward
	cfg           *Config
	d             *Diagnostics
	proxies       map[string]*Proxy // by name, frontends/backends/listen
	defaults      map[string]*Proxy
	lastDef       *Proxy
	fatal         bool
	fileFatal     bool
	abort         bool
	lookups       systemLookups
	hasProgram    bool
	// fcgiMaxReqs are the fcgi-apps with a max-reqs above 1 (fcgi_app.go).
	fcgiMaxReqs []string
	// peersLines: per peers section, whether a "peer" and a "bind" line
	// were accepted (2.6 refuses to mix them).
	peersLines map[*Section][2]bool
	// localPeerCmdline is -L (global "localpeer" is then ignored).
	localPeerCmdline string
	mworkerCmdline   bool // -W/-Ws
	// readerFailed mimics readcfgfile() returning -1 (a parse path in 2.6
	// does): the caller then claims the file could not be opened.
	readerFailed bool
	stoppedAt    int // line where keyword parsing aborted the file
	// uidSet, gidSet: a non-zero id came from user/uid (group/gid)
	uidSet, gidSet bool
	lastLine       int // line of the statement being parsed
	env            Env // for addresses, which HAProxy expands again ($VAR)
	// envs is the environment as setenv and its kin changed it so far
	// (global_env.go); nil: the caller's Env unchanged.
	envs    *envState
	patRefs map[string]bool // pattern files already referenced: true = two columns (files.go)
	// patUses are the sub/end matches of each pattern file (patcache.go);
	// curFile is the file being parsed.
	patUses      map[patKey][]patUse
	curFile      string
	logHosts     map[string]bool // log host names already resolved (logline.go)
	defaultsRefs map[*Proxy]int  // named defaults: 1 used implicitly, 2 by "from"
	// resolvConfText is /etc/resolv.conf (resolvers.go), read once when
	// first needed; resolvConfOK: it could be read.
	resolvConfText               string
	resolvConfRead, resolvConfOK bool
}

func (s *state) parseFile(file string, data []byte, env Env) (fatal, abort bool) {
	var preDiags Diagnostics
	s.curFile = file
	s.env = env
	if es := s.envs; es != nil {
		env = es.lookup
		s.env = func(name string) (string, bool) { return es.lookupAt(Pos{file, s.lastLine}, name) }
	}
	pre := preprocess(file, data, env, &preDiags, s.envs)
	s.fileFatal, s.abort = pre.Fatal, pre.Abort
	if pre.Abort {
		s.d.List = append(s.d.List, preDiags.List...)
		return true, true
	}
	// HAProxy interleaves line-level messages (.notice, tokenizer errors) and
	// keyword messages in line order; for the same line the keyword comes
	// first (a NUL is reported after its line's prefix was processed).
	mark := len(s.d.List)
	defer func() {
		kw := append([]Diagnostic(nil), s.d.List[mark:]...)
		s.d.List = s.d.List[:mark]
		last := 1 << 30
		if s.stoppedAt > 0 {
			last = s.stoppedAt
		}
		i := 0
		for _, pd := range preDiags.List {
			if pd.Line > last {
				break
			}
			for i < len(kw) && kw[i].Line <= pd.Line {
				s.d.List = append(s.d.List, kw[i])
				i++
			}
			s.d.List = append(s.d.List, pd)
		}
		s.d.List = append(s.d.List, kw[i:]...)
		s.stoppedAt = 0
	}()
	ast, err := parseLines(pre.Lines)
	if err != nil {
		// Cannot happen for pre-processed lines; report rather than panic.
		s.d.Raw(Alert, file, 0, "config : goha: internal grammar error: "+err.Error())
		return true, false
	}
	for _, st := range ast.Loose {
		s.alertRaw(file, st.Pos.Line, fmt.Sprintf("unknown keyword '%s' out of section.", st.Keyword))
		s.fileFatal = true
	}
	for _, sec := range ast.Sections {
		if s.section(file, sec) {
			s.stoppedAt = s.lastLine
			return true, true
		}
	}
	return s.fileFatal, s.abort
}

// alertRaw is the "parsing [f:l]: msg" form (no blank before the colon).
func (s *state) alertRaw(file string, line int, msg string) {
	s.d.Raw(Alert, file, line, fmt.Sprintf("config : parsing [%s:%d]: %s", file, line, msg))
}

func (s *state) alert(p Pos, format string, a ...any) {
	s.d.Alertf(p.File, p.Line, format, a...)
	s.fileFatal = true
}

func (s *state) warn(p Pos, format string, a ...any) { s.d.Warnf(p.File, p.Line, format, a...) }

// section handles one section; it returns true to abort.
func (s *state) section(file string, sec *astSection) bool {
	p := Pos{file, sec.Pos.Line}
	switch sec.Kind {
	case "global":
		for _, st := range sec.Body {
			s.lastLine = st.Pos.Line
			w := append([]string{st.Keyword}, st.Args...)
			s.noteProcNames(Pos{file, st.Pos.Line}, w) // procnames.go
			s.global(Pos{file, st.Pos.Line}, w)
		}
		return false
	case "defaults", "frontend", "backend", "listen":
		return s.proxy(p, sec)
	}
	if sec.Kind == "program" {
		s.hasProgram = true
	}
	o := &Section{Kind: sec.Kind, Pos: p}
	if len(sec.Args) > 0 {
		o.Name = sec.Args[0]
	}
	if s.sectionHeader(p, sec.Kind, o.Name) {
		return true
	}
	switch sec.Kind {
	case "ring":
		s.ringBegin(p, o.Name)
	case "log-forward":
		s.logForwardBegin(p, o.Name)
	}
	kws := smallSectionKeywords[sec.Kind]
	for _, st := range sec.Body {
		sp := Pos{file, st.Pos.Line}
		s.lastLine = st.Pos.Line
		if !contains(kws, st.Keyword) {
			// Each of these section parsers words it its own way in 2.6.
			switch sec.Kind {
			case "userlist":
				s.alertRaw(sp.File, sp.Line, fmt.Sprintf("unknown keyword '%s' in 'users' section", st.Keyword))
			case "ring":
				s.alert(sp, "unknown statement '%s'.", st.Keyword)
			case "fcgi-app":
				s.alertRaw(sp.File, sp.Line, fmt.Sprintf("unknown keyword '%s' in 'fcgi-app' section", st.Keyword))
			case "log-forward": // which stops the file in 2.6
				s.alert(sp, "unknown keyword '%s' in log-forward section.", st.Keyword)
				s.abort = true
				return true
			default:
				s.alert(sp, "unknown keyword '%s' in '%s' section", st.Keyword, sec.Kind)
			}
			s.fileFatal = true
			continue
		}
		words := append([]string{st.Keyword}, st.Args...)
		if s.sectionStatement(o, sp, words) {
			return true
		}
		switch sec.Kind {
		case "ring":
			s.ringStatement(sp, words)
		case "log-forward":
			if s.logForwardStatement(sp, words) {
				return true
			}
		}
		if sec.Kind == "userlist" && s.userlistStatement(o, sp, words) {
			continue
		}
		o.Statements = append(o.Statements, Statement{Pos: sp, Args: words})
		// An implemented statement (peers) is run by the runtime adapter,
		// which reports what it cannot honour of it.
		if row, ok := ClassOf(sec.Kind, st.Keyword); !ok || row.Class != Implemented {
			s.d.Unsupported(sp.File, sp.Line, sec.Kind+" "+st.Keyword)
		}
	}
	s.cfg.Others = append(s.cfg.Others, o)
	s.sectionEnd(o)
	return false
}

func contains(list []string, w string) bool {
	for _, x := range list {
		if x == w {
			return true
		}
	}
	return false
}
