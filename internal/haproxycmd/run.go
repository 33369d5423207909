package haproxycmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/goha-lb/goha/internal/gcfloor"
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/check"
	"github.com/goha-lb/goha/proxy/haproxycfg"
	"github.com/goha-lb/goha/proxy/listen"
	"github.com/goha-lb/goha/proxy/mailalert"
	"github.com/goha-lb/goha/proxy/peers/peernet"
	"github.com/goha-lb/goha/proxy/serverstate"
)

// ListenFunc opens one bind address ("127.0.0.1:80", "fd@3", ...). The
// master process (issue 7) passes one that hands out inherited sockets; nil
// means the proxy binds itself. so are the bind line's socket options.
type ListenFunc func(network, addr string, so listen.SockOpts) (net.Listener, error)

// workerOptions is what one worker process runs. runMode fills it from the
// command line; the master-worker mode builds its own.
type workerOptions struct {
	Files     []string
	LocalPeer string // -L
	// MasterWorker is -W or -Ws (program sections need it or the global
	// keyword).
	MasterWorker bool
	Quiet        bool // -q: no startup messages on stderr
	Verbose      bool // -V: also print goha's notices
	// AllowUnsupported (--allow-unsupported, GOHA_ALLOW_UNSUPPORTED=1)
	// runs a configuration without the features goha does not implement
	// instead of refusing it.
	AllowUnsupported bool
	// Pidfile overrides the global pidfile (-p). Empty and no global
	// pidfile: none is written.
	Pidfile string
	// NoPidfile: a master writes the pidfile itself.
	NoPidfile bool
	Stderr    io.Writer
	// Ready is called once the worker listens, has opened its stats
	// sockets and log targets, and has dropped privileges (nil err), or
	// when startup failed (err set, runWorker then returns non-zero).
	Ready func(err error)
	// Signals, when set, replaces the worker's own SIGTERM/SIGINT/SIGUSR1
	// handling: a master forwards what it receives.
	Signals <-chan os.Signal
	// MaxConn and MaxPConn are -n (global maxconn) and -N (maxconn of
	// proxies that set none); 0 = not given.
	MaxConn, MaxPConn int
	// NoSplice is -dS: no splice(2), as the global `nosplice`.
	NoSplice bool
	// Inactive are the command-line flags accepted without effect; the
	// first reading of the configuration warns about them.
	Inactive []string
	// OnSoftStop runs once the listeners are closed at a soft stop (SIGUSR1):
	// whoever keeps copies of the listening sockets closes them there, so
	// new connections are refused as with HAProxy instead of queueing.
	OnSoftStop func()
	// Loaded is the configuration already read and reported by the caller
	// (runMode); nil: runWorker reads Files itself.
	Loaded *haproxy.Result
	// Usage is Options.Usage.
	Usage func(io.Writer)
	// OldProcess: this worker replaces another (-sf/-st, or a master
	// reload), which hands its peers tables over at its soft stop.
	OldProcess bool
	// MasterCLI: the connections a master passes to its worker's
	// runtime API (master_cli_worker.go); nil outside master-worker.
	MasterCLI      net.Listener
	MasterCLISpecs []string // -S, checked at load (checkMasterCLIFlags)
	// Silent: the master printed the configuration's messages (and the
	// server-state files') already; its worker reads them again quietly,
	// as HAProxy's worker, forked after the parsing, prints them once.
	Silent bool
}

// runMode is gohaproxy without -c: load and check the configuration, go to
// the background when asked (-D or `daemon`, unless -d/-db), then run the
// worker in this process.
func runMode(fl *Options, stderr io.Writer) int {
	o := workerOptions{Files: fl.Files, LocalPeer: fl.LocalPeer, MasterWorker: fl.MasterWorker || fl.Systemd, Quiet: fl.Quiet, Verbose: fl.Verbose, Pidfile: fl.Pidfile, Stderr: stderr,
		AllowUnsupported: fl.AllowUnsupported, Usage: fl.Usage}
	o.MaxConn, o.MaxPConn = fl.MaxConn, fl.MaxPConn
	o.NoSplice, o.MasterCLISpecs = fl.NoSplice, fl.MasterCLI
	if isMasterChild() {
		return runMasterChild(o) // master*.go (issue 7)
	}
	if isDaemonChild() {
		return runDaemonChild(fl, o)
	}
	o.Inactive = fl.Inactive // warned once, by the process started by hand
	res, code, ok := loadForRun(o, false)
	if !ok {
		return code
	}
	foreground := fl.Debug || fl.NoBackground
	if (fl.Daemon || res.Config.Global.Daemon) && !foreground {
		return daemonize(stderr)
	}
	o.Loaded = res                // read and reported once
	return runProcess(fl, res, o) // master-worker, or this process with -sf/-st/-x (master*.go)
}

// loadForRun parses and checks the files and prints what HAProxy prints at
// startup (warnings and alerts). ok=false: exit with code.
func loadForRun(o workerOptions, silent bool) (*haproxy.Result, int, bool) {
	res := LoadConfig(o.Files, haproxy.CheckOptions{LocalPeer: o.LocalPeer, MasterWorker: o.MasterWorker}, o.AllowUnsupported, o.Verbose)
	checkMasterCLIFlags(res, o.MasterCLISpecs, o.MasterWorker) // master_cli.go
	pr := &haproxy.Printer{W: o.Stderr, PID: os.Getpid(), Version: haproxy.Version + "-goha", Executable: executable(),
		Quiet: o.Quiet || silent, ShowGoha: o.Verbose}
	for _, d := range res.Diags.List {
		pr.Print(d)
	}
	for _, f := range o.Inactive {
		pr.Print(haproxy.Diagnostic{Severity: haproxy.Warning, Text: fmt.Sprintf("goha: command line option '%s' is accepted but not supported yet: ignored.", f)})
	}
	if res.Usage {
		if !silent && o.Usage != nil {
			o.Usage(o.Stderr)
		}
		return res, 1, false
	}
	if res.Exit == 1 {
		return res, 1, false
	}
	if res.Exit == 2 {
		pr.Print(haproxy.Diagnostic{Severity: haproxy.Alert, Text: "[haproxy.main()] No enabled listener found (check for 'bind' directives) ! Exiting."})
		return res, 1, false
	}
	return res, 0, true
}

// runWorker runs one proxy process until a signal stops it:
//
//	SIGTERM, SIGINT  hard stop: the process dies of the signal, as HAProxy
//	SIGUSR1          soft stop: stop accepting, log "Proxy X stopped", let
//	                 in-flight transactions finish, exit 0
//	SIGHUP           log every server's and proxy's state (run_sighup.go)
//
// Startup order (HAProxy's): bind listeners (listen, or the proxy itself
// when listen is nil), open the stats sockets and log targets, write the
// pidfile, chroot, drop to user/group, then call Ready and start health
// checks.
func runWorker(o workerOptions, listen ListenFunc) int {
	// Caught from the start: the Go runtime drops a SIGUSR1 nobody is
	// notified of, so a soft stop sent as soon as the listeners answer
	// (a stop right after a start, under load) would be lost and the
	// worker would never stop. One that arrives while the worker starts
	// waits in the channel until wait reads it.
	sigs := o.Signals
	if sigs == nil {
		ch := make(chan os.Signal, 4)
		signal.Notify(ch, syscall.SIGUSR1, syscall.SIGHUP)
		// HAProxy leaves SIGTERM and SIGINT to their default action, so
		// one its parent ignored (a shell's background job ignores
		// SIGINT) stays ignored: the worker keeps running. Go's runtime
		// keeps an inherited SIG_IGN only for SIGINT and SIGHUP, so an
		// ignored SIGTERM still stops goha.
		signal.Notify(ch, syscall.SIGTERM)
		if !sigintIgnoredAtStart {
			signal.Notify(ch, syscall.SIGINT)
		}
		defer signal.Stop(ch)
		sigs = ch
	}
	res := o.Loaded
	if res == nil {
		var code int
		var ok bool
		if res, code, ok = loadForRun(o, o.Silent || o.Ready != nil && isDaemonChild()); !ok {
			notifyReady(o, fmt.Errorf("configuration failed"))
			return code
		}
	}
	w, err := startWorker(o, res, listen)
	if err != nil {
		notifyReady(o, err)
		return 1
	}
	notifyReady(o, nil)
	w.profStop = startCPUProfile()
	gcfloor.Start(gcfloor.Floor) // the heap grows by 64 MiB at least between two collections
	defer startDebugListener(o.Stderr)()
	w.startChecks()
	return w.wait(sigs)
}

// startWorker maps a loaded configuration with the command line's
// overrides (-n, -N, -dS) and starts it: listeners, stats sockets, log
// targets, pidfile, privileges. A failure is printed as HAProxy's startup
// alerts and what was opened is closed. Health checks start later
// (startChecks), once the caller has reported ready.
func startWorker(o workerOptions, res *haproxy.Result, listen ListenFunc) (*worker, error) {
	plan := haproxycfg.Build(res.Config)
	if o.MaxConn > 0 {
		plan.Proxy.MaxConn = o.MaxConn
	}
	if o.NoSplice {
		plan.Proxy.NoSplice = true
	}
	if o.MaxPConn > 0 {
		for _, f := range plan.Proxy.Frontends {
			if f.MaxConn == 0 {
				f.MaxConn = o.MaxPConn
			}
		}
	}
	w := &worker{o: o, plan: plan, startupLogs: startupLogs(o, res), hardStopAfter: hardStopAfterOf(res)}
	w.states, _ = serverStates(res.Config, plan) // its messages were printed with the configuration's
	if err := w.start(listen); err != nil {
		pr := &haproxy.Printer{W: o.Stderr, PID: os.Getpid(), Version: haproxy.Version + "-goha", Executable: executable(), Quiet: o.Quiet}
		for _, line := range strings.Split(err.Error(), "\n") {
			pr.Print(haproxy.Diagnostic{Severity: haproxy.Alert, Text: line})
		}
		w.close()
		return nil, err
	}
	return w, nil
}

// defaultMaxconn is HAProxy 2.6's global maxconn when none is configured:
// half of the file descriptors left after its reserve, one per listener
// and one per checked server (measured: ulimit -n 1024, 4096 and 20000
// with two listeners give 498, 2034 and 9986; two checks take one more).
// The limit is the one the process started with, under fd-hard-limit
// (compared as a signed number, as HAProxy does there); ulimit-n does not
// change it (measured: ulimit-n 4000 under 20000 still gives 9986).
func defaultMaxconn(plan *haproxycfg.Plan) int {
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) != nil {
		return 0
	}
	limit := int(min(rl.Cur, 1<<31-1))
	if h := plan.Process.FDHardLimit; h != 0 && limit > h {
		limit = h
	}
	if limit > 1<<30 {
		return 0
	}
	return haproxy.DefaultMaxconn(limit, fdReserve(plan))
}

// fdReserve is the descriptors HAProxy keeps besides two per connection:
// 26, one per listener and one per checked server.
func fdReserve(plan *haproxycfg.Plan) int {
	used := haproxy.FDReserveBase + len(plan.StatsSockets) + len(plan.Checks)
	for _, f := range plan.Proxy.Frontends {
		used += len(f.Binds)
	}
	return used
}

// chdirFlag applies -C <dir> before anything is read, as HAProxy does
// (relative -f paths, errorfiles and pidfiles then start from dir).
func chdirFlag(fl *Options, stderr io.Writer) bool {
	if err := os.Chdir(fl.Chdir); err != nil {
		pr := &haproxy.Printer{W: stderr, PID: os.Getpid(), Version: haproxy.Version + "-goha", Executable: executable(), Quiet: fl.Quiet}
		pr.Print(haproxy.Diagnostic{Severity: haproxy.Alert, Text: fmt.Sprintf("Could not change to directory %s : %s", fl.Chdir, errnoText(err))})
		return false
	}
	return true
}

// errnoText is strerror's wording of err's errno ("No such file or
// directory"), or err itself.
func errnoText(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err.Error()
	}
	t := errno.Error()
	if t == "" {
		return t
	}
	return strings.ToUpper(t[:1]) + t[1:]
}

func notifyReady(o workerOptions, err error) {
	if o.Ready != nil {
		o.Ready(err)
	}
}

// worker is one running configuration.
type worker struct {
	o    workerOptions
	plan *haproxycfg.Plan
	// hardStopAfter is global hard-stop-after (hardstop.go); 0: none.
	hardStopAfter time.Duration
	startupLogs   string // `show startup-logs` (run_cli_misc.go)
	px            *proxy.Proxy
	events        *eventLog
	stopRings     context.CancelFunc // ends the rings' forwarding (run_logs.go)
	checks        *check.Runner      // nil without checks
	// profStop ends the optional CPU profile (run_pprof.go).
	profStop func()
	stats    []io.Closer
	stop     func() // stops health checks
	// ulimitN is the descriptor limit as `show info` reports it (0: 2 x
	// maxconn + reserve, what HAProxy asks for).
	ulimitN uint64
	// cliConns counts stats socket connections, which HAProxy counts in
	// show info's CumConns and CumReq (and the exporter's totals).
	cliConns atomic.Int64
	// rt is what runtime API commands changed (run_runtime.go).
	rt    runtimeState
	peers []*peernet.Node                        // the running peers sections (run_peers.go)
	dns   atomic.Pointer[map[string]*dnsSection] // the running resolvers sections (run_dns.go)
	// srvSlots is the SRV slots' names for show servers state (run_srv.go)
	srvSlots srvSlots
	mail     map[string]*mailalert.Queue // email alerts by proxy, set before the checks start (run_mail.go)
	// states are what the server-state files carry over (run_state.go)
	states []serverstate.Effect
}

// sizeFDLimit raises RLIMIT_NOFILE for maxconn as HAProxy does
// (run_fdlimit.go) and prints its warnings; a fatal outcome is the error.
func (w *worker) sizeFDLimit() error {
	maxconn := w.plan.Proxy.MaxConn
	if maxconn <= 0 {
		return nil
	}
	fd := raiseFDLimit(fdLimitWant{Maxconn: maxconn, Maxsock: 2*maxconn + fdReserve(w.plan), UlimitN: w.plan.Process.UlimitN,
		HardLimit: w.plan.Process.FDHardLimit, Strict: w.plan.Process.StrictLimits}, getFDLimit, setFDLimit)
	if fd.Fatal {
		return errors.New(strings.Join(fd.Alerts, "\n"))
	}
	w.ulimitN = fd.UlimitN
	pr := &haproxy.Printer{W: w.o.Stderr, PID: os.Getpid(), Version: haproxy.Version + "-goha", Executable: executable(), Quiet: w.o.Quiet}
	for _, m := range fd.Warnings {
		pr.Print(haproxy.Diagnostic{Severity: haproxy.Warning, Text: m})
	}
	for _, m := range fd.Alerts {
		pr.Print(haproxy.Diagnostic{Severity: haproxy.Alert, Text: m})
	}
	return nil
}

func (w *worker) start(listen ListenFunc) error {
	if n := w.plan.Process.Nbthread; n > 0 {
		runtime.GOMAXPROCS(n)
	}
	if w.plan.Proxy.MaxConn == 0 {
		w.plan.Proxy.MaxConn = defaultMaxconn(w.plan)
	}
	for _, b := range w.plan.Proxy.Backends {
		if b.FullConn == 0 {
			b.FullConn = haproxy.DefaultFullconn(w.plan.Proxy.FrontendMaxconn(b.Name))
		}
	}
	if err := w.sizeFDLimit(); err != nil {
		return err
	}
	if err := resolveServers(w.plan.Proxy, w.plan.Checks, lastAddrs(w.states)); err != nil {
		return err
	}
	events, err := openEventLog(w.plan, w.o.Stderr, w.o.Quiet)
	if err != nil {
		return err
	}
	w.events = events
	w.setSinks()
	if err := w.startLogForwards(events.opts); err != nil {
		return err
	}
	proxy.ResetProcVars() // a new configuration sets its own
	for _, set := range w.plan.ProcVars {
		set(&proxy.RequestInfo{})
	}
	px, err := proxy.New(w.plan.Proxy, proxy.Options{Log: events.trafficLogger(), Logs: events.logsTraffic, Listen: listen, ReusePort: w.plan.Process.ReusePort,
		ConnError: events.connErrorLogger(), Observe: w.observe, WarmedUp: w.warmedUp,
		Alert: func(px, msg string) { events.event(px, levelAlert, msg) }, FCGIStderr: events.fcgiStderr})
	if err != nil {
		return err
	}
	w.px = px
	w.startTrackMaint()
	bindStatsPages(w)
	if w.checks, err = w.newChecks(); err != nil {
		return err
	}
	w.applyServerStates(w.states) // before checks and traffic, as HAProxy
	if w.plan.Promex != nil {
		// use-service prometheus-exporter reads what `show stat` shows.
		w.plan.Promex.SetSource(&runtimeSource{w: w})
	}
	if err := px.Start(); err != nil {
		return startError(w.plan, err)
	}
	if err := w.startPeers(); err != nil {
		return err
	}
	for _, ss := range w.plan.StatsSockets {
		c, err := openStatsSocket(ss, w)
		if err != nil {
			return err
		}
		if c != nil {
			w.stats = append(w.stats, c)
		}
	}
	if w.o.MasterCLI != nil {
		serveMasterCLI(w, w.o.MasterCLI)
	}
	if !w.o.NoPidfile {
		pidfile := w.o.Pidfile
		if pidfile == "" {
			pidfile = w.plan.Process.Pidfile
		}
		if pidfile != "" {
			if err := os.WriteFile(pidfile, []byte(fmt.Sprintf("%d\n", os.Getpid())), 0o644); err != nil {
				return fmt.Errorf("[haproxy.main()] Cannot create pidfile %s", pidfile)
			}
		}
	}
	return dropPrivileges(w.plan.Process)
}

// startError words a bind failure like HAProxy's startup alerts:
//
//	Binding [file:line] for frontend fe: cannot bind socket (Address already in use) for [127.0.0.1:80]
//	[haproxy.main()] Some protocols failed to start their listeners! Exiting.
func startError(plan *haproxycfg.Plan, err error) error {
	var op *net.OpError
	var errno syscall.Errno
	if !errors.As(err, &op) || op.Addr == nil || !errors.As(err, &errno) {
		return fmt.Errorf("Starting proxies: %v", err)
	}
	addr := op.Addr.String()
	for _, b := range plan.Binds {
		if b.Addr != addr {
			continue
		}
		kind := "frontend"
		if b.Kind == "listen" {
			kind = "proxy"
		}
		text := errnoText(errno)
		return fmt.Errorf("Binding [%s:%d] for %s %s: cannot bind socket (%s) for [%s]\n[haproxy.main()] Some protocols failed to start their listeners! Exiting.",
			b.Pos.File, b.Pos.Line, kind, b.Proxy, text, addr)
	}
	return fmt.Errorf("Starting proxies: %v", err)
}

func (w *worker) close() {
	w.stopPeers()
	if w.stopRings != nil {
		w.stopRings()
	}
	for _, c := range w.stats {
		c.Close()
	}
	if w.stop != nil {
		w.stop()
	}
	if w.px != nil {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		w.px.Shutdown(ctx)
	}
}

// wait serves the worker's signals (sigs: runWorker's channel) until it
// stops.
func (w *worker) wait(sigs <-chan os.Signal) int {
	for sig := range sigs {
		switch sig {
		case syscall.SIGHUP:
			w.dumpStates()
		case syscall.SIGUSR1:
			// SIGTERM still ends a soft-stopping worker at once, as in
			// HAProxy: the master sends it when hard-stop-after expires.
			stopped := make(chan struct{})
			go func() { w.softStop(); close(stopped) }()
			expired := w.hardStopTimer() // hardstop.go
			for {
				select {
				case <-stopped:
					return 0
				case <-expired:
					return w.hardStopExpired(stopped)
				case sig := <-sigs:
					if sig == syscall.SIGTERM || sig == syscall.SIGINT {
						w.hardStop(sig.(syscall.Signal))
						return 128 + int(sig.(syscall.Signal))
					}
				}
			}
		case syscall.SIGTERM, syscall.SIGINT:
			w.hardStop(sig.(syscall.Signal))
			return 128 + int(sig.(syscall.Signal))
		}
	}
	return 0
}

// hardStop ends the process the way HAProxy's does on SIGTERM: nothing is
// logged and the process dies of the signal (exit status 128+n to a shell).
func (w *worker) hardStop(sig syscall.Signal) {
	if w.profStop != nil {
		w.profStop()
	}
	if w.o.Signals != nil {
		w.close()
		return
	}
	signal.Reset(sig)
	syscall.Kill(os.Getpid(), sig)
	time.Sleep(time.Second) // the signal's default action ends the process
	os.Exit(128 + int(sig))
}

// sigintIgnoredAtStart is read before any Notify takes SIGINT over.
var sigintIgnoredAtStart = signal.Ignored(syscall.SIGINT)

// softStop logs "Proxy X stopped (cumulated conns: ...)" for each proxy at
// warning level, in HAProxy's order (proxies with listeners, the stats
// socket's GLOBAL, backends, the internal HTTP client), then stops
// accepting and waits for in-flight transactions.
func (w *worker) softStop() {
	if g := w.plan.Process.Grace; g > 0 {
		// global grace: the stopping fetch turns true, the listeners
		// keep accepting until it ends (messages as HAProxy 2.6's).
		w.px.MarkStopping()
		w.events.stderrOnly(fmt.Sprintf("Scheduling a soft-stop in %d ms.", g.Milliseconds()), levelNotice)
		time.Sleep(g)
		w.events.stderrOnly("Grace period expired, proceeding with soft-stop now.", levelNotice)
	}
	if w.stop != nil {
		w.stop()
	}
	handedOver := w.handoverPeers() // run_peers.go
	for _, c := range w.stats {
		c.Close()
	}
	fe := map[string]int64{}
	for _, f := range w.px.Frontends() {
		fe[f.Name] = f.Stats.Sessions
	}
	be := map[string]int64{}
	for _, b := range w.px.Backends() {
		be[b.Name] = b.Stats.Sessions
	}
	stopped := func(name string) {
		w.events.warning(name, fmt.Sprintf("Proxy %s stopped (cumulated conns: FE: %d, BE: %d).", name, fe[name], be[name]))
	}
	done := map[string]bool{}
	for _, f := range w.plan.Proxy.Frontends {
		stopped(f.Name)
		done[f.Name] = true
	}
	if len(w.plan.StatsSockets) > 0 {
		w.events.stderrOnly("Proxy GLOBAL stopped (cumulated conns: FE: 0, BE: 0).", levelWarning)
	}
	for _, b := range w.plan.Proxy.Backends {
		if !done[b.Name] {
			stopped(b.Name)
		}
	}
	w.events.warning("", "Proxy <HTTPCLIENT> stopped (cumulated conns: FE: 0, BE: 0).")
	if w.o.OnSoftStop != nil {
		w.o.OnSoftStop() // the socket closes with the proxy's own listener below
	}
	w.px.Shutdown(context.Background())
	<-handedOver
	w.stopPeers()
	w.events.close()
	if w.profStop != nil {
		w.profStop()
	}
}
