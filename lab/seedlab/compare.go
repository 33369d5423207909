package seedlab

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// README markers between which `make compare` writes its table.
const (
	CompareBegin = "<!-- compare:begin -->"
	CompareEnd   = "<!-- compare:end -->"
)

// CompareTable renders failure-mode results as a Markdown table, one row
// per mode, one column group per implementation (in the order given).
func CompareTable(impls []string, results map[string][]ModeResult, note string) string {
	var b strings.Builder
	b.WriteString("| failure of lb1 (master) |")
	for _, impl := range impls {
		fmt.Fprintf(&b, " %s: VIP on lb2 after | %s: gap | %s: failed requests |", impl, impl, impl)
	}
	b.WriteString("\n|---|")
	for range impls {
		b.WriteString("---:|---:|---:|")
	}
	b.WriteString("\n")
	for _, m := range Modes {
		fmt.Fprintf(&b, "| %s |", m.Name)
		for _, impl := range impls {
			r, ok := findResult(results[impl], m.Name)
			switch {
			case !ok:
				b.WriteString(" n/a | n/a | n/a |")
			case r.Why != "" && r.Load.Summary.Total == 0:
				b.WriteString(" error | error | error |")
			default:
				fmt.Fprintf(&b, " %s | %s | %d / %d |", movedText(r), gapText(r), r.Load.Summary.Failed, r.Load.Summary.Total)
			}
		}
		b.WriteString("\n")
	}
	if note != "" {
		b.WriteString("\n" + note + "\n")
	}
	return b.String()
}

func findResult(rs []ModeResult, mode string) (ModeResult, bool) {
	for _, r := range rs {
		if r.Mode == mode {
			return r, true
		}
	}
	return ModeResult{}, false
}

func movedText(r ModeResult) string {
	if !r.Load.MovedOK {
		return "stays on lb1"
	}
	return fmt.Sprintf("%.2f s", r.Load.Moved.Seconds())
}

func gapText(r ModeResult) string {
	s := r.Load.Summary
	if s.Failed == 0 {
		return "0 s"
	}
	g := fmt.Sprintf("%.2f s", s.Gap.Seconds())
	if !s.Recovered {
		g = "≥ " + g + " (no recovery)"
	}
	if !r.OK {
		g += " ✗"
	}
	return g
}

// Median returns the run with the median gap (ties broken by the VIP's
// move time), so a table cell is one real run, not a blend of several.
func Median(runs []ModeResult) ModeResult {
	if len(runs) == 0 {
		return ModeResult{}
	}
	sorted := append([]ModeResult(nil), runs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i].Load, sorted[j].Load
		if a.Summary.Gap != b.Summary.Gap {
			return a.Summary.Gap < b.Summary.Gap
		}
		return a.Moved < b.Moved
	})
	return sorted[(len(sorted)-1)/2]
}

// ReplaceBetween returns doc with the text between the begin and end
// markers replaced by body. Both markers must be present, in order.
func ReplaceBetween(doc []byte, begin, end, body string) ([]byte, error) {
	i := bytes.Index(doc, []byte(begin))
	j := bytes.Index(doc, []byte(end))
	if i < 0 || j < 0 || j < i {
		return nil, errors.New("seedlab: markers " + begin + " / " + end + " not found in order")
	}
	var out bytes.Buffer
	out.Write(doc[:i+len(begin)])
	out.WriteString("\n")
	out.WriteString(strings.TrimRight(body, "\n"))
	out.WriteString("\n")
	out.Write(doc[j:])
	return out.Bytes(), nil
}

// CompareNote explains how the table was measured.
func CompareNote(loop LoopConfig, runs int, when time.Time) string {
	return fmt.Sprintf("Measured by `make compare` on %s, median of %d runs per cell (by gap): seed lab (network namespaces), seed configs plus `version 3` + `accept`, "+
		"client loop of %d requests/s (timeout %s) through the VIP for %s (3 s / 4.5 s for the haproxy kills), lb1 failed %s in. "+
		"Gap = last success before to first success after the outage; failed = failed/total requests. "+
		"Requests are sequential, so fewer are sent while they time out. "+
		"SIGKILL kills keepalived only: the VIP stays on lb1, whose proxy keeps serving until lb2 takes over, so clients see no gap. "+
		"\"haproxy killed\": without a `vrrp_script` nothing moves the VIP, as with keepalived.",
		when.UTC().Format("2006-01-02"), runs, loop.Rate, loop.Timeout, loop.Duration, FaultAfter)
}
