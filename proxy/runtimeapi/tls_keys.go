package runtimeapi

import (
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/goha-lb/goha/proxy/tlsconf"
)

// init inserts the TLS ticket key commands in HAProxy's help order.
func init() {
	commands = append(commands[:len(commands)-3:len(commands)-3], append([]*command{
		{words: []string{"set", "ssl", "tls-key"}, usage: "set ssl tls-key [id|file] <key>", desc: "set the next TLS key for the <id> or <file> listener to <key>", level: LevelAdmin, run: cmdSetTLSKey},
		{words: []string{"show", "tls-keys"}, usage: "show tls-keys [id|*]", desc: "show tls keys references or dump tls ticket keys when id specified", level: LevelAdmin, run: cmdShowTLSKeys},
	}, commands[len(commands)-3:]...)...)
	listed := commands[:len(commands)-3]
	sort.SliceStable(listed, func(i, j int) bool { return listed[i].usage < listed[j].usage })
}

// cmdShowTLSKeys lists the tls-ticket-keys files, or dumps the keys of
// one (by file name; HAProxy 2.6.12 finds none by its numeric id) or of
// all ("*"), oldest first.
func cmdShowTLSKeys(s *Session, args []string) string {
	files := registry(s).TicketFiles()
	which := arg(args, 2)
	var b strings.Builder
	if which == "" {
		b.WriteString("# id (file)\n")
		for _, f := range files {
			fmt.Fprintf(&b, "%d (%s)\n", f.ID, f.Path)
		}
		return b.String()
	}
	var pick []tlsconf.TicketFile
	for _, f := range files {
		if which == "*" || which == f.Path {
			pick = append(pick, f)
		}
	}
	if which != "*" && len(pick) == 0 {
		return "'show tls-keys' unable to locate referenced filename\n"
	}
	b.WriteString("# id secret\n")
	for _, f := range pick {
		fmt.Fprintf(&b, "# %d (%s)\n", f.ID, f.Path)
		for i, k := range f.Keys {
			fmt.Fprintf(&b, "%d.%d %s\n", f.ID, i, base64.StdEncoding.EncodeToString(k))
		}
	}
	return b.String()
}

func cmdSetTLSKey(s *Session, args []string) string {
	file, key := arg(args, 3), arg(args, 4)
	if file == "" || key == "" {
		return "'set ssl tls-key' expects a filename and the new TLS key in base64 encoding.\n"
	}
	r := registry(s)
	known := false
	for _, f := range r.TicketFiles() {
		known = known || f.Path == file
	}
	if !known {
		return "'set ssl tls-key' unable to locate referenced filename\n"
	}
	k, err := base64.StdEncoding.Strict().DecodeString(key)
	if err != nil {
		return "'set ssl tls-key' received invalid base64 encoded TLS key.\n"
	}
	switch err := r.SetTicketKey(file, k); {
	case errors.Is(err, tlsconf.ErrKeySize):
		return "'set ssl tls-key' received a key of wrong size.\n"
	case err != nil:
		return "'set ssl tls-key' unable to locate referenced filename\n"
	}
	return "TLS ticket key updated!\n"
}
