// Command seeddemo is `make demo`: it runs the tutorial the project was
// created from (testdata/seed) in a throw-away network-namespace lab and
// checks every step, with goha's daemons or the reference ones.
//
//	seeddemo [-impl goha|reference] [-bin DIR]
//	seeddemo -compare [-readme README.md]   (`make compare`)
//
// It builds nothing (the Makefile does) and exits 0 only if every step held.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/goha-lb/goha/lab/seedlab"
)

// serveBackendsArg is the hidden mode the lab re-executes this binary in,
// inside the backend namespace, to serve the seed's three sites.
const serveBackendsArg = "__serve-seed-backends"

func main() {
	if len(os.Args) == 2 && os.Args[1] == serveBackendsArg {
		if err := seedlab.ServeBackends(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "seeddemo backends:", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("seeddemo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	implName := fs.String("impl", "goha", "daemons on both load balancers: goha (bin/gokeepalived, bin/gohaproxy) or reference (keepalived, haproxy)")
	binDir := fs.String("bin", "", "directory of gokeepalived and gohaproxy (default: <repo>/bin)")
	compare := fs.Bool("compare", false, "measure every failure mode with both implementations and write the table into -readme")
	readme := fs.String("readme", "", "README to update with -compare (default: <repo>/README.md)")
	runs := fs.Int("runs", 3, "with -compare: runs per failure mode and implementation (the table shows the median)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if os.Geteuid() != 0 {
		fmt.Fprintln(stderr, "seeddemo: needs root (it creates network namespaces)")
		return 1
	}
	root, err := seedlab.FindRoot()
	if err != nil {
		fmt.Fprintln(stderr, "seeddemo:", err)
		return 1
	}
	if *binDir == "" {
		*binDir = filepath.Join(root, "bin")
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "seeddemo:", err)
		return 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// First Ctrl-C: stop the steps, then clean up normally. The lab's
	// processes run in their own process groups, so the terminal's signal
	// reaches only us.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		fmt.Fprintln(stderr, "\nseeddemo: interrupted, cleaning up the lab (again to exit at once; the next run removes what is left)")
		cancel()
		<-sigs
		os.Exit(130)
	}()
	opts := seedlab.Options{Backend: seedlab.BackendCommand, BackendArgv: []string{exe, serveBackendsArg},
		SeedDir: filepath.Join(root, "testdata", "seed")}
	if *compare {
		if *readme == "" {
			*readme = filepath.Join(root, "README.md")
		}
		if *runs < 1 || *runs > 9 {
			fmt.Fprintln(stderr, "seeddemo: -runs must be 1..9")
			return 2
		}
		return runCompare(ctx, opts, *binDir, *readme, *runs, stdout, stderr)
	}
	impl, err := seedlab.ImplByName(*implName, *binDir)
	if err != nil {
		fmt.Fprintln(stderr, "seeddemo:", err)
		return 2
	}
	opts.LB1, opts.LB2 = impl, impl
	return runDemo(ctx, opts, stdout, stderr)
}

func runDemo(ctx context.Context, opts seedlab.Options, stdout, stderr io.Writer) int {
	start := time.Now()
	fmt.Fprintf(stdout, "goha seed demo: the tutorial's two load balancers, run with %s (keepalived: %s, haproxy: %s)\n",
		opts.LB1.Name, opts.LB1.Keepalived, opts.LB1.Haproxy)
	fmt.Fprintf(stdout, "hosts: backend %s, lb1 %s, lb2 %s, client %s, VIP %s, in network namespaces on an isolated bridge\n",
		seedlab.BackendAddr, seedlab.LB1Addr, seedlab.LB2Addr, seedlab.ClientAddr, seedlab.VIP)
	s, err := seedlab.New(opts)
	if err != nil {
		fmt.Fprintln(stderr, "seeddemo: lab:", err)
		return 1
	}
	defer s.Close()
	sc := seedlab.NewScenario(s, stdout)
	runErr := sc.Run(ctx)
	fmt.Fprintf(stdout, "\n== timeline (%s)\n", time.Since(start).Round(100*time.Millisecond))
	sc.Timeline(stdout)
	switch {
	case runErr != nil:
		fmt.Fprintf(stdout, "\nRESULT: FAILED: %v\n", runErr)
		return 1
	case !sc.OK():
		fmt.Fprintf(stdout, "\nRESULT: FAILED (see the FAIL steps above)\n")
		return 1
	}
	fmt.Fprintf(stdout, "\nRESULT: every step held (%s)\n", opts.LB1.Name)
	if opts.LB1.Name == "goha" {
		fmt.Fprintln(stdout, "The same walk with Debian's keepalived + HAProxy: go run ./lab/cmd/seeddemo -impl reference")
	}
	return 0
}
