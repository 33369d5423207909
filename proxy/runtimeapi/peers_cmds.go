package runtimeapi

import (
	"sort"
	"strings"
)

// Peers is implemented by a Source that runs peers sections.
type Peers interface {
	// PeersSections lists the running sections as HAProxy lists them
	// (the last declared first).
	PeersSections() []string
	// ShowPeers returns the section's part of "show peers"
	// (peers_dump_head and peers_dump_peer of HAProxy 2.6).
	ShowPeers(section string) string
	// PeersCounts is show info's ActivePeers and ConnectedPeers.
	PeersCounts() (active, connected int)
}

// init inserts "show peers" in HAProxy's alphabetical help order (before
// tables.go's init: files initialise in name order).
func init() {
	commands = append(commands[:len(commands)-3:len(commands)-3], append([]*command{
		{words: []string{"show", "peers"}, usage: "show peers [dict|-] [section]", desc: "dump some information about all the peers or this peers section", run: cmdShowPeers},
	}, commands[len(commands)-3:]...)...)
	listed := commands[:len(commands)-3]
	sort.SliceStable(listed, func(i, j int) bool { return listed[i].usage < listed[j].usage })
}

// cmdShowPeers is HAProxy 2.6's "show peers [dict|-] [section]": every
// section (or the named one, "No such peers" otherwise), separated by an
// empty line. With "dict", each shared table is followed by the session's
// dictionary caches: with server_key refused in replicated tables, they
// are always empty.
func cmdShowPeers(s *Session, args []string) string {
	args = args[2:]
	dict := false
	if len(args) > 0 && (args[0] == "dict" || args[0] == "-") {
		dict = args[0] == "dict"
		args = args[1:]
	}
	src, _ := s.src.(Peers)
	var sections []string
	if src != nil {
		sections = src.PeersSections()
	}
	if len(args) > 0 && args[0] != "" {
		found := false
		for _, name := range sections {
			if name == args[0] {
				found = true
			}
		}
		if !found {
			return "No such peers\n"
		}
		sections = []string{args[0]}
	}
	var b strings.Builder
	for i, name := range sections {
		if i > 0 {
			b.WriteString("\n")
		}
		out := src.ShowPeers(name)
		if dict {
			out = strings.ReplaceAll(out, notDumped, emptyDicts)
		}
		b.WriteString(out)
	}
	return b.String()
}

const notDumped = "\n        Dictionary cache not dumped (use \"show peers dict\")"

// emptyDicts is the dump of an empty TX cache and of the 128 RX entries.
var emptyDicts = func() string {
	var b strings.Builder
	b.WriteString("\n        TX dictionary cache:\n        RX dictionary cache:")
	for i := 0; i < 128; i++ {
		if i%4 == 0 {
			b.WriteString("\n        ")
		}
		b.WriteString("  ")
		n := []byte("  0")
		for j, k := 2, i; j >= 0 && (k > 0 || j == 2); j, k = j-1, k/10 {
			n[j] = byte('0' + k%10)
		}
		b.Write(n)
		b.WriteString(" -> -")
	}
	return b.String()
}()
