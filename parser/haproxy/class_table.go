package haproxy

import (
	_ "embed"
	"fmt"
	"strings"
)

// classTable is the fail-closed policy, one row per subject (class.go),
// sorted by kind then name. Its subjects are the union of what HAProxy
// 2.6.12 registers (testdata/haproxy/registry, made by
// scripts/haproxy-registry.sh), what its parser handles in hard-coded
// chains (global daemon, proxy balance, tcp-request accept/reject/track-sc,
// tcp-check and http-check rules, ...) and what this package's keyword
// tables accept (some of which HAProxy 2.6.12 refuses, e.g. wurfl-*, tune.quic.*:
// unsupported). class_table_test.go keeps it complete.
//
// The rows are data, in class_table.tsv (kind, name, class, why; tab
// separated), read once when the package initialises: a malformed row is a
// programming error and panics, so no binary or test runs with a partial
// table.
//
// Name conventions beyond class.go's: rule actions are written without their
// argument ("set-var" for set-var(txn.x), "sc-inc-gpc0" for sc-inc-gpc0(1),
// "track-sc" for track-sc0..track-sc2: see RuleActionName); sample fetches,
// converters and ACL keywords without their arguments ("hdr" for hdr(host)).
//
// Implemented: HAProxy's semantics in goha today; Why says where. Some forms
// of an implemented keyword are still reported by proxy/haproxycfg (deny with
// arguments, log-format variables other than %[...] in set-header, ...). Inert: Why says why the
// effect cannot change what is served, to whom, on which port or what is
// logged; several are inert because the only features that read them are
// themselves unsupported (userlist, timeout tarpit, tune.lua.*, ...).
var classTable = mustParseClassTable(classTableTSV)

//go:embed class_table.tsv
var classTableTSV string

// mustParseClassTable is parseClassTable for the embedded table.
func mustParseClassTable(text string) []ClassRow {
	rows, err := parseClassTable(text)
	if err != nil {
		panic("parser/haproxy: class_table.tsv: " + err.Error())
	}
	return rows
}

// parseClassTable reads class_table.tsv's format: one row a line, fields
// separated by one tab (kind, name, class as Class.String writes it, and an
// optional why); blank lines and lines starting with # are skipped.
func parseClassTable(text string) ([]ClassRow, error) {
	classes := map[string]Class{}
	for _, c := range []Class{Implemented, Inert, InertUnlessTLS, Unsupported} {
		classes[c.String()] = c
	}
	var rows []ClassRow
	for n, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 3 || len(f) > 4 {
			return nil, fmt.Errorf("line %d: %d fields, want kind, name, class[, why]: %q", n+1, len(f), line)
		}
		c, ok := classes[f[2]]
		if !ok {
			return nil, fmt.Errorf("line %d: unknown class %q", n+1, f[2])
		}
		if f[0] == "" || f[1] == "" {
			return nil, fmt.Errorf("line %d: empty kind or name: %q", n+1, line)
		}
		r := ClassRow{Kind: f[0], Name: f[1], Class: c}
		if len(f) == 4 {
			r.Why = f[3]
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// RuleActionName is the class table name of a rule's action word:
// "set-var(txn.x)" -> "set-var", "sc-inc-gpc0(1)" -> "sc-inc-gpc0",
// "track-sc1" -> "track-sc".
func RuleActionName(word string) string {
	if i := strings.IndexByte(word, '('); i >= 0 {
		word = word[:i]
	}
	if n, ok := strings.CutPrefix(word, "track-sc"); ok && n != "" && strings.Trim(n, "0123456789") == "" {
		return "track-sc"
	}
	return word
}
