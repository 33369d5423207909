package runtimeapi

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// The map and acl commands (HAProxy 2.6 map.c cli_*_map): list the
// pattern files the running configuration uses, show their entries and
// change them at run time. Entry ids are goha's, printed where HAProxy
// prints an entry's address ("0x..."), and usable as "#0x..." in set and
// del. Versioned updates (prepare/commit, "@<ver>") are in
// maps_versions.go. Not served yet: "show map|acl" of ACLs without a
// file.

// PatternRef is one map or ACL pattern file as "show map|acl" lists it.
type PatternRef struct {
	ID      int
	Path    string
	Entries int // of every version
	// CurVer and NextVer are the current and the last prepared version.
	CurVer, NextVer uint32
}

// PatternEntry is one entry of a pattern file; Value is empty for ACLs.
type PatternEntry struct {
	ID         uint64
	Key, Value string
	NoValue    bool // no value at all (show map prints the key alone)
}

// PatternFile is one reference the commands change.
type PatternFile interface {
	Entries() []PatternEntry
	Add(key, value string) error
	// Set gives the value to every entry of the key, or to the entry of
	// the id when byID; false when there is none.
	Set(key string, id uint64, byID bool, value string) (bool, error)
	// Del removes every entry of the key (or the entry of the id).
	Del(key string, id uint64, byID bool) (bool, error)
	Clear() error
	// Get is "get map|acl": one line per kind of user of the file (its
	// match of the sample), in order of use.
	Get(sample string) []string
}

// Patterns is implemented by a Source that serves the map and acl
// commands; without it they answer as for an unknown reference.
type Patterns interface {
	PatternRefs(maps bool) []PatternRef
	// PatternFile finds a reference by file name or "#<id>".
	PatternFile(maps bool, ref string) (PatternFile, bool)
}

// init runs after cli.go's (files initialise in name order) and inserts
// the commands before help, prompt and quit, keeping the help list in
// HAProxy's alphabetical order.
func init() {
	commands = append(commands[:len(commands)-3:len(commands)-3], append([]*command{
		{words: []string{"add", "acl"}, usage: "add acl [@<ver>] <acl> <pattern>", desc: "add an acl entry", level: LevelOperator, run: patCmd(false, patAdd)},
		{words: []string{"add", "map"}, usage: "add map [@<ver>] <map> <key> <val>", desc: "add a map entry (payload supported instead of key/val)", level: LevelOperator, run: patCmd(true, patAdd)},
		{words: []string{"clear", "acl"}, usage: "clear acl [@<ver>] <acl>", desc: "clear the contents of this acl", level: LevelOperator, run: patCmd(false, patClear)},
		{words: []string{"clear", "map"}, usage: "clear map [@<ver>] <map>", desc: "clear the contents of this map", level: LevelOperator, run: patCmd(true, patClear)},
		{words: []string{"del", "acl"}, usage: "del acl <acl> [<key>|#<ref>]", desc: "delete acl entries matching <key>", level: LevelOperator, run: patCmd(false, patDel)},
		{words: []string{"del", "map"}, usage: "del map <map> [<key>|#<ref>]", desc: "delete map entries matching <key>", level: LevelOperator, run: patCmd(true, patDel)},
		{words: []string{"get", "acl"}, usage: "get acl <acl> <value>", desc: "report the patterns matching a sample for an ACL", run: patCmd(false, patGet)},
		{words: []string{"get", "map"}, usage: "get map <acl> <value>", desc: "report the keys and values matching a sample for a map", run: patCmd(true, patGet)},
		{words: []string{"set", "map"}, usage: "set map <map> [<key>|#<ref>] <value>", desc: "modify a map entry", level: LevelOperator, run: patCmd(true, patSet)},
		{words: []string{"show", "acl"}, usage: "show acl [@<ver>] <acl>]", desc: "report available acls or dump an acl's contents", run: patCmd(false, patShow)},
		{words: []string{"show", "map"}, usage: "show map [@ver] [map]", desc: "report available maps or dump a map's contents", run: patCmd(true, patShow)},
	}, commands[len(commands)-3:]...)...)
	listed := commands[:len(commands)-3]
	sort.SliceStable(listed, func(i, j int) bool { return listed[i].usage < listed[j].usage })
}

// patCmd binds a map/acl command to its kind.
func patCmd(maps bool, f func(s *Session, maps bool, args []string) string) func(*Session, []string) string {
	return func(s *Session, args []string) string { return f(s, maps, args[2:]) }
}

func unknownRef(maps bool) string {
	if maps {
		return "Unknown map identifier. Please use #<id> or <file>.\n"
	}
	return "Unknown ACL identifier. Please use #<id> or <file>.\n"
}

// patFile finds the reference named by args[0].
func (s *Session) patFile(maps bool, args []string) (PatternFile, bool) {
	p, ok := s.src.(Patterns)
	if !ok || len(args) == 0 {
		return nil, false
	}
	return p.PatternFile(maps, args[0])
}

func patShow(s *Session, maps bool, args []string) string {
	if ver, rest, ok := cutVersion(args); ok && len(rest) > 0 {
		return patVersion(s, maps, "show", ver, rest)
	}
	if len(args) == 0 {
		var b strings.Builder
		b.WriteString("# id (file) description\n")
		if p, ok := s.src.(Patterns); ok {
			used := map[bool]string{true: "map", false: "acl"}[maps]
			for _, r := range p.PatternRefs(maps) {
				fmt.Fprintf(&b, "%d (%s) pattern loaded from file '%s' used by %s. curr_ver=%d next_ver=%d entry_cnt=%d\n",
					r.ID, r.Path, r.Path, used, r.CurVer, r.NextVer, r.Entries)
			}
		}
		return b.String()
	}
	f, ok := s.patFile(maps, args)
	if !ok {
		return unknownRef(maps)
	}
	var b strings.Builder
	for _, e := range f.Entries() {
		if maps && !e.NoValue {
			fmt.Fprintf(&b, "%#x %s %s\n", e.ID, e.Key, e.Value)
		} else {
			fmt.Fprintf(&b, "%#x %s\n", e.ID, e.Key)
		}
	}
	return b.String()
}

func patAdd(s *Session, maps bool, args []string) string {
	ver, rest, versioned := cutVersion(args)
	if versioned {
		args = rest
	}
	if maps && s.payload != nil && len(args) >= 1 {
		return addMapPayload(s, ver, versioned, args[0])
	}
	if maps && len(args) < 3 {
		return "'add map' expects three parameters (map identifier, key and value) or one parameter (map identifier) and a payload\n"
	}
	if !maps && len(args) != 2 {
		return "'add acl' expects two parameters: ACL identifier and pattern.\n"
	}
	if versioned {
		return patVersion(s, maps, "add", ver, args)
	}
	f, ok := s.patFile(maps, args)
	if !ok {
		return unknownRef(maps)
	}
	value := ""
	if maps {
		value = strings.Join(args[2:], " ")
	}
	if err := f.Add(args[1], value); err != nil {
		return fmt.Sprintf("Failed to add an entry: %v.\n", err)
	}
	return ""
}

// entryRef reads "<key>" or "#<id>".
func entryRef(arg string) (string, uint64, bool) {
	if rest, ok := strings.CutPrefix(arg, "#"); ok {
		id, err := strconv.ParseUint(rest, 0, 64)
		return arg, id, err == nil
	}
	return arg, 0, false
}

func patSet(s *Session, maps bool, args []string) string {
	if len(args) < 3 {
		return "'set map' expects three parameters: map identifier, key and value.\n"
	}
	f, ok := s.patFile(maps, args)
	if !ok {
		return unknownRef(maps)
	}
	key, id, byID := entryRef(args[1])
	found, err := f.Set(key, id, byID, strings.Join(args[2:], " "))
	switch {
	case err != nil:
		return fmt.Sprintf("%v.\n", err)
	case !found:
		return "key or pattern not found.\n"
	}
	return ""
}

func patDel(s *Session, maps bool, args []string) string {
	if len(args) != 2 {
		if !maps {
			return "This command expects two parameters: ACL identifier and key.\n"
		}
		return "This command expects two parameters: map identifier and key.\n"
	}
	f, ok := s.patFile(maps, args)
	if !ok {
		return unknownRef(maps)
	}
	key, id, byID := entryRef(args[1])
	found, err := f.Del(key, id, byID)
	switch {
	case err != nil:
		return fmt.Sprintf("%v.\n", err)
	case !found:
		return "Key not found.\n"
	}
	return ""
}

func patClear(s *Session, maps bool, args []string) string {
	if ver, rest, ok := cutVersion(args); ok && len(rest) > 0 {
		return patVersion(s, maps, "clear", ver, rest)
	}
	if len(args) == 0 {
		if maps {
			return "Missing map identifier.\n"
		}
		return "Missing ACL identifier.\n"
	}
	f, ok := s.patFile(maps, args)
	if !ok {
		return unknownRef(maps)
	}
	if err := f.Clear(); err != nil {
		return fmt.Sprintf("%v.\n", err)
	}
	return ""
}

func patGet(s *Session, maps bool, args []string) string {
	if len(args) < 2 {
		if maps {
			return "Missing map identifier and/or key.\n"
		}
		return "Missing ACL identifier and/or key.\n"
	}
	f, ok := s.patFile(maps, args)
	if !ok {
		return unknownRef(maps)
	}
	var b strings.Builder
	for _, l := range f.Get(strings.Join(args[1:], " ")) {
		b.WriteString(l + "\n")
	}
	return b.String()
}
