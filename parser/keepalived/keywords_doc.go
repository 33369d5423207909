package keepalived

//go:generate go run gen_keywords.go

import (
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
)

// docStatus is a class as KEYWORDS.md names it.
func docStatus(s Support) string {
	switch s {
	case Refused:
		return "unsupported (refused)"
	case Inert:
		return "inert (warned)"
	}
	return "honoured"
}

// mdCell quotes an argument doc for a Markdown table cell.
func mdCell(s string) string {
	if s == "" {
		return ""
	}
	return "`" + strings.ReplaceAll(s, "|", "\\|") + "`"
}

// parsedBy names the function typing the keyword: its row's handler, or
// the table's own typing function.
func parsedBy(tab *Table, k *Keyword) string {
	if k.handle == nil {
		if k.Sub != nil && k.Sub.typedBy != "" && tab == rootTable {
			return k.Sub.typedBy
		}
		return tab.typedBy
	}
	f := runtime.FuncForPC(reflect.ValueOf(k.handle).Pointer())
	file, _ := f.FileLine(f.Entry())
	name := f.Name()
	return filepath.Base(file) + ":" + name[strings.LastIndex(name, ".")+1:]
}

// auditedTables are the blocks of the VRRP process, in document order.
func auditedTables() []*Table {
	return []*Table{rootTable, globalDefsTable, authTable, vrrpInstanceTable, syncGroupTable, vrrpScriptTable, trackFileTable, trackProcessTable, garpGroupTable}
}

// KeywordsDoc is KEYWORDS.md, rendered from the keyword tables' rows
// (class, arguments or Range, Where). `go generate` writes it;
// TestKeywordsDoc fails when the committed file is stale.
func KeywordsDoc() string {
	var b strings.Builder
	b.WriteString(`# gokeepalived keyword audit

Generated from the keyword tables (` + "`keywords_vrrp.go`" + `, ` + "`keywords_checker.go`" + `) by
` + "`go generate ./parser/keepalived`" + `; do not edit. A test fails when this file is stale and when a
runtime keyword's row says nowhere where it is run.

Rule (fail closed): every keyword gokeepalived accepts has one class in the keyword table
(field ` + "`Support`" + ` of its row):

- **honoured**: run with keepalived 2.2.7's semantics.
- **unsupported (refused)**: parsed and checked as keepalived checks it, but not run.
  ` + "`gokeepalived -t`" + ` prints "goha: (FILE: Line N) 'KEYWORD' is parsed but not supported by
  gokeepalived yet" and exits 1 (or keepalived's own non-zero status); the daemon refuses to start
  (exit 2, "permanent error CONFIG", as keepalived for a config error) and a reload (SIGHUP) to
  such a file keeps the running configuration. The operator's override, ` + "`--allow-unsupported`" + `
  or ` + "`GOHA_ALLOW_UNSUPPORTED=1`" + `, turns these into warnings and runs without the feature.
- **inert (warned)**: keepalived's documented effect cannot change which VRRP state is taken,
  what is installed or sent, or which scripts run (process scheduling, buffer sizes, the checker's
  email switches): accepted with "goha: (FILE: Line N) 'KEYWORD' has no effect in goha: WHY".

Keywords typed although not run (field ` + "`Typed`" + ` of the row) still get keepalived's own checks (range
errors, strict-mode resets, deprecations). Values the runtime cannot honour (` + "`auth_type AH`" + `, a
group in ` + "`script_user`" + `/` + "`user`" + `, per-address ` + "`use_vmac`" + `, static ` + "`track_group`" + `, route and
rule options gokeepalived cannot install) are unsupported the same way.

`)
	for _, tab := range auditedTables() {
		fmt.Fprintf(&b, "## %s\n\n", tab.Name)
		if tab.defaultsIn != "" {
			fmt.Fprintf(&b, "Defaults: parser/keepalived/%s.\n\n", tab.defaultsIn)
		}
		b.WriteString("| keyword | arguments | parsed by (parser/keepalived/) | status | where run / what is missing |\n|---|---|---|---|---|\n")
		others := map[Support][]string{}
		for _, k := range tab.order {
			if k.Where == "" {
				if tab == rootTable && k.Group != grpVRRP && k.Group != grpGlobal {
					continue
				}
				others[k.Support] = append(others[k.Support], k.Name)
				continue
			}
			where := k.Where
			if k.Tests != "" {
				where += "; tests: " + k.Tests
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", k.Name, mdCell(k.ArgDoc()), parsedBy(tab, k), docStatus(k.Support), where)
		}
		if l := others[Refused]; len(l) > 0 {
			sort.Strings(l)
			fmt.Fprintf(&b, "\nAlso parsed, unsupported (refused): %s.\n", "`"+strings.Join(l, "`, `")+"`")
		}
		if l := others[Inert]; len(l) > 0 {
			byWhy := map[string][]string{}
			var whys []string
			for _, n := range l {
				w := tab.lookup(n).Why
				if byWhy[w] == nil {
					whys = append(whys, w)
				}
				byWhy[w] = append(byWhy[w], n)
			}
			b.WriteString("\nAlso parsed, inert (warned), by what has no effect:\n")
			for _, w := range whys {
				sort.Strings(byWhy[w])
				fmt.Fprintf(&b, "- %s: %s\n", w, "`"+strings.Join(byWhy[w], "`, `")+"`")
			}
		}
		b.WriteString("\n")
	}
	b.WriteString(`## Other blocks

` + "`track_group`, `bfd_instance`, `SSL`, `virtual_server_group`, `virtual_server`" + `
and everything inside them are parsed (the checker's blocks checked as keepalived -t checks
them) and unsupported (refused): the checker (LVS/IPVS) and BFD processes are not part of
gokeepalived.

## Known gaps below keyword level

- VIP line options: ` + "`peer`, `-nodad`, `preferred_lft` (IPv6), `home`, `mngtmpaddr`, `noprefixroute`, `autojoin`" + ` go on
  the address as keepalived adds it (vrrp/netio.VIP); a VIP's ` + "`dev`" + ` is tracked (FAULT while down)
  unless ` + "`no_track`" + `. Per-address ` + "`use_vmac`" + ` and static ` + "`track_group`" + ` are unsupported (refused).
- Route/rule options gokeepalived cannot install are unsupported (refused), per line (see vrrp/daemon/README.md).
`)
	return b.String()
}
