// Command gohaproxy is a drop-in replacement for HAProxy 2.6: the same
// command line and haproxy.cfg grammar.
//
// This package keeps the command line (flags.go) and main; the daemon
// (-c, worker, master-worker, runtime API) is internal/haproxycmd.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/goha-lb/goha/internal/haproxycmd"
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
		haproxycmd.PrintVersion(stdout, true)
		return 0
	case fl.version:
		haproxycmd.PrintVersion(stdout, false)
		return 0
	}
	fl.Usage = usage
	return haproxycmd.Run(&fl.Options, stdout, stderr)
}
