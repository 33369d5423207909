// Command gohaproxy is a drop-in replacement for HAProxy.
//
// -c checks the configuration; otherwise the proxy runs (run.go).
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/haproxycfg"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process exit, for tests.
func run(args []string, stdout, stderr io.Writer) int {
	fl, err := parseFlags(args)
	if err != nil {
		fmt.Fprintf(stderr, "[ALERT]    (%d) : %s\n", os.Getpid(), err)
		usage(stderr)
		return 1
	}
	switch {
	case fl.help:
		usage(stderr)
		return 1
	case fl.versionVerbose:
		printVersion(stdout, true)
		return 0
	case fl.version:
		printVersion(stdout, false)
		return 0
	}
	if fl.chdir != "" && !chdirFlag(fl, stderr) { // -C, run.go
		return 1
	}
	if fl.check {
		return checkMode(fl, stdout, stderr)
	}
	return runMode(fl, stderr)
}

// LoadConfig expands the -f paths, parses and checks them; the proxy runtime
// calls it and starts only when Exit is 0. What the runtime would not
// honour (the parser's and the adapter's goha notices) gets the fail-closed
// verdict: inert features warn, unsupported ones refuse the configuration
// unless allowUnsupported (parser/haproxy/policy.go).
// With verbose (-V) a global "quiet" silences nothing, as in HAProxy.
func LoadConfig(paths []string, allowUnsupported, verbose bool) *haproxy.Result {
	res := haproxy.Check(paths, nil)
	if verbose {
		res.Unquiet()
	}
	checkInheritedFDs(res) // bind fd@N, as HAProxy checks it while parsing (master_fdcheck.go)
	if res.Exit != 1 && res.Config != nil {
		res.Diags.List = append(res.Diags.List, haproxycfg.Build(res.Config).Notices.List...)
	}
	haproxy.ApplyPolicy(res, allowUnsupported)
	return res
}

func checkMode(fl *flags, stdout, stderr io.Writer) int {
	pr := &haproxy.Printer{W: stderr, PID: os.Getpid(), Version: haproxy.Version + "-goha", Executable: executable(),
		Quiet: fl.quiet, ShowGoha: fl.verbose, ShowDiag: fl.diagnostic}
	res := LoadConfig(fl.files, fl.allowUnsupported, fl.verbose)
	if fl.failOnWarning {
		haproxy.ZeroWarning(res)
	}
	for _, d := range res.Diags.List {
		pr.Print(d)
	}
	if res.Usage {
		if len(res.Diags.List) == 0 {
			printVersion(stderr, false)
		}
		usage(stderr)
		return res.Exit
	}
	if !fl.quiet {
		for _, l := range res.Stdout {
			fmt.Fprintln(stdout, l)
		}
	}
	return res.Exit
}

func executable() string {
	p, err := os.Executable()
	if err != nil {
		return "gohaproxy"
	}
	return p
}

func printVersion(w io.Writer, verbose bool) {
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
	}
}
