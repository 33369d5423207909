package haproxycmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/runtimeapi"
)

// The master CLI (-S <bind>[,<option>,<value>...]) as HAProxy 2.6.12's
// master runs it: a proxy in front of the CLIs. Each connection reads
// commands (ended by '\n' or ';') until the client closes, in both modes
// ("prompt" only adds the "master> " prompt). The proxy itself handles
// "@<target>" prefixes, "prompt", "quit", the levels ("operator",
// "user") and the expert modes; every other command goes, one at a time,
// to a fresh session of the master's own CLI (master_cli_cmds.go) or of
// the target worker's runtime API, prefixed with "operator -" or
// "user -" when the connection lowered its level.

// cliBindOptions are the -S options goha applies; HAProxy's other bind
// options are refused.
type cliBindOptions struct {
	mode     os.FileMode
	level    runtimeapi.Level
	uid, gid int
}

// parseCLIBindOptions reads the words after the address; an error is
// worded as HAProxy's ('<keyword>' : <why>) or names what goha refuses.
func parseCLIBindOptions(words []string) (cliBindOptions, error) {
	o := cliBindOptions{level: runtimeapi.LevelAdmin, uid: -1, gid: -1} // mode 0: the umask's, as HAProxy
	for i := 0; i < len(words); i += 2 {
		k, v := words[i], ""
		if i+1 < len(words) {
			v = words[i+1]
		}
		var err error
		switch k {
		case "mode":
			n, perr := strconv.ParseUint(v, 8, 32)
			if perr != nil {
				err = fmt.Errorf("''mode' : missing or invalid mode '%s' (octal integer expected)'", v)
			}
			o.mode = os.FileMode(n)
		case "level":
			var ok bool
			if o.level, ok = runtimeapi.ParseLevel(v); v == "" {
				err = errors.New("''level' : missing level'")
			} else if !ok {
				err = fmt.Errorf("''level' only supports 'user', 'operator', and 'admin' (got '%s')'", v)
			}
		case "uid", "gid":
			n := atol(v) // HAProxy's atol: "abc" is 0
			if v == "" {
				err = fmt.Errorf("''%s' : missing value'", k)
			} else if k == "uid" {
				o.uid = n
			} else {
				o.gid = n
			}
		case "user":
			if u, lerr := user.Lookup(v); v == "" {
				err = errors.New("''user' : missing user name'")
			} else if lerr != nil {
				err = fmt.Errorf("''user' : unknown user name '%s''", v)
			} else {
				o.uid, _ = strconv.Atoi(u.Uid)
			}
		case "group":
			if g, lerr := user.LookupGroup(v); v == "" {
				err = errors.New("''group' : missing group name'")
			} else if lerr != nil {
				err = fmt.Errorf("''group' : unknown group name '%s''", v)
			} else {
				o.gid, _ = strconv.Atoi(g.Gid)
			}
		default:
			known, sug := haproxy.BindKeyword(k)
			switch {
			case known: // fail closed: what it would change is not implemented
				err = fmt.Errorf("'%s' is not supported by goha's master CLI.", k)
			case sug != "":
				err = fmt.Errorf("unknown keyword '%s'. Did you mean '%s' maybe ?", k, sug)
			default:
				err = fmt.Errorf("unknown keyword '%s'.", k)
			}
		}
		if err != nil {
			return o, err
		}
	}
	return o, nil
}

// atol reads a leading decimal number as C's atol, 0 without one.
func atol(s string) int {
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || end == 0 && (s[0] == '-' || s[0] == '+')) {
		end++
	}
	n, _ := strconv.Atoi(s[:end])
	return n
}

// checkMasterCLIFlags makes HAProxy's checks of -S, at -c and at start:
// without master-worker mode a warning (the sockets are not created), with
// it each one's options, as HAProxy words their errors.
func checkMasterCLIFlags(res *haproxy.Result, specs []string, mworker bool) {
	if res == nil || res.Config == nil || res.Exit == 1 || len(specs) == 0 {
		return
	}
	if !mworker && !res.Config.Global.MasterWorker {
		res.Diags.Raw(haproxy.Warning, "", 0, "config : a master CLI socket was defined, but master-worker mode (-W) is not enabled.")
		if len(res.Stdout) > 0 && res.Stdout[0] != "Warnings were found." {
			res.Stdout = append([]string{"Warnings were found."}, res.Stdout...)
		}
		return
	}
	for _, spec := range specs {
		words := strings.Split(spec, ",")
		if _, err := parseCLIBindOptions(words[1:]); err != nil {
			// HAProxy quotes the address and the first option, whichever failed
			res.Diags.Raw(haproxy.Alert, "", 0, fmt.Sprintf("config : '%s %s' : %v", words[0], words[1], err))
			res.Diags.Raw(haproxy.Alert, "", 0, "config : Can't create the master's CLI.")
			res.Exit, res.Stdout = 1, nil
			return
		}
	}
}

// openCLI listens on one -S argument: "/path", "unix@/path",
// "ipv4@127.0.0.1:9999" or "127.0.0.1:9999", then HAProxy's
// comma-separated bind options ("mode,600,level,operator").
func (m *master) openCLI(spec string) (io.Closer, error) {
	parts := strings.Split(spec, ",")
	addr := parts[0]
	opts, err := parseCLIBindOptions(parts[1:]) // checked at load (checkMasterCLIFlags)
	if err != nil {
		return nil, err
	}
	network := "tcp"
	switch {
	case strings.HasPrefix(addr, "unix@"):
		network, addr = "unix", strings.TrimPrefix(addr, "unix@")
	case strings.HasPrefix(addr, "/"):
		network = "unix"
	case strings.HasPrefix(addr, "ipv4@"):
		network, addr = "tcp4", strings.TrimPrefix(addr, "ipv4@")
	case strings.HasPrefix(addr, "ipv6@"):
		network, addr = "tcp6", strings.TrimPrefix(addr, "ipv6@")
	}
	if network == "unix" {
		os.Remove(addr) // a stale socket from a previous run, as HAProxy
	}
	lc := net.ListenConfig{KeepAlive: -1} // no SO_KEEPALIVE on CLI connections, as HAProxy
	ln, err := lc.Listen(context.Background(), network, addr)
	if err != nil { // HAProxy's words (-S lines are its "master-socket:0")
		if network == "unix" {
			return nil, fmt.Errorf("Binding [master-socket:0] for proxy MASTER: cannot bind UNIX socket (%s) [%s]", errnoText(err), addr)
		}
		return nil, fmt.Errorf("Binding [master-socket:0] for proxy MASTER: cannot bind socket (%s) for [%s]", errnoText(err), addr)
	}
	if network == "unix" {
		var err error
		if opts.mode != 0 {
			err = os.Chmod(addr, opts.mode)
		}
		if err == nil && (opts.uid >= 0 || opts.gid >= 0) {
			err = os.Chown(addr, opts.uid, opts.gid)
		}
		if err != nil {
			ln.Close()
			return nil, err
		}
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go m.serveCLI(c, opts.level)
		}
	}()
	return ln, nil
}

// pcli is one master CLI connection's state.
type pcli struct {
	m      *master
	c      net.Conn
	r      *bufio.Reader
	level  runtimeapi.Level
	prompt bool
	target int // the default target: 0 the master, else a worker's pid ("@1" alone)
	// expert and experimental: "expert-mode on", "experimental-mode on",
	// passed on with each command.
	expert, experimental bool
}

// serveCLI reads commands until the client closes its side, "quit", or
// an error HAProxy answers by closing. No idle timeout, as HAProxy's
// master (measured: still open after 40 s).
func (m *master) serveCLI(c net.Conn, level runtimeapi.Level) {
	defer c.Close()
	p := &pcli{m: m, c: c, r: bufio.NewReader(c), level: level}
	for {
		cmd, err := p.readCommand()
		if err != nil {
			return
		}
		if !p.handle(cmd) {
			return
		}
	}
}

// mcliMaxCommand is where HAProxy's request buffer is full (tune.bufsize
// less tune.maxrewrite): a command that long without its end is dropped
// and "help" answered instead; what follows is read as the next command
// (measured: a 20000-byte line got the help, then the unknown-command
// answer).
const mcliMaxCommand = 16384 - 1024

// readCommand reads up to an unescaped ';' or '\n' (a backslash keeps
// the next byte, escape included, for the target to read).
func (p *pcli) readCommand() (string, error) {
	var b []byte
	for {
		if len(b) >= mcliMaxCommand {
			return "help", nil
		}
		c, err := p.r.ReadByte()
		if err != nil {
			return "", err
		}
		switch c {
		case '\\':
			b = append(b, c)
			next, err := p.r.ReadByte()
			if err != nil {
				return "", err
			}
			b = append(b, next)
			continue
		case ';', '\n':
			return string(b), nil
		}
		b = append(b, c)
	}
}

// rawWords splits a command at spaces and tabs, keeping each word's
// offset; backslashes stay in (pcli_parse_request).
func rawWords(cmd string) (words []string, starts []int) {
	for i := 0; i < len(cmd); {
		for i < len(cmd) && (cmd[i] == ' ' || cmd[i] == '\t') {
			i++
		}
		if i == len(cmd) {
			break
		}
		start := i
		for i < len(cmd) && cmd[i] != ' ' && cmd[i] != '\t' {
			if cmd[i] == '\\' {
				i++
			}
			i++
		}
		if i > len(cmd) {
			i = len(cmd)
		}
		words, starts = append(words, cmd[start:i]), append(starts, start)
	}
	return words, starts
}

// handle runs one command; false closes the connection.
func (p *pcli) handle(cmd string) bool {
	args, starts := rawWords(cmd)
	target, rest := p.target, cmd
	if len(args) > 0 {
		switch a := args[0]; {
		case a[0] == '@':
			pid, ok := p.m.prefixPID(a)
			if !ok {
				return p.fail(fmt.Sprintf("Can't find the target PID matching the prefix '%s'\n", a))
			}
			if len(args) == 1 {
				p.target = pid
				return p.consumed()
			}
			target, rest = pid, cmd[starts[1]:]
		case a == "prompt":
			p.prompt = !p.prompt
			return p.consumed()
		case a == "quit":
			p.consumed()
			return false
		case a == "operator" || a == "user":
			if a == "operator" && p.level < runtimeapi.LevelOperator {
				return p.fail("Permission denied!\n")
			}
			p.level = runtimeapi.LevelUser
			if a == "operator" {
				p.level = runtimeapi.LevelOperator
			}
			return p.consumed()
		case a == "expert-mode" || a == "experimental-mode" || a == "mcli-debug-mode":
			if p.level < runtimeapi.LevelAdmin {
				return p.fail("Permission denied!\n")
			}
			on := len(args) > 1 && args[1] == "on"
			switch a {
			case "expert-mode":
				p.expert = on
			case "experimental-mode":
				p.experimental = on
			default:
				if on {
					return p.fail(mcliDebugRefused)
				}
			}
			return p.consumed()
		}
	}
	// A line ending with "<<" brings a payload: the lines up to an empty
	// one, passed on as they come ("+ " prompts each in prompt mode).
	i := strings.Index(cmd, "<<")
	hasPayload := i >= 0 && i+2 == len(cmd)
	// The session's state goes first, as HAProxy's proxy inserts it: the
	// level, then the modes (which a lowered level refuses, each command
	// then answering "Permission denied" first, as with HAProxy).
	var prefix []string
	if rest != "" { // an empty command goes alone
		switch p.level {
		case runtimeapi.LevelOperator:
			prefix = append(prefix, "operator -")
		case runtimeapi.LevelUser:
			prefix = append(prefix, "user -")
		}
		if p.expert {
			prefix = append(prefix, "expert-mode on -")
		}
		if p.experimental {
			prefix = append(prefix, "experimental-mode on -")
		}
	}
	if target == 0 {
		if hasPayload && !p.payload(func([]byte) {}) { // read by no master command
			return false
		}
		a := &mcliApplet{m: p.m, level: runtimeapi.LevelAdmin}
		var out strings.Builder
		for _, l := range prefix {
			out.WriteString(a.exec(l))
			a.noLF = false
		}
		out.WriteString(a.exec(rest))
		if _, err := io.WriteString(p.c, out.String()); err != nil || a.reload {
			return false // HAProxy's master re-executes: the connection ends
		}
	} else {
		c := p.m.dialWorker(target)
		if c == nil {
			return p.fail("Can't connect to the target CLI!\n")
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(30 * time.Second))
		// goha's runtime API reads one line per session: ';' between commands
		io.WriteString(c, strings.Join(append(prefix, rest), ";")+"\n")
		if hasPayload && !p.payload(func(b []byte) { c.Write(b) }) {
			return false
		}
		if uc, ok := c.(*net.UnixConn); ok {
			uc.CloseWrite() // one command per session, as HAProxy's proxy
		}
		io.Copy(p.c, c)
	}
	p.writePrompt("")
	return true
}

// consumed: a command the proxy handled itself answers only the prompt.
func (p *pcli) consumed() bool {
	p.writePrompt("")
	return true
}

// fail answers an error and closes, as pcli_reply_and_close.
func (p *pcli) fail(msg string) bool {
	io.WriteString(p.c, msg)
	return false
}

// writePrompt writes the prompt in prompt mode: "master> ",
// "master[ReloadFailed]> " after a failed reload, "<pid>> " when a worker
// is the default target, or the given one.
func (p *pcli) writePrompt(s string) {
	if !p.prompt {
		return
	}
	if s == "" {
		p.m.mu.Lock()
		failed := p.m.failed
		p.m.mu.Unlock()
		switch {
		case p.target != 0:
			s = fmt.Sprintf("%d> ", p.target)
		case failed > 0:
			s = "master[ReloadFailed]> "
		default:
			s = "master> "
		}
	}
	io.WriteString(p.c, s)
}

// prefixPID resolves "@", "@master", "@0" (the master: 0), "@1" (the
// current worker; HAProxy 2.6.12 knows no other relative pid) and
// "@!<pid>" (a worker by pid, current or old).
func (m *master) prefixPID(prefix string) (int, bool) {
	target := prefix[1:]
	if target == "" || target == "master" {
		return 0, true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if pidText, ok := strings.CutPrefix(target, "!"); ok {
		pid, err := strconv.Atoi(pidText)
		for _, c := range m.workers {
			if err == nil && c.pid == pid {
				return pid, true
			}
		}
		return 0, false
	}
	switch n, err := strconv.Atoi(target); {
	case err != nil:
	case n == 0:
		return 0, true
	case n == 1:
		for _, c := range m.workers {
			if !c.old {
				return c.pid, true
			}
		}
	}
	return 0, false
}

// procTable is "show proc"'s answer.
func (m *master) procTable() string {
	var b strings.Builder
	m.showProc(&b)
	return b.String()
}

// payload passes the lines of a payload to fn as they come, up to and
// including the empty one; false when the client went away first.
func (p *pcli) payload(fn func([]byte)) bool {
	for {
		p.writePrompt("+ ")
		for start := true; ; start = false {
			frag, err := p.r.ReadSlice('\n')
			fn(frag)
			if start && len(frag) == 1 && frag[0] == '\n' {
				return true
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err != nil {
				return false
			}
			break
		}
	}
}

// dialWorker opens a runtime API session on a worker (current or old);
// nil when it cannot be reached.
func (m *master) dialWorker(pid int) net.Conn {
	m.mu.Lock()
	var ctrl *net.UnixConn
	for _, c := range m.workers {
		if c.pid == pid {
			ctrl = c.ctrl
		}
	}
	m.mu.Unlock()
	if ctrl == nil {
		return nil
	}
	c, err := passCLIConn(ctrl) // master_cli_worker.go
	if err != nil {
		return nil
	}
	return c
}
