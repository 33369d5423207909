package haproxycmd

// `program` sections: external commands the master runs beside its
// worker, as HAProxy 2.6 does in master-worker mode. Measured on 2.6.12:
// the master starts each program (execvp of the command's words, no
// shell) before the worker; a current program that exits with a code
// other than 0, 130 or 143 makes the master kill everything and exit with
// that code (exit 0 is only logged); on reload new programs are started
// and the previous ones get SIGUSR1 and keep running until the master
// stops; `no option start-on-reload` keeps the running one (it gets
// SIGUSR1 all the same) instead of starting another.

import (
	"errors"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
)

// programSpec is one program section as the master runs it.
type programSpec struct {
	name          string
	argv          []string
	startOnReload bool
	user, group   string // "" = the master's own
}

func programSpecs(cfg *haproxy.Config) []programSpec {
	var out []programSpec
	for _, sec := range cfg.Others {
		if sec.Kind != "program" {
			continue
		}
		ps := programSpec{name: sec.Name, startOnReload: true}
		for _, st := range sec.Statements {
			switch {
			case len(st.Args) > 1 && st.Args[0] == "command":
				ps.argv = st.Args[1:]
			case len(st.Args) == 2 && st.Args[0] == "option" && st.Args[1] == "start-on-reload":
				ps.startOnReload = true
			case len(st.Args) == 3 && st.Args[0] == "no" && st.Args[2] == "start-on-reload":
				ps.startOnReload = false
			case len(st.Args) == 2 && st.Args[0] == "user" && ps.user == "":
				ps.user = st.Args[1] // the first one: a second is an alert only
			case len(st.Args) == 2 && st.Args[0] == "group" && ps.group == "":
				ps.group = st.Args[1]
			}
		}
		if len(ps.argv) > 0 {
			out = append(out, ps)
		}
	}
	return out
}

// startPrograms starts the configuration's programs. On a reload every
// running program (former ones again) gets SIGUSR1 and becomes a former one, which runs on
// until it exits; a section saying `no option start-on-reload` starts no
// new process while one of its name still runs (measured on 2.6.12: the
// kept one gets SIGUSR1 and is worded "Former" at its exit all the same).
func (m *master) startPrograms(cfg *haproxy.Config, reload bool) {
	alive := map[string]bool{}
	var signalled []*child
	m.mu.Lock()
	for _, p := range m.programs {
		alive[p.prog] = true
		if reload { // former ones get SIGUSR1 again at each reload
			p.old = true
			signalled = append(signalled, p)
		}
	}
	m.mu.Unlock()
	for _, p := range signalled {
		if p.proc != nil {
			p.proc.Signal(syscall.SIGUSR1)
		}
	}
	specs := programSpecs(cfg)
	if len(specs) == 0 {
		return
	}
	env := programEnv()
	for _, sp := range specs {
		if reload && !sp.startOnReload && alive[sp.name] {
			continue
		}
		m.spawnProgram(sp, env)
	}
}

// spawnProgram starts one program with the master's standard streams and
// environment. A command that cannot be executed ends as HAProxy's forked
// child does: an alert, then a program that exited with code 1.
func (m *master) spawnProgram(sp programSpec, env []string) {
	c := &child{prog: sp.name, started: time.Now(), done: make(chan struct{})}
	path, err := exec.LookPath(sp.argv[0])
	pid := 0
	cred, what, cerr := sp.credential()
	if cerr != nil {
		// The parser checked the names; one removed since is HAProxy's
		// failed set[ug]id in the child: an alert, then exit code 1.
		m.logf(m.pid, "ALERT", "[%s.main()] Cannot set %s.", sp.argv[0], what)
		err = cerr
	} else if err == nil {
		attr := &syscall.ProcAttr{Env: env, Files: []uintptr{0, 1, 2}, Sys: &syscall.SysProcAttr{Credential: cred}}
		pid, err = syscall.ForkExec(path, sp.argv, attr)
		if err != nil && cred != nil && errors.Is(err, syscall.EPERM) {
			// Go's child reports a failed setgroups/setgid/setuid as
			// the fork's error; HAProxy's child alerts and exits 1.
			m.logf(m.pid, "ALERT", "[%s.main()] Cannot set %s.", sp.argv[0], what)
			cerr = err
		}
	}
	if err != nil && cerr == nil {
		if errors.Is(err, exec.ErrNotFound) {
			err = syscall.ENOENT // execvp's error for a name not in $PATH
		}
		m.logf(m.pid, "ALERT", "Cannot execute %s: %s", sp.argv[0], errnoText(err))
	}
	if err != nil {
		m.mu.Lock()
		m.programs = append(m.programs, c)
		m.mu.Unlock()
		close(c.done)
		m.exits <- c // no state: reported as "exited with code 1 (Exit)"
		return
	}
	c.pid = pid
	c.proc, _ = os.FindProcess(pid)
	m.mu.Lock()
	m.programs = append(m.programs, c)
	m.mu.Unlock()
	m.logf(m.pid, "NOTICE", "New program '%s' (%d) forked", sp.name, pid)
	go func() {
		c.state, _ = c.proc.Wait()
		close(c.done)
		m.exits <- c
	}()
}

// credential is the identity a program runs as, as HAProxy's forked
// child sets it before execvp: a group drops the supplementary groups and
// sets the gid; a user sets the uid only, so with a user and no group the
// program keeps the master's gid and groups (measured on 2.6.12 as root:
// "user nobody" alone runs with uid 65534, gid 0, groups 0). what names
// the id for the alert when it cannot be set.
func (sp programSpec) credential() (cred *syscall.Credential, what string, err error) {
	if sp.user == "" && sp.group == "" {
		return nil, "", nil
	}
	cred = &syscall.Credential{Uid: uint32(os.Getuid()), Gid: uint32(os.Getgid()), NoSetGroups: true}
	if sp.group != "" {
		g, err := user.LookupGroup(sp.group)
		if err != nil {
			return nil, "gid for '" + sp.group + "'", err
		}
		gid, _ := strconv.ParseUint(g.Gid, 10, 32)
		cred.Gid, cred.Groups, cred.NoSetGroups = uint32(gid), []uint32{}, false
		what = "gid " + g.Gid
	}
	if sp.user != "" {
		u, err := user.Lookup(sp.user)
		if err != nil {
			return nil, "uid for '" + sp.user + "'", err
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		cred.Uid = uint32(uid)
		if what == "" {
			what = "uid " + u.Uid
		}
	}
	return cred, what, nil
}

// programEnv is the master's environment, HAProxy's HAPROXY_* variables
// included (run_env.go), without goha's own handover variables, which
// mean something only to a worker.
func programEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !isProcessEnv(k) {
			env = append(env, kv)
		}
	}
	return env
}

// programExited reports a program's end the way HAProxy's master does and
// says whether it failed: a current program that exits with other than 0,
// 130 or 143 triggers exit-on-failure (the first such code is the master's).
func (m *master) programExited(c *child, stopping bool) (fail bool, code int) {
	code, why := exitCode(c.state)
	m.mu.Lock()
	old := c.old
	m.remove(c)
	m.mu.Unlock()
	if old {
		m.logf(m.pid, "WARNING", "Former program '%s' (%d) exited with code %d (%s)", c.prog, c.pid, code, why)
		return false, code
	}
	m.logf(m.pid, "ALERT", "Current program '%s' (%d) exited with code %d (%s)", c.prog, c.pid, code, why)
	if code == 0 || code == 130 || code == 143 {
		return false, code
	}
	// Said again for each failing program, even while stopping, as 2.6.
	m.logf(m.pid, "ALERT", "exit-on-failure: killing every processes with SIGTERM")
	return true, code
}
