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
	r := checkFiles(files, env)
	applyQuiet(r)
	return r
}

func checkFiles(files []string, env Env) *Result {
	if env == nil {
		env = lookupEnv
	}
	r := &Result{Config: &Config{}}
	st := &state{cfg: r.Config, d: &r.Diags, proxies: map[string]*Proxy{}}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			r.Diags.Raw(Alert, "", 0, fmt.Sprintf("config : Could not open configuration file %s : %s", f, errnoText(err)))
			r.Exit = 1
			return r
		}
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
	if st.initServerAddrs() {
		r.Diags.Raw(Alert, "", 0, "config : Failed to initialize server(s) addr.")
		r.Exit = 1
		return r
	}
	if r.Diags.Warnings() {
		r.Stdout = append(r.Stdout, "Warnings were found.")
	}
	if len(st.listeners()) == 0 {
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
func Check(paths []string, env Env) *Result {
	files, err := ExpandPaths(paths)
	if err == ErrNoConfig {
		return &Result{Config: &Config{}, Exit: 1, Usage: true}
	}
	if err != nil {
		r := &Result{Config: &Config{}, Exit: 1, Usage: true}
		r.Diags.Raw(Alert, "", 0, "config : "+err.Error())
		return r
	}
	return CheckFiles(files, env)
}

// CheckBytes checks a single in-memory file without consulting the host
// (users, groups and error files are taken as present): for tests and
// fuzzing.
func CheckBytes(name string, data []byte, env Env) *Result {
	r := &Result{Config: &Config{}}
	yes := func(string) bool { return true }
	st := &state{cfg: r.Config, d: &r.Diags, proxies: map[string]*Proxy{},
		lookups: systemLookups{User: yes, Group: yes, Readable: yes, Resolve: yes, Hostname: func() string { return "localhost" }}}
	fatal, abort := st.parseFile(name, data, env)
	if fatal || abort {
		r.Exit = 1
	} else if st.checkValidity() || st.initServerAddrs() {
		r.Exit = 1
	}
	applyQuiet(r)
	return r
}

type state struct {
	cfg        *Config
	d          *Diagnostics
	proxies    map[string]*Proxy // by name, frontends/backends/listen
	defaults   map[string]*Proxy
	lastDef    *Proxy
	fatal      bool
	fileFatal  bool
	abort      bool
	lookups    systemLookups
	hasProgram bool
	// readerFailed mimics readcfgfile() returning -1 (a parse path in 2.6
	// does): the caller then claims the file could not be opened.
	readerFailed bool
	stoppedAt    int // line where keyword parsing aborted the file
	// uidSet, gidSet: a non-zero id came from user/uid (group/gid)
	uidSet, gidSet bool
	lastLine       int             // line of the statement being parsed
	env            Env             // for addresses, which HAProxy expands again ($VAR)
	patRefs        map[string]bool // pattern files already referenced: true = two columns (files.go)
	logHosts       map[string]bool // log host names already resolved (logline.go)
	defaultsRefs   map[*Proxy]int  // named defaults: 1 used implicitly, 2 by "from"
}

func (s *state) parseFile(file string, data []byte, env Env) (fatal, abort bool) {
	var preDiags Diagnostics
	s.env = env
	pre := Preprocess(file, data, env, &preDiags)
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
			s.global(Pos{file, st.Pos.Line}, append([]string{st.Keyword}, st.Args...))
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
			default:
				s.alert(sp, "unknown keyword '%s' in '%s' section", st.Keyword, sec.Kind)
			}
			s.fileFatal = true
			continue
		}
		if s.sectionStatement(o, sp, append([]string{st.Keyword}, st.Args...)) {
			return true
		}
		o.Statements = append(o.Statements, Statement{Pos: sp, Args: append([]string{st.Keyword}, st.Args...)})
		s.d.Unsupported(sp.File, sp.Line, sec.Kind+" "+st.Keyword)
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

func (s *state) global(p Pos, w []string) {
	g := &s.cfg.Global
	kw := w[0]
	if kw == "nbproc" {
		s.alert(p, "nbproc is not supported any more since HAProxy 2.5. Threads will automatically be used on multi-processor machines if available.")
		return
	}
	if kw == "no" && len(w) > 1 {
		s.globalNo(p, w)
		return
	}
	if !globalKeywordSet[kw] && kw != "stats" && kw != "master-worker" && kw != "nbthread" {
		s.alert(p, "unknown keyword '%s' in 'global' section%s", kw, didYouMean(kw, globalKeywordNames))
		return
	}
	arg := func(i int) string {
		if i < len(w) {
			return w[i]
		}
		return ""
	}
	switch kw {
	case "master-worker":
		if len(w) > 1 && w[1] != "no-exit-on-failure" {
			s.alert(p, "'master-worker' only supports 'no-exit-on-failure' option.")
			return
		}
	case "daemon", "noepoll", "nopoll", "nosplice", "nogetaddrinfo", "noreuseport", "quiet", "zero-warning", "insecure-fork-wanted", "insecure-setuid-wanted", "pp2-never-send-local":
		if len(w) > 1 {
			s.alert(p, "'%s' cannot handle unexpected argument '%s'.", kw, w[1])
			return
		}
		if kw == "quiet" {
			// From here on HAProxy prints nothing (see applyQuiet).
			s.d.Raw(Notice, p.File, p.Line, quietMarker).Goha = true
		}
	}
	switch kw {
	case "daemon":
		g.Daemon = true
	case "master-worker":
		g.MasterWorker = true
		if len(w) > 1 {
			// the master always stops with its current worker
			g.Raw = append(g.Raw, Statement{Pos: p, Args: w})
			s.d.Unsupported(p.File, p.Line, "master-worker "+w[1])
		}
	case "pidfile":
		if arg(1) == "" {
			s.alert(p, "'pidfile' expects a file name as an argument.")
			return
		}
		if len(w) > 2 {
			s.alert(p, "'pidfile' cannot handle unexpected argument '%s'.", w[2])
			return
		}
		g.Pidfile = arg(1)
	case "chroot":
		if arg(1) == "" {
			s.alert(p, "'chroot' expects a directory as an argument.")
			return
		}
		g.Chroot = arg(1)
	case "tune.bufsize":
		if n, end, ok := leadingInt(arg(1)); !ok || end != len(arg(1)) || n <= 0 {
			s.alert(p, "'tune.bufsize' expects a positive integer argument.")
			return
		}
		g.Raw = append(g.Raw, Statement{Pos: p, Args: w})
		s.d.Unsupported(p.File, p.Line, kw)
	case "ssl-default-bind-ciphers", "ssl-default-server-ciphers", "ssl-default-bind-ciphersuites", "ssl-default-server-ciphersuites":
		if arg(1) == "" {
			s.alert(p, "global statement '%s' expects a cipher suite as an argument.", kw)
			return
		}
		g.Raw = append(g.Raw, Statement{Pos: p, Args: w})
		s.d.Unsupported(p.File, p.Line, kw)
	case "spread-checks":
		if n, _, _ := leadingInt(arg(1)); n < 0 || n > 50 {
			s.alertRaw(p.File, p.Line, "'spread-checks' needs a positive value in range 0..50.")
			s.fileFatal = true
			return
		}
		g.SpreadChecks, _, _ = leadingInt(arg(1)) // honoured by proxy/check
		g.Raw = append(g.Raw, Statement{Pos: p, Args: w})
	case "description":
		if arg(1) == "" {
			s.alertRaw(p.File, p.Line, "'description' expects a string argument.")
			s.fileFatal = true
			return
		}
		// HAProxy shows it in `show info` and on the stats page; gohaproxy
		// shows neither.
		g.Raw = append(g.Raw, Statement{Pos: p, Args: w})
		s.d.Unsupported(p.File, p.Line, kw)
	case "node":
		if !validNodeName(arg(1)) {
			s.alertRaw(p.File, p.Line, "'node' requires valid node name - non-empty string with digits(0-9), letters(A-Z, a-z), dot(.), hyphen(-) or underscode(_).")
			s.fileFatal = true
			return
		}
		g.Node = arg(1) // `show info` node (the host name by default)
		g.Raw = append(g.Raw, Statement{Pos: p, Args: w})
	case "uid", "gid", "user", "group":
		// HAProxy keeps the first non-zero id of user/uid (group/gid) and
		// alerts, without failing, at any later one.
		isUser := kw == "uid" || kw == "user"
		if isUser && s.uidSet || !isUser && s.gidSet {
			if isUser {
				s.d.Alertf(p.File, p.Line, "user/uid already specified. Continuing.")
			} else {
				s.d.Alertf(p.File, p.Line, "gid/group was already specified. Continuing.")
			}
			return
		}
		switch kw {
		case "uid", "gid":
			if arg(1) == "" {
				s.alert(p, "'%s' expects an integer argument.", kw)
				return
			}
			n, end, ok := leadingInt(arg(1))
			if !ok || end != len(arg(1)) {
				// Not a number: a warning, the id stays unset (HAProxy 2.6).
				x := s.d.Raw(Warning, p.File, p.Line, "config : "+at(p.File, p.Line)+
					fmt.Sprintf(" %s: string '%s' is not a number.", kw, arg(1)))
				named := map[string]string{"uid": "user", "gid": "group"}[kw]
				x.Extra = []string{"   | You might want to use the '" + named + "' parameter to use a system " + named + " name."}
				return
			}
			if kw == "uid" {
				g.UID, g.User, s.uidSet = &n, "", n != 0
			} else {
				g.GID, g.Group, s.gidSet = &n, "", n != 0
			}
		case "user":
			g.UID, g.User = nil, arg(1)
			if !s.lookups.user(g.User) {
				s.alert(p, "cannot find user id for '%s' (0:Success)", g.User)
			}
			s.uidSet = g.User != "root" // root is id 0, which HAProxy takes as unset
		case "group":
			g.GID, g.Group = nil, arg(1)
			if !s.lookups.group(g.Group) {
				s.alert(p, "cannot find group id for '%s' (0:Success)", g.Group)
			}
			s.gidSet = g.Group != "root"
		}
	case "maxconn", "nbthread":
		if _, end, ok := leadingInt(arg(1)); kw == "nbthread" && (!ok || end != len(arg(1))) {
			s.alert(p, "'nbthread' passed a missing or unparsable integer value in '%s'", arg(1))
			return
		}
		if arg(1) == "" {
			s.alert(p, "'%s' expects an integer argument.", kw)
			return
		}
		n, _, _ := leadingInt(arg(1))
		if kw == "nbthread" && (n < 1 || n > 64) {
			s.alert(p, "'nbthread' value must be between 1 and 64 (was %d)", n)
			return
		}
		if kw == "maxconn" {
			g.Maxconn = n
		} else {
			g.Nbthread = n
		}
	case "log":
		t, ok := s.logLine(p, w)
		if !ok {
			return
		}
		g.Logs = append(g.Logs, t)
	case "lua-load", "lua-load-per-thread":
		// HAProxy loads the script while parsing; goha runs no Lua.
		if arg(1) != "" && !s.lookups.readable(arg(1)) {
			s.alert(p, "error in Lua file '%s': cannot open %s: No such file or directory", arg(1), arg(1))
			return
		}
		g.Raw = append(g.Raw, Statement{Pos: p, Args: w})
		s.d.Unsupported(p.File, p.Line, kw)
	case "hard-stop-after":
		if _, bad, err := ParseTime(arg(1)); err != nil && arg(1) != "" {
			s.alert(p, "unexpected character '%c' in argument to <hard-stop-after>.", arg(1)[bad])
			return
		}
		s.timerWarn(p, arg(1))
		// Honoured by the master (cmd/gohaproxy/master.go reads it from Raw).
		g.Raw = append(g.Raw, Statement{Pos: p, Args: w})
	case "nosplice":
		g.NoSplice = true // proxy.Config.NoSplice
	case "quiet":
		// applied by CheckFiles (applyQuiet): -c and the startup print
		// nothing from here on; -V undoes it (Result.Unquiet)
		g.Raw = append(g.Raw, Statement{Pos: p, Args: w})
	case "zero-warning":
		// applied by CheckFiles (warnings then refuse the configuration)
		g.Raw = append(g.Raw, Statement{Pos: p, Args: w})
	case "log-tag", "log-send-hostname":
		if kw == "log-tag" && arg(1) == "" {
			g.Raw = append(g.Raw, Statement{Pos: p, Args: w})
			s.d.Unsupported(p.File, p.Line, kw)
			return
		}
		if kw == "log-tag" {
			g.LogTag = arg(1)
		} else {
			g.SendHostname, g.Hostname = true, arg(1)
		}
	case "cpu-map":
		for _, set := range tail(w, 2) {
			if !isCPUSet(set) {
				s.alert(p, "cpu-map : '%s' is not a CPU range.", set)
				return
			}
		}
		g.Raw = append(g.Raw, Statement{Pos: p, Args: w})
		s.d.Unsupported(p.File, p.Line, kw)
	case "stats":
		if arg(1) == "socket" {
			s.statsSocket(p, w)
			return
		}
		switch arg(1) {
		case "timeout":
			if _, bad, err := ParseTime(arg(2)); err != nil && arg(2) != "" {
				s.alert(p, "'stats timeout' : unexpected character '%c'", arg(2)[bad])
				return
			}
			s.timerWarn(p, arg(2))
			if d, _, err := ParseTime(arg(2)); err == nil && d > 0 {
				g.StatsTimeout = d // the runtime API's idle limit per client
			}
			g.Raw = append(g.Raw, Statement{Pos: p, Args: w})
			return
		case "maxconn", "bind-process":
		default:
			s.alert(p, "'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got '%s')", arg(1))
			return
		}
		g.Raw = append(g.Raw, Statement{Pos: p, Args: w})
		s.d.Unsupported(p.File, p.Line, "stats "+arg(1))
	case "strict-limits":
		// Honoured by gohaproxy's file-descriptor limit (the default).
		if len(w) > 1 {
			s.alert(p, "'%s' cannot handle unexpected argument '%s'.", kw, w[1])
			return
		}
		g.Raw = append(g.Raw, Statement{Pos: p, Args: w})
	case "pp2-never-send-local":
		// Honoured by send-proxy-v2 health checks (proxy/haproxycfg hasGlobal);
		// its argument count is checked above.
		g.Raw = append(g.Raw, Statement{Pos: p, Args: w})
	default:
		g.Raw = append(g.Raw, Statement{Pos: p, Args: w})
		s.d.Unsupported(p.File, p.Line, kw)
	}
}

// globalNo is a global keyword prefixed with "no". HAProxy 2.6 takes the
// prefix on a few flags only and names them when it refuses one. The
// statement is kept whole in Raw ("no", "strict-limits").
func (s *state) globalNo(p Pos, w []string) {
	switch w[1] {
	case "strict-limits":
		// honoured: a failed setrlimit then only warns
	case "busy-polling", "set-dumpable", "insecure-fork-wanted", "numa-cpu-mapping":
		s.d.Unsupported(p.File, p.Line, "no "+w[1])
	case "log":
		// forgets the global log targets declared so far
		if len(w) > 2 {
			s.alert(p, "log : 'no log' does not expect arguments")
			return
		}
		s.cfg.Global.Logs = nil
		return
	case "option":
		// an allowed prefix, but no global keyword (and 2.6 suggests none)
		s.alert(p, "unknown keyword 'option' in 'global' section")
		return
	default:
		// HAProxy refuses the prefix, then parses the rest as usual.
		s.alertRaw(p.File, p.Line, "negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.")
		s.fileFatal = true
		s.global(p, w[1:])
		return
	}
	if len(w) > 2 {
		s.alert(p, "'%s' cannot handle unexpected argument '%s'.", w[1], w[2])
		return
	}
	s.cfg.Global.Raw = append(s.cfg.Global.Raw, Statement{Pos: p, Args: w})
}
