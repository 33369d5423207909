// Command failover measures VRRP failover gaps of gokeepalived next to
// keepalived 2.2.7 in the same namespace lab (seed configs unchanged on
// both load balancers): for SIGTERM, SIGKILL and link down of the master
// lb1, the time until the VIP appears on lb2 and, once lb1 is back, until
// it is on lb1 again. It needs root and prints a Markdown table.
//
//	go run ./lab/interop/cmd/failover [-runs 3] [-gokeepalived PATH]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/goha-lb/goha/lab/interop"
)

func main() {
	runs := flag.Int("runs", 3, "runs per fault and implementation")
	bin := flag.String("gokeepalived", "", "gokeepalived binary (default: go build ./cmd/gokeepalived)")
	only := flag.String("only", "", "measure only this implementation (keepalived or gokeepalived)")
	flag.Parse()
	if err := run(*runs, *bin, *only); err != nil {
		fmt.Fprintln(os.Stderr, "failover:", err)
		os.Exit(1)
	}
}

func run(runs int, bin, only string) error {
	if runs < 1 || runs > 10 {
		return fmt.Errorf("-runs %d: want 1..10", runs)
	}
	goImpl := interop.Impl{Name: "gokeepalived", Path: bin}
	if bin == "" {
		// Not under /tmp: the daemons get a private /tmp.
		dir, err := os.MkdirTemp("/var/tmp", "failover-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if goImpl, err = interop.BuildGokeepalived(".", dir); err != nil {
			return err
		}
	}
	lb1, err := interop.SeedConf(".", "keepalived-lb1.conf")
	if err != nil {
		return err
	}
	lb2, err := interop.SeedConf(".", "keepalived-lb2.conf")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var all []interop.Gap
	impls := []interop.Impl{interop.Keepalived, goImpl}
	var names []string
	for _, impl := range impls {
		if only != "" && impl.Name != only {
			continue
		}
		names = append(names, impl.Name)
		fmt.Fprintf(os.Stderr, "measuring %s (%d runs per fault)...\n", impl.Name, runs)
		gaps, err := interop.MeasureFailover(ctx, impl, lb1, lb2, runs)
		if err != nil {
			return err
		}
		all = append(all, gaps...)
	}
	if len(names) == 0 {
		return fmt.Errorf("-only %q: want keepalived or gokeepalived", only)
	}
	fmt.Print(interop.FailoverTable(all, names))
	return nil
}
