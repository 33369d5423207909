package keepalived

import (
	"sort"
	"strings"
)

// kwKind says how keepalived reads what follows a keyword.
type kwKind uint8

const (
	kwScalar kwKind = iota // arguments on the keyword's line only
	kwValues               // a "{ ... }" block of value lines (virtual_ipaddress, track_script, ...)
	kwBlock                // a "{ ... }" block of keywords of its own table
)

// procGroup is the keepalived process whose parse activates a root keyword.
// keepalived parses the file once per process (parent, vrrp, checkers, bfd)
// with only that process's root keywords active; the others are skipped.
type procGroup uint8

const (
	grpGlobal procGroup = iota // parent process: global_defs and daemon settings
	grpVRRP
	grpCheck
	grpBFD
)

// Support is what gokeepalived does with a keyword: the project's
// fail-closed policy (issue 16) as data, one value per keyword.
type Support uint8

const (
	// Honoured: run with keepalived 2.2.7's semantics.
	Honoured Support = iota
	// Refused: parsed (and checked as keepalived checks it) but not run.
	// `-t` reports it as "not supported" with its line and fails; the
	// daemon refuses to start (or to reload to such a file) unless the
	// operator passes --allow-unsupported or GOHA_ALLOW_UNSUPPORTED=1.
	Refused
	// Inert: keepalived's documented effect cannot change which VRRP
	// state is taken, which addresses, routes or rules are installed,
	// what is sent on the wire or which scripts run (the checker's email
	// switches, process scheduling, buffer sizes). Accepted with a warning that
	// contains "has no effect in goha".
	Inert
)

func (s Support) String() string {
	switch s {
	case Refused:
		return "unsupported"
	case Inert:
		return "inert"
	}
	return "honoured"
}

// Keyword is one entry of keepalived 2.2.7's keyword tree.
type Keyword struct {
	Name  string
	Block string // name of the table (block) the keyword belongs to
	Kind  kwKind
	// Args documents the arguments (keepalived.conf(5)); a numeric
	// keyword's accepted values are its Range instead (ArgDoc).
	Args string
	// Range is the numeric keyword's accepted values: the handler reads
	// the argument with it, its messages and KEYWORDS.md print it.
	Range   *Range
	Support Support // honoured, unsupported (refused) or inert
	// Where is, for an honoured keyword, the file:function running it
	// (after the parser); otherwise what goha does not do. KEYWORDS.md
	// prints it; a runtime keyword without it fails a test.
	Where string
	// Tests names the tests ("dir/file_test.go:TestName") that pin the
	// keyword's parse and runtime effect, where a row gives them.
	Tests string
	// Why says, for an inert keyword, what goha does not do with it.
	Why string
	// Typed: not run but still typed, so that keepalived's own checks of
	// the value and its effect on other keywords (strict-mode resets,
	// deprecations) stay reproduced.
	Typed bool
	Group procGroup
	Sub   *Table
	Named bool // a value block whose keyword line carries a name
	// handle types one occurrence into the block being typed (typer.inst
	// for vrrp_instance), as keepalived's install_keyword handler does.
	// Tables typed by a switch of their own leave it nil.
	handle func(t *typer, n *Node)
}

// ArgDoc is the keyword's argument documentation: Args, or its Range.
func (k *Keyword) ArgDoc() string {
	if k.Args == "" && k.Range != nil {
		return k.Range.String()
	}
	return k.Args
}

// Honoured says whether gokeepalived's runtime implements the keyword.
func (k *Keyword) Honoured() bool { return k.Support == Honoured }

// Table is the set of keywords valid inside one block.
type Table struct {
	Name  string
	byKey map[string]*Keyword
	order []*Keyword
	// typedBy is the file:function typing the keywords whose rows have no
	// handler; defaultsIn where the block's defaults are set. KEYWORDS.md
	// prints both, so that a keyword's parse and default are one hop away.
	typedBy, defaultsIn string
}

// sites records where the table's keywords are typed and defaulted.
func (t *Table) sites(typedBy, defaultsIn string) *Table {
	t.typedBy, t.defaultsIn = typedBy, defaultsIn
	return t
}

func (t *Table) lookup(name string) *Keyword { return t.byKey[name] }

// Keywords lists the table's keywords in declaration order.
func (t *Table) Keywords() []*Keyword { return t.order }

func newTable(name string, groups ...[]*Keyword) *Table {
	t := &Table{Name: name, byKey: map[string]*Keyword{}}
	for _, g := range groups {
		for _, k := range g {
			k.Block = name
			if _, dup := t.byKey[k.Name]; !dup {
				t.order = append(t.order, k)
			}
			t.byKey[k.Name] = k
		}
	}
	return t
}

func words(list string, kind kwKind, sup Support) []*Keyword {
	var out []*Keyword
	for _, n := range strings.Fields(list) {
		out = append(out, &Keyword{Name: n, Kind: kind, Support: sup})
	}
	return out
}

// Rows in bulk for keywords that need no handler nor Where of their own:
// unsup (refused), inert (warned); unsupVals is for "{ ... }" value
// blocks. Honoured keywords are written as rows, with their handler.
func unsup(list string) []*Keyword     { return words(list, kwScalar, Refused) }
func unsupVals(list string) []*Keyword { return words(list, kwValues, Refused) }

// inert keywords carry why they have no effect (shown in the warning).
func inert(why, list string) []*Keyword {
	ks := words(list, kwScalar, Inert)
	for _, k := range ks {
		k.Why = why
	}
	return ks
}

func block(name string, sup Support, sub *Table) []*Keyword {
	return []*Keyword{{Name: name, Kind: kwBlock, Support: sup, Sub: sub}}
}

func inGroup(g procGroup, ks ...[]*Keyword) []*Keyword {
	var out []*Keyword
	for _, k := range ks {
		for _, kw := range k {
			kw.Group = g
			out = append(out, kw)
		}
	}
	return out
}

// RootKeywords exposes the keyword tree (for documentation and tests).
func RootKeywords() *Table { return rootTable }

// allKeywordNames returns every keyword name of a table and its sub-tables
// (used for "did you mean" hints).
func allKeywordNames(t *Table) []string {
	seen := map[string]bool{}
	var walk func(*Table)
	walk = func(t *Table) {
		for _, k := range t.order {
			seen[k.Name] = true
			if k.Sub != nil && k.Sub != t {
				walk(k.Sub)
			}
		}
	}
	walk(t)
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func named(ks []*Keyword) []*Keyword {
	for _, k := range ks {
		k.Named = true
	}
	return ks
}
