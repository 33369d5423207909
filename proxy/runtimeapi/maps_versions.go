package runtimeapi

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// VersionedPatternFile is a PatternFile with HAProxy 2.6's versioned
// updates: "prepare map|acl" opens a version, "add ... @<ver>" fills
// it unseen, "commit ... @<ver>" swaps it in at once.
type VersionedPatternFile interface {
	PatternFile
	Prepare() uint32
	AddVersion(ver uint32, key, value string) error
	EntriesVersion(ver uint32) []PatternEntry
	ClearVersion(ver uint32) error
	Commit(ver uint32) error
}

// Errors of a VersionedPatternFile.
var (
	ErrFutureVersion = errors.New("version in the future")
	ErrVersionRange  = errors.New("version out of range")
)

func init() {
	commands = append(commands[:len(commands)-3:len(commands)-3], append([]*command{
		{words: []string{"commit", "acl"}, usage: "commit acl @<ver> <acl>", desc: "commit the ACL at this version", level: LevelOperator, run: patCmd(false, patCommit)},
		{words: []string{"commit", "map"}, usage: "commit map @<ver> <map>", desc: "commit the map at this version", level: LevelOperator, run: patCmd(true, patCommit)},
		{words: []string{"prepare", "acl"}, usage: "prepare acl <acl>", desc: "prepare a new version for atomic ACL replacement", level: LevelOperator, run: patCmd(false, patPrepare)},
		{words: []string{"prepare", "map"}, usage: "prepare map <acl>", desc: "prepare a new version for atomic map replacement", level: LevelOperator, run: patCmd(true, patPrepare)},
	}, commands[len(commands)-3:]...)...)
	listed := commands[:len(commands)-3]
	sort.SliceStable(listed, func(i, j int) bool { return listed[i].usage < listed[j].usage })
}

// cutVersion reads a leading "@<ver>" argument as HAProxy does (C
// strtoul: the leading digits, 0 without any).
func cutVersion(args []string) (uint32, []string, bool) {
	if len(args) == 0 || !strings.HasPrefix(args[0], "@") {
		return 0, args, false
	}
	var v uint32
	for _, c := range args[0][1:] {
		if c < '0' || c > '9' {
			break
		}
		v = v*10 + uint32(c-'0')
	}
	return v, args[1:], true
}

func (s *Session) versioned(maps bool, args []string) (VersionedPatternFile, bool) {
	f, ok := s.patFile(maps, args)
	if !ok {
		return nil, false
	}
	vf, ok := f.(VersionedPatternFile)
	return vf, ok
}

func patPrepare(s *Session, maps bool, args []string) string {
	f, ok := s.versioned(maps, args)
	if !ok {
		return unknownRef(maps)
	}
	return fmt.Sprintf("New version created: %d\n", f.Prepare())
}

func patCommit(s *Session, maps bool, args []string) string {
	ver, rest, ok := cutVersion(args)
	if !ok {
		return "Missing version number.\n"
	}
	if len(rest) == 0 {
		if maps {
			return "Missing map identifier.\n"
		}
		return "Missing ACL identifier.\n"
	}
	f, ok := s.versioned(maps, rest)
	if !ok {
		return unknownRef(maps)
	}
	if err := f.Commit(ver); err != nil {
		return "Version number out of range.\n"
	}
	return ""
}

// patVersion runs "show|add|clear map|acl @<ver> ..." on that version.
func patVersion(s *Session, maps bool, op string, ver uint32, args []string) string {
	f, ok := s.versioned(maps, args)
	if !ok {
		return unknownRef(maps)
	}
	switch op {
	case "show":
		var b strings.Builder
		for _, e := range f.EntriesVersion(ver) {
			if maps {
				fmt.Fprintf(&b, "%#x %s %s\n", e.ID, e.Key, e.Value)
			} else {
				fmt.Fprintf(&b, "%#x %s\n", e.ID, e.Key)
			}
		}
		return b.String()
	case "clear":
		if err := f.ClearVersion(ver); err != nil {
			return fmt.Sprintf("%v.\n", err)
		}
		return ""
	}
	value := ""
	if maps {
		value = strings.Join(args[2:], " ")
	}
	if err := f.AddVersion(ver, args[1], value); err != nil {
		if errors.Is(err, ErrFutureVersion) {
			return fmt.Sprintf("Version number in the future, please use 'prepare %s' before.\n", map[bool]string{true: "map", false: "acl"}[maps])
		}
		return fmt.Sprintf("Failed to add an entry: %v.\n", err)
	}
	return ""
}

// addMapPayload is "add map [@<ver>] <map> <<" read as HAProxy 2.6
// reads the payload: a key runs to the first space or tab (it may be
// empty, or hold a newline), the value from the next non-blank to the end
// of the line; a key without a value stops the command, the entries
// before it stay added.
func addMapPayload(s *Session, ver uint32, versioned bool, ref string) string {
	f, ok := s.patFile(true, []string{ref})
	if !ok {
		return unknownRef(true)
	}
	vf, _ := f.(VersionedPatternFile)
	if versioned && vf == nil {
		return unknownRef(true)
	}
	rest := *s.payload
	for rest != "" {
		i := strings.IndexAny(rest, " \t")
		if i < 0 {
			return fmt.Sprintf("Missing value for key '%s'.\n", rest)
		}
		key := rest[:i]
		rest = strings.TrimLeft(rest[i+1:], " \t")
		value, after, _ := strings.Cut(rest, "\n")
		rest = after
		var err error
		if versioned {
			err = vf.AddVersion(ver, key, value)
		} else {
			err = f.Add(key, value)
		}
		if errors.Is(err, ErrFutureVersion) {
			return "Version number in the future, please use 'prepare map' before.\n"
		}
		if err != nil {
			return fmt.Sprintf("Failed to add an entry: %v.\n", err)
		}
	}
	return ""
}
