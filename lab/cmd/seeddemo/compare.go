package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/goha-lb/goha/lab/seedlab"
)

// compareLoop is the client loop of each measured failure.
const compareLoop = 6 * time.Second

// runCompare measures every failure mode with goha and with the reference
// daemons and writes the table into the README between the compare
// markers.
func runCompare(ctx context.Context, base seedlab.Options, binDir, readme string, nruns int, stdout, stderr io.Writer) int {
	// Fail before minutes of measuring if the markers are missing.
	doc, err := os.ReadFile(readme)
	if err == nil {
		_, err = seedlab.ReplaceBetween(doc, seedlab.CompareBegin, seedlab.CompareEnd, "")
	}
	if err != nil {
		fmt.Fprintf(stderr, "seeddemo: %s: %v\n", readme, err)
		return 1
	}
	impls := []seedlab.Impl{seedlab.Goha(binDir), seedlab.Reference()}
	results := map[string][]seedlab.ModeResult{}
	failed := false
	for _, impl := range impls {
		for _, mode := range seedlab.Modes {
			var runs []seedlab.ModeResult
			for i := 0; i < nruns; i++ {
				if ctx.Err() != nil {
					return 1
				}
				opts := base
				opts.LB1, opts.LB2 = impl, impl
				r, err := seedlab.MeasureMode(ctx, opts, mode, compareLoop)
				if err != nil {
					fmt.Fprintf(stdout, "%-10s %-28s error: %v\n", impl.Name, mode.Name, err)
					failed = true
					continue
				}
				fmt.Fprintf(stdout, "%-10s %-28s %s (expected: %s%s)\n", impl.Name, mode.Name, r.Load.Summary, r.Expect, verdict(r))
				failed = failed || !r.OK
				runs = append(runs, r)
			}
			if len(runs) > 0 {
				results[impl.Name] = append(results[impl.Name], seedlab.Median(runs))
			}
		}
	}
	table := seedlab.CompareTable([]string{"goha", "reference"}, results,
		seedlab.CompareNote(seedlab.DefaultLoop(seedlab.VIP+":80", compareLoop), nruns, time.Now()))
	// Read again: the measurement takes minutes, and the README may have
	// changed meanwhile; only the text between the markers is ours.
	if doc, err = os.ReadFile(readme); err != nil {
		fmt.Fprintln(stderr, "seeddemo:", err)
		return 1
	}
	out, err := seedlab.ReplaceBetween(doc, seedlab.CompareBegin, seedlab.CompareEnd, table)
	if err != nil {
		fmt.Fprintf(stderr, "seeddemo: %s: %v\n", readme, err)
		return 1
	}
	if err := os.WriteFile(readme, out, 0o644); err != nil {
		fmt.Fprintln(stderr, "seeddemo:", err)
		return 1
	}
	fmt.Fprintf(stdout, "\n%s\nwritten to %s\n", table, readme)
	if failed {
		return 1
	}
	return 0
}

func verdict(r seedlab.ModeResult) string {
	if r.OK {
		return ": held"
	}
	return ": DID NOT HOLD, " + r.Why
}
