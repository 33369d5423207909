package keepalivedcmd

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/goha-lb/goha/internal/sdnotify"
	ka "github.com/goha-lb/goha/parser/keepalived"
	"github.com/goha-lb/goha/vrrp/daemon"
	"github.com/goha-lb/goha/vrrp/daemon/metrics"
)

// daemonEnv marks the re-executed child of a forking start.
const daemonEnv = "GOKEEPALIVED_DAEMON"

// Paths of keepalived's pid files and dumps.
const (
	defaultPidFile     = "/run/keepalived.pid"
	defaultVRRPPidFile = "/run/keepalived_vrrp.pid"
	dataFile           = "/tmp/keepalived.data"
	statsFile          = "/tmp/keepalived.stats"
	jsonFile           = "/tmp/keepalived.json"
)

// sigJSON is keepalived's JSON dump signal (--signum JSON), SIGRTMIN+2.
const sigJSON = syscall.Signal(36)

// Run is keepalived without -t: load the configuration, run the VRRP
// instances until SIGTERM/SIGINT, reload on SIGHUP, dump on SIGUSR1/USR2.
// It returns the process's exit status; stderr is the console of -l.
func Run(o Options, stderr io.Writer) int {
	if !o.DontFork && os.Getenv(daemonEnv) == "" {
		return daemonize(o, stderr)
	}
	lg, err := newLogger(o, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "gokeepalived: %v\n", err)
		return 1
	}
	defer lg.close()

	pid := os.Getpid()
	notify := systemdNotifier()
	lg.printf("Starting Keepalived v2.2.7 (gokeepalived)")
	lg.printf("Command line: gokeepalived %s", strings.Join(o.Args, " "))
	for _, n := range o.Notices {
		lg.printf("%s", n)
	}
	if o.LogDetail {
		lg.printf("Opening file '%s'.", o.File)
	}
	// The configuration is read before any pid file is written, so a
	// broken start leaves nothing behind.
	cfg, refusal, ok := loadConfig(o, lg)
	if !ok {
		lg.printf("Stopping")
		return 1
	}
	pidFiles := []string{pathOr(o.PidFile, defaultPidFile), pathOr(o.VRRPPidFile, defaultVRRPPidFile)}
	for _, p := range pidFiles {
		if err := os.WriteFile(p, []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
			lg.printf("Unable to write pidfile %s: %v", p, err)
		}
	}
	defer func() {
		for _, p := range pidFiles {
			os.Remove(p)
		}
		lg.printf("Stopped Keepalived v2.2.7 (gokeepalived)")
	}()
	lg.printf("Starting VRRP child process, pid=%d", pid)
	if len(refusal) > 0 {
		// keepalived 2.2.7's VRRP process prints the missing-interface
		// messages, exits with a permanent config error and the parent
		// terminates with exit status 2, telling systemd ERRNO=22
		// (EINVAL). A file using a feature gokeepalived does not run is
		// refused the same way (issue 16: fail closed).
		for _, m := range refusal {
			lg.printf("%s", m)
		}
		lg.printf("Stopped")
		lg.printf("pid %d exited with permanent error CONFIG. Terminating", pid)
		notify("ERRNO=22")
		return 2
	}

	var metricsLn net.Listener
	if o.MetricsAddr != "" {
		// Bound before the instances start: a daemon asked for metrics it
		// cannot serve refuses to start instead of running unobserved.
		if metricsLn, err = metrics.Listen(o.MetricsAddr); err != nil {
			lg.printf("goha: cannot listen for metrics on %s: %v", o.MetricsAddr, err)
			lg.printf("Stopped")
			return 1
		}
	}

	r := daemon.New(cfg, daemon.Options{Edge: daemon.NewLinuxEdge(), Log: func(s string) { lg.printf("%s", s) }, Detail: o.LogDetail})

	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2, sigJSON)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	if metricsLn != nil {
		lg.printf("goha: serving metrics on http://%s/metrics", metricsLn.Addr())
		go func() {
			if err := metrics.Serve(ctx, metricsLn, r); err != nil {
				lg.printf("goha: metrics listener: %v", err)
			}
		}()
	}
	ready := fmt.Sprintf("READY=1\nMAINPID=%d", pid)
	notify(ready)
	for {
		select {
		case err := <-done:
			cancel()
			if err != nil {
				lg.printf("%v", err)
				return 1
			}
			return 0
		case s := <-sigs:
			switch s {
			case syscall.SIGTERM, syscall.SIGINT:
				notify("STOPPING=1")
				cancel()
				err := <-done
				if err != nil {
					lg.printf("%v", err)
					return 1
				}
				return 0
			case syscall.SIGHUP:
				// keepalived 2.2.7 reloads an empty configuration when the
				// file is gone (every VIP dropped); gokeepalived keeps the
				// running one instead.
				notify("RELOADING=1")
				lg.printf("Reloading ...")
				// keepalived 2.2.7 terminates when the new file names a
				// missing interface; gokeepalived keeps the VIPs it runs,
				// as it does for a file with an unsupported feature.
				if next, refusal, ok := loadConfig(o, lg); ok && len(refusal) == 0 {
					r.Reload(next)
				} else {
					for _, m := range refusal {
						lg.printf("%s", m)
					}
					lg.printf("goha: reload failed: keeping the running configuration")
				}
				notify(ready)
			case syscall.SIGUSR1:
				writeDump(lg, dataFile, r.Data())
			case syscall.SIGUSR2:
				writeDump(lg, statsFile, r.Stats())
			case sigJSON:
				writeDump(lg, jsonFile, r.JSON())
			}
		}
	}
}

// systemdNotifier returns how to tell systemd about start, reload and
// stop. keepalived 2.2.7 notifies only when its parent is systemd (pid 1
// named systemd) and takes NOTIFY_SOCKET out of the environment, so
// scripts it runs do not inherit it; the messages and their moments are
// keepalived's, measured under a systemd-named parent: "READY=1\nMAINPID=N"
// at "Startup complete" and again after each reload, "RELOADING=1" on
// SIGHUP, "STOPPING=1" on SIGTERM; nothing for a file that cannot be read
// (the exit status tells systemd). A forked daemon (no -n) never notifies: a Type=notify unit runs
// it with --dont-fork.
func systemdNotifier() func(state string) {
	socket := os.Getenv("NOTIFY_SOCKET")
	if socket == "" || os.Getenv(daemonEnv) != "" || !sdnotify.IsSystemd("/proc", os.Getppid()) {
		return func(string) {}
	}
	os.Unsetenv("NOTIFY_SOCKET")
	return func(state string) { sdnotify.NotifyTo(socket, state) }
}

func pathOr(p, def string) string {
	if p == "" {
		return def
	}
	return p
}

func writeDump(lg *logger, path, s string) {
	if err := writePrivate(path, []byte(s)); err != nil {
		lg.printf("Unable to write %s: %v", path, err)
	}
}

// writePrivate writes a dump as keepalived 2.2.7's fopen_safe does: a new
// file of mode 0600 in the same directory, renamed over the path, so that
// nobody who had the old file open, and no symbolic link planted at the
// path, sees what is written.
func writePrivate(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o600)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// loadConfig lints the file and maps it. File-level messages are logged
// at once, as keepalived's parent logs them while reading; instance-level
// ones (and goha's notices) go to Config.Notices, which the runner logs
// when it starts or reloads the instances, where keepalived's VRRP
// process prints them. A file that cannot be read
// or parsed is refused (on reload the running configuration stays).
// refusal holds the lines to log before refusing a file that was read:
// the messages about instance interfaces the host lacks, in the VRRP
// process's "(FILE: Line N)" form, which keepalived prints before refusing
// the configuration, and goha's alerts about features gokeepalived does not
// run (unless the operator allowed them). It is empty when the file can run.
func loadConfig(o Options, lg *logger) (cfg *daemon.Config, refusal []string, ok bool) {
	id := o.ConfigID
	if id == "" {
		id = ka.DefaultConfigID()
	}
	lg.printf("Configuration file %s", o.File)
	res := ka.Lint(ka.Options{File: o.File, ConfigID: id, Interfaces: HostInterfaces(), AllowUnsupported: o.AllowUnsupported})
	var later, missingIface, unsupported []string
	for _, d := range res.Diagnostics {
		if d.MissingInterface {
			missingIface = append(missingIface, d.Text())
			continue
		}
		t := runtimeText(d, o.File)
		switch {
		case d.Unsupported && !o.AllowUnsupported:
			unsupported = append(unsupported, t)
		case d.GohaOnly || (d.Line == 0 && strings.HasPrefix(d.Message, "(")):
			later = append(later, t)
		default:
			lg.printf("%s", t)
		}
	}
	if res.Config == nil || res.LintExitCode == 2 {
		lg.printf("Configuration file %s could not be loaded", o.File)
		return nil, nil, false
	}
	if _, err := os.Stat(o.File); err != nil {
		lg.printf("Configuration file %s could not be read: %v", o.File, err)
		return nil, nil, false
	}
	for _, d := range ka.RouteDiagnostics(res.Config, o.AllowUnsupported) {
		if d.Unsupported && !o.AllowUnsupported {
			unsupported = append(unsupported, runtimeText(d, o.File))
		}
	}
	if len(unsupported) > 0 {
		unsupported = append(unsupported, refusalText)
	}
	if refusal = append(missingIface, unsupported...); len(refusal) > 0 {
		return nil, refusal, true
	}
	cfg, errs := daemon.MapConfig(res.Config, daemon.LinuxPrimaryAddr)
	for _, err := range errs {
		later = append(later, err.Error())
	}
	// The runner logs these with its own notices when it starts (or
	// reloads) the instances, where keepalived's VRRP process prints them.
	cfg.Notices = append(later, cfg.Notices...)
	return cfg, nil, true
}

// refusalText closes the list of unsupported features of a refused file.
const refusalText = "goha: the configuration uses features gokeepalived does not support: refusing it " +
	"(--allow-unsupported or " + AllowUnsupportedEnv + "=1 runs without them)"

// runtimeText renders a diagnostic as the running keepalived logs it:
// "(Line N) msg" for the main file (the daemon's first reading), with the
// file name for included files.
func runtimeText(d ka.Diagnostic, mainFile string) string {
	s := d.Message
	switch {
	case d.Line > 0 && d.File == mainFile:
		s = fmt.Sprintf("(Line %d) %s", d.Line, s)
	case d.Line > 0:
		s = fmt.Sprintf("(%s: Line %d) %s", d.File, d.Line, s)
	}
	if d.GohaOnly {
		s = "goha: " + s
	}
	return s
}

// daemonize re-executes the program detached (new session, stdio on
// /dev/null), as keepalived forks into the background, and returns at once.
func daemonize(o Options, stderr io.Writer) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "gokeepalived: %v\n", err)
		return 1
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		fmt.Fprintf(stderr, "gokeepalived: %v\n", err)
		return 1
	}
	defer null.Close()
	argv := append([]string{os.Args[0]}, o.Args...)
	p, err := os.StartProcess(exe, argv, &os.ProcAttr{
		Env:   append(os.Environ(), daemonEnv+"=1"),
		Files: []*os.File{null, null, null},
		Sys:   &syscall.SysProcAttr{Setsid: true},
	})
	if err != nil {
		fmt.Fprintf(stderr, "gokeepalived: %v\n", err)
		return 1
	}
	p.Release()
	return 0
}
