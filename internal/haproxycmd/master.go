package haproxycmd

// Master-worker mode (-W, -Ws, `master-worker` in global) as HAProxy 2.6
// runs it: the master supervises one current worker, reloads on SIGUSR2 or
// SIGHUP (or the master CLI's "reload"), and keeps serving with the old
// worker when the new configuration or the new worker fails.
//
// Go cannot fork, so the master re-executes its own binary as the worker.
// The worker finds, through the environment, its end of a control socket
// and the listening sockets of the previous worker (see proxy/listen): it
// reuses them instead of binding, so the listening sockets, and their
// accept queues, never close during a reload. Once listening it sends the
// sockets it uses back to the master over the control socket, which is
// also its "I am ready": only then is the old worker told to soft-stop.

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/listen"
)

const (
	masterChildEnv = "GOHAPROXY_MASTER_WORKER" // "1" in a worker the master started
	masterCtrlEnv  = "GOHAPROXY_MASTER_CTRL"   // the worker's end of its control socket
	// masterDaemonEnv tells a worker its master went to the background
	// (-D): once listening it detaches from the terminal as the master does.
	masterDaemonEnv = "GOHAPROXY_MASTER_DAEMON"
	// readyTimeout bounds a new worker's startup; past it, it is killed
	// and the reload counts as failed.
	readyTimeout = 60 * time.Second
)

func isMasterChild() bool { return os.Getenv(masterChildEnv) == "1" }

// runProcess runs a loaded, valid configuration: under a master when
// master-worker mode is asked for, else in this process (with -sf/-st/-x
// handovers).
func runProcess(fl *Options, res *haproxy.Result, o workerOptions) int {
	if fl.MasterWorker || res.Config.Global.MasterWorker {
		return runMaster(fl, res, o)
	}
	return runSingle(fl, o)
}

// child is one worker process.
type child struct {
	pid     int
	proc    *os.Process
	started time.Time
	reloads int // reloads since it started ("show proc")
	ctrl    *net.UnixConn
	ready   chan readyResult
	done    chan struct{} // closed when it has exited
	state   *os.ProcessState
	old     bool
	prog    string // a program section's name; "" for a worker
}

type readyResult struct {
	set *listen.Set
	err error
}

type master struct {
	fl      *Options
	o       workerOptions
	exe     string
	pid     int
	started time.Time
	// inherit holds the descriptors the configuration names with fd@N,
	// given to every worker at the same number N.
	inherit map[int]*os.File
	// set holds the current worker's listeners, for the next worker.
	set           *listen.Set
	hardStopAfter time.Duration

	// nextCtrl is the next worker's control socket once the programs'
	// environment named it (HAPROXY_CLI's sockpair@N).
	nextCtrl *ctrlPair
	cliAddrs []string // the master CLI's listeners, in -S order

	mu              sync.Mutex
	workers         []*child // newest first
	programs        []*child // program sections' processes (master_program.go)
	exitCode        int      // what the master exits with once all have exited
	reloads, failed int

	exits   chan *child
	reloadQ chan chan struct{} // the master CLI's "reload"
}

// startFDs records which descriptors above stderr were open when the
// process started (before the Go runtime opened its own), so fd@N is only
// ever handed to a worker when N was really inherited.
var startFDs = func() map[int]bool {
	m := map[int]bool{}
	for fd := 3; fd < 256; fd++ {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil {
			m[fd] = true
		}
	}
	return m
}()

func (m *master) logf(pid int, level, format string, args ...any) {
	fmt.Fprintf(m.o.Stderr, "%-10s (%d) : %s\n", "["+level+"]", pid, fmt.Sprintf(format, args...))
}

func runMaster(fl *Options, res *haproxy.Result, o workerOptions) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(o.Stderr, "[ALERT]    (%d) : [haproxy.main()] Cannot find the executable to start workers: %v\n", os.Getpid(), err)
		return 1
	}
	m := &master{fl: fl, o: o, exe: exe, pid: os.Getpid(), started: time.Now(), inherit: map[int]*os.File{},
		set: listen.NewSet(), exits: make(chan *child, 64), reloadQ: make(chan chan struct{})}
	m.configure(res)

	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)

	pidfile := fl.Pidfile
	if pidfile == "" {
		pidfile = res.Config.Global.Pidfile
	}
	if pidfile != "" {
		if err := os.WriteFile(pidfile, []byte(fmt.Sprintf("%d\n", m.pid)), 0o644); err != nil {
			m.logf(m.pid, "ALERT", "[haproxy.main()] Cannot create pidfile %s", pidfile)
			notifyReady(o, err)
			return 1
		}
	}
	for _, spec := range fl.MasterCLI {
		cli, err := m.openCLI(spec)
		if err != nil {
			m.logf(m.pid, "ALERT", "%v", err)
			// HAProxy names its argv[0] here
			m.logf(m.pid, "ALERT", "[%s.main()] Some protocols failed to start their listeners! Exiting.", os.Args[0])
			notifyReady(o, err)
			return 1
		}
		defer cli.Close()
		m.cliAddrs = append(m.cliAddrs, listenerName(cli))
	}

	m.setEnv(res.Config)               // run_env.go
	m.startPrograms(res.Config, false) // before the worker, as HAProxy
	c, err := m.spawn()
	if err != nil {
		m.logf(m.pid, "ALERT", "[haproxy.main()] Cannot fork: %v", err)
		notifyReady(o, err)
		return 1
	}
	if err := m.waitReady(c); err != nil {
		<-c.done
		code, _ := exitCode(c.state)
		if code == 0 {
			code = 1
		}
		notifyReady(o, fmt.Errorf("the first worker failed to start"))
		return code
	}
	m.logf(m.pid, "NOTICE", "Loading success.")
	// A daemonizing parent (-D) waits for this before it exits.
	notifyReady(o, nil)
	if fl.Systemd {
		sdNotify(fmt.Sprintf("READY=1\nMAINPID=%d\n", m.pid))
	}

	stopping := false
	for {
		select {
		case sig := <-sigs:
			switch sig {
			case syscall.SIGUSR2, syscall.SIGHUP:
				if !stopping {
					m.reload()
				}
			case syscall.SIGTERM, syscall.SIGINT, syscall.SIGUSR1:
				if !stopping {
					stopping = true
					if fl.Systemd {
						sdNotify("STOPPING=1\n")
					}
					m.logf(m.pid, "WARNING", "Exiting Master process...")
				}
				fwd := syscall.SIGTERM
				if sig == syscall.SIGUSR1 {
					fwd = syscall.SIGUSR1
				}
				m.signalAll(fwd)
			}
		case done := <-m.reloadQ:
			if !stopping {
				m.reload()
			}
			close(done)
		case c := <-m.exits:
			if c.prog != "" {
				fail, code := m.programExited(c, stopping)
				if fail && !stopping {
					stopping = true
					m.exitCode = code
				}
				if fail {
					m.signalAll(syscall.SIGTERM)
				}
				if stopping && m.left() == 0 {
					m.logf(m.pid, "WARNING", "All workers exited. Exiting... (%d)", m.exitCode)
					return m.exitCode
				}
				continue
			}
			code, why := exitCode(c.state)
			m.mu.Lock()
			current := !c.old
			m.remove(c)
			left := len(m.workers) + len(m.programs)
			m.mu.Unlock()
			// HAProxy warns about a clean exit and alerts about any other.
			level, which := "ALERT", "Current"
			if code == 0 {
				level = "WARNING"
			}
			if !current {
				which = "Former"
			}
			m.logf(m.pid, level, "%s worker (%d) exited with code %d (%s)", which, c.pid, code, why)
			if current && !stopping {
				// HAProxy's exit-on-failure: the master does not outlive
				// its current worker.
				m.logf(m.pid, "ALERT", "exit-on-failure: killing every processes with SIGTERM")
				stopping = true
				m.signalAll(syscall.SIGTERM)
				m.waitAll()
				m.logf(m.pid, "WARNING", "All workers exited. Exiting... (%d)", code)
				return code
			}
			if stopping && left == 0 {
				m.logf(m.pid, "WARNING", "All workers exited. Exiting... (%d)", m.exitCode)
				return m.exitCode
			}
		}
	}
}

// configure takes from a newly loaded configuration what the master
// itself uses: inherited descriptors, the stats socket for "@1" commands
// and hard-stop-after.
func (m *master) configure(res *haproxy.Result) {
	cfg := res.Config
	for _, p := range cfg.Proxies {
		for _, b := range p.Binds {
			for _, a := range b.Addrs {
				if a.Family == "fd" && startFDs[a.FD] && m.inherit[a.FD] == nil {
					m.inherit[a.FD] = os.NewFile(uintptr(a.FD), "fd@"+strconv.Itoa(a.FD))
				}
			}
		}
	}
	m.hardStopAfter = 0
	for _, st := range cfg.Global.Raw {
		if len(st.Args) == 2 && st.Args[0] == "hard-stop-after" {
			if d, _, err := haproxy.ParseTime(st.Args[1]); err == nil {
				m.hardStopAfter = d
			}
		}
	}
}

// spawn starts a worker. Descriptor layout in the child: 0-2 shared with
// the master, every inherited fd@N at N, then the control socket, then the
// previous worker's listeners (named by listen.EnvInherited).
func (m *master) spawn() (*child, error) {
	conn, workerEnd, err := m.ctrlSocket() // master_program_env.go
	if err != nil {
		return nil, err
	}
	pair := [2]int{-1, workerEnd}
	defer unix.Close(pair[1])

	files := []uintptr{0, 1, 2}
	place := func(fd, at int) {
		for len(files) <= at {
			files = append(files, ^uintptr(0)) // closed in the child
		}
		files[at] = uintptr(fd)
	}
	next := 3
	for n, f := range m.inherit {
		if fd, err := listen.FD(f); err == nil {
			place(fd, n)
			next = max(next, n+1)
		}
	}
	ctrlAt := next
	place(pair[1], ctrlAt)
	lf, inherited := m.set.Encode(ctrlAt + 1)
	for i, f := range lf {
		fd, err := listen.FD(f)
		if err != nil {
			conn.Close()
			return nil, err
		}
		place(fd, ctrlAt+1+i)
	}
	env := []string{masterChildEnv + "=1", masterCtrlEnv + "=" + strconv.Itoa(ctrlAt), listen.EnvInherited + "=" + inherited, parseEnvVar()}
	if isDaemonChild() {
		env = append(env, masterDaemonEnv+"=1")
	}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k != masterChildEnv && k != masterCtrlEnv && k != listen.EnvInherited && k != daemonEnv && k != masterDaemonEnv {
			env = append(env, kv)
		}
	}
	pid, err := syscall.ForkExec(m.exe, os.Args, &syscall.ProcAttr{Env: env, Files: files})
	if err != nil {
		conn.Close()
		return nil, err
	}
	proc, err := os.FindProcess(pid)
	if err != nil {
		conn.Close()
		return nil, err
	}
	c := &child{pid: pid, proc: proc, started: time.Now(), ctrl: conn.(*net.UnixConn),
		ready: make(chan readyResult, 1), done: make(chan struct{})}
	m.logf(m.pid, "NOTICE", "New worker (%d) forked", pid)
	go func() {
		set, err := listen.Receive(c.ctrl)
		c.ready <- readyResult{set, err}
	}()
	go func() {
		c.state, _ = proc.Wait()
		c.ctrl.Close()
		close(c.done)
		m.exits <- c
	}()
	return c, nil
}

// waitReady waits until c reports its listeners. On success c becomes the
// current worker and its listeners the ones the next worker inherits.
func (m *master) waitReady(c *child) error {
	var r readyResult
	select {
	case r = <-c.ready:
	case <-time.After(readyTimeout):
		r.err = errors.New("timeout")
		c.proc.Signal(syscall.SIGKILL)
	}
	if r.err != nil {
		// The child exits (or was killed); its exit is reported by the
		// main loop as a current worker's only once it was ready, so mark
		// it old to word it "Former worker".
		m.mu.Lock()
		c.old = true
		m.mu.Unlock()
		return r.err
	}
	m.mu.Lock()
	for _, w := range m.workers {
		w.old = true
	}
	m.workers = append([]*child{c}, m.workers...)
	m.mu.Unlock()
	m.set.Close()
	m.set = r.set
	return nil
}

// reload re-reads the configuration and, when it is valid, starts a new
// worker on the same listening sockets; once it is ready the previous
// workers soft-stop (SIGUSR1), bounded by hard-stop-after.
func (m *master) reload() {
	m.logf(m.pid, "NOTICE", "Reloading HAProxy")
	if m.fl.Systemd {
		sdNotify("RELOADING=1\n")
	}
	defer func() {
		if m.fl.Systemd {
			sdNotify("READY=1\n")
		}
	}()
	m.mu.Lock()
	m.reloads++
	for _, c := range append(append([]*child(nil), m.workers...), m.programs...) {
		c.reloads++ // programs too ("show proc")
	}
	m.mu.Unlock()
	res, _, ok := loadForRun(workerOptions{Files: m.o.Files, LocalPeer: m.o.LocalPeer, MasterWorker: m.o.MasterWorker, Quiet: m.o.Quiet, Verbose: m.o.Verbose, Stderr: m.o.Stderr,
		AllowUnsupported: m.o.AllowUnsupported}, false)
	if !ok {
		m.loadFailure()
		return
	}
	m.configure(res)
	m.setEnv(res.Config)
	m.startPrograms(res.Config, true)
	c, err := m.spawn()
	if err != nil {
		m.logf(m.pid, "ALERT", "[haproxy.main()] Cannot fork: %v", err)
		m.loadFailure()
		return
	}
	prev := m.current()
	if err := m.waitReady(c); err != nil {
		m.loadFailure()
		return
	}
	m.mu.Lock()
	m.failed = 0
	m.mu.Unlock()
	m.logf(m.pid, "NOTICE", "Loading success.")
	for _, w := range prev {
		w.proc.Signal(syscall.SIGUSR1)
		if d := m.hardStopAfter; d > 0 {
			w := w
			go func() {
				select {
				case <-w.done:
				case <-time.After(d + hardStopBackstop):
					// The worker ends itself at hard-stop-after
					// (hardstop.go); one still running is killed.
					w.proc.Signal(syscall.SIGTERM)
				}
			}()
		}
	}
}

// hardStopBackstop is how long past hard-stop-after the master waits
// for a former worker to end itself before it sends SIGTERM.
const hardStopBackstop = 2 * time.Second

func (m *master) loadFailure() {
	m.mu.Lock()
	m.failed++
	m.mu.Unlock()
	m.logf(m.pid, "WARNING", "Loading failure!")
}

// current returns the running workers (before a new one is added).
func (m *master) current() []*child {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*child(nil), m.workers...)
}

func (m *master) remove(c *child) {
	list := &m.workers
	if c.prog != "" {
		list = &m.programs
	}
	for i, w := range *list {
		if w == c {
			*list = append((*list)[:i], (*list)[i+1:]...)
			return
		}
	}
}

// left counts the workers and programs still running.
func (m *master) left() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.workers) + len(m.programs)
}

// all returns the workers, then the programs.
func (m *master) all() []*child {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append(append([]*child(nil), m.workers...), m.programs...)
}

func (m *master) signalAll(sig syscall.Signal) {
	for _, w := range m.all() {
		if w.proc != nil {
			w.proc.Signal(sig)
		}
	}
}

// waitAll waits for every worker and program to exit (after signalAll).
func (m *master) waitAll() {
	for _, w := range m.all() {
		<-w.done
	}
}

// exitCode words a worker's end as HAProxy's master does: "exited with
// code 0 (Exit)", "code 143 (Terminated)".
func exitCode(st *os.ProcessState) (int, string) {
	if st == nil {
		return 1, "Exit"
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		name := ws.Signal().String()
		if name != "" {
			name = strings.ToUpper(name[:1]) + name[1:]
		}
		return 128 + int(ws.Signal()), name
	}
	return st.ExitCode(), "Exit"
}

// runMasterChild is a worker started by the master: it reuses the
// listeners the master passed, reports its own once listening, and exits
// when the master goes away (its control socket closes).
func runMasterChild(o workerOptions) int {
	set, err := listen.Decode(os.Getenv(listen.EnvInherited))
	if err != nil {
		fmt.Fprintf(o.Stderr, "[ALERT]    (%d) : %v\n", os.Getpid(), err)
		return 1
	}
	var ctrl *net.UnixConn
	n, err := strconv.Atoi(os.Getenv(masterCtrlEnv))
	if err == nil {
		f := os.NewFile(uintptr(n), "ctrl")
		if c, err := net.FileConn(f); err == nil {
			ctrl, _ = c.(*net.UnixConn)
		}
		f.Close()
	}
	daemon := os.Getenv(masterDaemonEnv) == "1"
	for _, k := range []string{masterChildEnv, masterCtrlEnv, listen.EnvInherited, masterDaemonEnv} {
		os.Unsetenv(k)
	}
	// Opened now: after chroot there may be no /dev/null.
	var null *os.File
	if daemon {
		null, _ = os.OpenFile(os.DevNull, os.O_RDWR, 0)
	}
	mcli := newCtrlListener(n)
	o.MasterCLI = mcli
	r := &listen.Resolver{Inherited: set}
	defer r.Close()
	exposeListeners = r.Used
	o.NoPidfile, o.Silent = true, true
	o.OldProcess = set.Len() > 0 // a reload: the previous worker's listeners were passed
	o.Ready = func(err error) {
		if err != nil || ctrl == nil {
			return
		}
		used := r.Used()
		if err := listen.Send(ctrl, used); err != nil {
			fmt.Fprintf(o.Stderr, "[ALERT]    (%d) : cannot report listeners to the master: %v\n", os.Getpid(), err)
		}
		used.Close()
		if null != nil {
			for fd := 0; fd <= 2; fd++ {
				unix.Dup3(int(null.Fd()), fd, 0)
			}
			null.Close()
		}
		// The inherited sockets this configuration no longer binds are
		// released now, so a removed bind line stops listening.
		set.Close()
		go func() {
			mcli.receive(ctrl)
			// The master is gone: nobody would reload or stop us.
			syscall.Kill(os.Getpid(), syscall.SIGTERM)
		}()
	}
	res, code, ok := loadAsParent(o, true) // run_env.go
	if !ok {
		notifyReady(o, fmt.Errorf("configuration failed"))
		return code
	}
	o.Loaded = res
	return runWorker(o, r.Listen)
}
