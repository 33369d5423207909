// Package haproxycmd is the gohaproxy daemon: what the command does once
// its flags are parsed. cmd/gohaproxy keeps HAProxy's command line and
// main; it fills an Options and calls Run (mdlayher/ndp's cmd/ndp over
// internal/ndpcmd is the model).
//
// Run checks a configuration (-c, Check) or runs it: in this process, in
// the background (-D, run_daemon.go), or under a master that starts,
// reloads and stops workers (-W/-Ws, master*.go; the workers are this
// binary again, told by the environment). One worker (run.go) maps the
// parsed configuration with proxy/haproxycfg, runs proxy.Proxy, the health
// checks (run_checks.go) and the log targets (run_logs.go), and serves the
// runtime API on its stats sockets (run_stats.go). Per-server admin and
// check state lives in proxy (proxy.ServerStatus): a runtime `disable
// server` goes runtimeapi -> this package -> proxy -> balance.
package haproxycmd

import (
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/haproxycfg"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// Options is HAProxy 2.6's command line as cmd/gohaproxy parsed it. Every
// field acts as in HAProxy; Inactive lists what is accepted without effect.
type Options struct {
	Files   []string // -f, and bare arguments
	Check   bool     // -c
	Quiet   bool     // -q
	Verbose bool     // -V: also print goha's notices
	// AllowUnsupported is --allow-unsupported or GOHA_ALLOW_UNSUPPORTED=1.
	AllowUnsupported              bool
	Daemon, MasterWorker, Systemd bool // -D, -W, -Ws
	Debug, NoBackground, NoSplice bool // -d, -db, -dS
	FailOnWarning, Diagnostic     bool // -dW, -dD
	Pidfile                       string
	LocalPeer                     string // -L: the local peer's name
	SocketFrom                    string // -x
	Chdir                         string // -C
	// MaxConn and MaxPConn are -n and -N (0: not given).
	MaxConn, MaxPConn  int
	MasterCLI          []string // -S
	SoftStop, HardStop []string // -sf, -st pids
	// Inactive are the flags accepted without effect, as written; the
	// process started by hand warns about them once.
	Inactive []string
	// Usage prints the command's usage; HAProxy prints it after a
	// configuration that names no file. nil: nothing is printed.
	Usage func(io.Writer)
}

// Run is gohaproxy after its flags: -C, then the check (-c) or the
// daemon. It returns the exit code.
func Run(o *Options, stdout, stderr io.Writer) int {
	if o.Chdir != "" && !chdirFlag(o, stderr) { // -C, run.go
		return 1
	}
	if o.Check {
		return checkMode(o, stdout, stderr)
	}
	return runMode(o, stderr)
}

// LoadConfig expands the -f paths, parses and checks them; the proxy runtime
// calls it and starts only when Exit is 0. What the runtime would not
// honour (the parser's and the adapter's goha notices) gets the fail-closed
// verdict: inert features warn, unsupported ones refuse the configuration
// unless allowUnsupported (parser/haproxy/policy.go).
// With verbose (-V) a global "quiet" silences nothing, as in HAProxy.
// co holds -L and -W/-Ws.
func LoadConfig(paths []string, co haproxy.CheckOptions, allowUnsupported, verbose bool) *haproxy.Result {
	setStartEnv(co.LocalPeer) // run_env.go
	noteParseEnv()
	res := haproxy.CheckWith(paths, nil, co)
	if res.Config != nil {
		applyEnv(res.Config.Global.EnvOps)
		if res.Exit != 1 {
			setLoadedEnv(paths, res.Config, co.MasterWorker)
		}
	}
	if verbose {
		res.Unquiet()
	}
	checkInheritedFDs(res) // bind fd@N, as HAProxy checks it while parsing (master_fdcheck.go)
	if res.Exit != 1 && res.Config != nil {
		plan := haproxycfg.Build(res.Config)
		notes := plan.Notices.List
		res.Diags.List = append(res.Diags.List, notes...)
		noteBuildWarnings(res, notes)
		// the server-state files are read at -c too (run_state.go)
		_, states := serverStates(res.Config, plan)
		res.Diags.List = append(res.Diags.List, states...)
		noteBuildWarnings(res, states)
	}
	haproxy.ApplyPolicy(res, allowUnsupported)
	return res
}

func checkMode(o *Options, stdout, stderr io.Writer) int {
	pr := &haproxy.Printer{W: stderr, PID: os.Getpid(), Version: haproxy.Version + "-goha", Executable: executable(),
		Quiet: o.Quiet, ShowGoha: o.Verbose, ShowDiag: o.Diagnostic}
	res := LoadConfig(o.Files, haproxy.CheckOptions{LocalPeer: o.LocalPeer, MasterWorker: o.MasterWorker || o.Systemd}, o.AllowUnsupported, o.Verbose)
	checkMasterCLIFlags(res, o.MasterCLI, o.MasterWorker || o.Systemd) // master_cli.go
	if o.FailOnWarning {
		haproxy.ZeroWarning(res)
	}
	for _, d := range res.Diags.List {
		pr.Print(d)
	}
	if res.Usage {
		if len(res.Diags.List) == 0 {
			PrintVersion(stderr, false)
		}
		o.usage(stderr)
		return res.Exit
	}
	if !o.Quiet {
		for _, l := range res.Stdout {
			fmt.Fprintln(stdout, l)
		}
	}
	return res.Exit
}

func (o *Options) usage(w io.Writer) {
	if o.Usage != nil {
		o.Usage(w)
	}
}

func executable() string {
	p, err := os.Executable()
	if err != nil {
		return "gohaproxy"
	}
	return p
}

// PrintVersion prints -v's line, and with verbose -vv's feature list:
// only what goha has is marked +, so `.if feature(...)` takes the branch
// goha can run.
func PrintVersion(w io.Writer, verbose bool) {
	fmt.Fprintf(w, "gohaproxy (goha) mimicking HAProxy version %s - https://github.com/goha-lb/goha\n", haproxy.Version)
	if verbose {
		fmt.Fprintln(w, "Written in Go; configuration compatible with HAProxy 2.6.")
		fmt.Fprint(w, "Feature list :")
		has := map[string]bool{}
		for _, f := range haproxy.Features {
			has[f] = true
		}
		for _, f := range haproxy.FeatureNames {
			if has[f] {
				fmt.Fprint(w, " +"+f)
			} else {
				fmt.Fprint(w, " -"+f)
			}
		}
		fmt.Fprintln(w)
		printTLSLines(w)
	}
}

// printTLSLines prints the lines `haproxy -vv` gives its OpenSSL, in
// HAProxy's words (scripts read "OpenSSL library supports ..."), naming
// what goha really runs: Go's crypto/tls, TLS 1.0 to 1.3 (no SSLv3),
// with SNI and extensions (ALPN, tickets, OCSP stapling); RSA signatures
// by the libcrypto.so.3 opened at run time, or Go's when it did not load.
func printTLSLines(w io.Writer) {
	lib := "none, TLS by Go crypto/tls " + runtime.Version()
	fmt.Fprintf(w, "\nBuilt with OpenSSL version : %s\n", lib)
	fmt.Fprintf(w, "Running on OpenSSL version : %s, RSA signatures by %s\n", lib, tlsconf.RSASigner())
	fmt.Fprintln(w, "OpenSSL library supports TLS extensions : yes")
	fmt.Fprintln(w, "OpenSSL library supports SNI : yes")
	fmt.Fprintln(w, "OpenSSL library supports : TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3")
}

// noteBuildWarnings adds HAProxy's "Warnings were found." when the
// runtime adapter found what HAProxy warns of while loading (a
// certificate's OCSP response, a stats line in tcp mode), not goha's own
// notices, which the policy words later.
func noteBuildWarnings(res *haproxy.Result, notes []haproxy.Diagnostic) {
	for _, d := range notes {
		if d.Severity == haproxy.Warning && !d.Goha {
			for _, l := range res.Stdout {
				if l == "Warnings were found." {
					return
				}
			}
			res.Stdout = append([]string{"Warnings were found."}, res.Stdout...)
			return
		}
	}
}
