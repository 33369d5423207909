package runtimeapi

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/goha-lb/goha/proxy/tlsconf"
)

// CertSource is a Source whose TLS binds keep their certificates in a
// tlsconf.Registry, which the `ssl cert` and `ssl crt-list` commands
// read and change (nil: the configuration has no TLS bind, and the
// commands find no certificate, as HAProxy's would).
type CertSource interface {
	CertRegistry() *tlsconf.Registry
}

// init inserts the commands in HAProxy's alphabetical help order
// (after cli.go's, maps.go's and peers_cmds.go's: files initialise in
// name order).
func init() {
	commands = append(commands[:len(commands)-3:len(commands)-3], append([]*command{
		&command{words: []string{"abort", "ssl", "cert"}, usage: "abort ssl cert <certfile>", desc: "abort a transaction for a certificate file", level: LevelAdmin, run: cmdAbortCert},
		&command{words: []string{"add", "ssl", "crt-list"}, usage: "add ssl crt-list <list> <cert> [opts]*", desc: "add to crt-list file <list> a line <cert> or a payload", level: LevelAdmin, run: cmdAddCrtList},
		&command{words: []string{"commit", "ssl", "cert"}, usage: "commit ssl cert <certfile>", desc: "commit a certificate file", level: LevelAdmin, run: cmdCommitCert},
		&command{words: []string{"del", "ssl", "cert"}, usage: "del ssl cert <certfile>", desc: "delete an unused certificate file", level: LevelAdmin, run: cmdDelCert},
		&command{words: []string{"del", "ssl", "crt-list"}, usage: "del ssl crt-list <list> <cert[:line]>", desc: "delete a line <cert> from crt-list file <list>", level: LevelAdmin, run: cmdDelCrtList},
		&command{words: []string{"new", "ssl", "cert"}, usage: "new ssl cert <certfile>", desc: "create a new certificate file to be used in a crt-list or a directory", level: LevelAdmin, run: cmdNewCert},
		&command{words: []string{"set", "ssl", "cert"}, usage: "set ssl cert <certfile> <payload>", desc: "replace a certificate file", level: LevelAdmin, run: cmdSetCert},
		&command{words: []string{"show", "ssl", "cert"}, usage: "show ssl cert [<certfile>]", desc: "display the SSL certificates used in memory, or the details of a file", level: LevelAdmin, run: cmdShowCert},
		&command{words: []string{"show", "ssl", "crt-list"}, usage: "show ssl crt-list [-n] [<list>]", desc: "show the list of crt-lists or the content of a crt-list file <list>", level: LevelAdmin, run: cmdShowCrtList},
	}, commands[len(commands)-3:]...)...)
	listed := commands[:len(commands)-3]
	sort.SliceStable(listed, func(i, j int) bool { return listed[i].usage < listed[j].usage })
}

// registry is the session's certificate store; a Source without one
// holds no certificate.
func registry(s *Session) *tlsconf.Registry {
	if cs, ok := s.src.(CertSource); ok {
		if r := cs.CertRegistry(); r != nil {
			return r
		}
	}
	return tlsconf.NewRegistry()
}

func arg(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}

func cmdShowCert(s *Session, args []string) string {
	r := registry(s)
	if name := arg(args, 3); name != "" {
		st, ok := r.Cert(name)
		if !ok || (st.Cert == nil && st.Status != "Empty") {
			return "Can't display the certificate: Not found or the certificate is a bundle!\n"
		}
		return certDetails(st)
	}
	names, txn := r.CertPaths()
	var b strings.Builder
	if txn != "" {
		fmt.Fprintf(&b, "# transaction\n*%s\n", txn)
	}
	b.WriteString("# filename\n")
	for _, n := range names {
		b.WriteString(n + "\n")
	}
	return b.String()
}

func cmdSetCert(s *Session, args []string) string {
	name := arg(args, 3)
	if name == "" || s.payload == nil {
		return "'set ssl cert expects a filename and a certificate as a payload\n"
	}
	txn, updated, err := registry(s).SetCert(name, []byte(*s.payload))
	switch {
	case errors.Is(err, tlsconf.ErrNotReferenced):
		return "Can't replace a certificate which is not referenced by the configuration!\nCan't update " + name + "!\n"
	case err != nil:
		return err.Error() + "\nCan't load the payload\nCan't update " + name + "!\n"
	case updated:
		return "Transaction updated for certificate " + txn + "!\n"
	}
	return "Transaction created for certificate " + txn + "!\n"
}

func cmdCommitCert(s *Session, args []string) string {
	name := arg(args, 3)
	if name == "" {
		return "'commit ssl cert expects a filename\n"
	}
	n, err := registry(s).CommitCert(name)
	var te *tlsconf.TxnError
	switch {
	case errors.As(err, &te):
		return fmt.Sprintf("The ongoing transaction is about '%s' but you are trying to set '%s'\nCan't commit %s!\n", te.Path, name, name)
	case errors.Is(err, tlsconf.ErrNoKey):
		return "The transaction must contain at least a certificate and a private key!\nCan't commit " + name + "!\n"
	case err != nil:
		return "No ongoing transaction! !\nCan't commit " + name + "!\n"
	}
	return "Committing " + name + strings.Repeat(".", n) + "\nSuccess!\n"
}

func cmdAbortCert(s *Session, args []string) string {
	name := arg(args, 3)
	if name == "" {
		return "'abort ssl cert' expects a filename\n"
	}
	err := registry(s).AbortCert(name)
	var te *tlsconf.TxnError
	switch {
	case errors.As(err, &te):
		return fmt.Sprintf("The ongoing transaction is about '%s' but you are trying to abort a transaction for '%s'\n", te.Path, name)
	case err != nil:
		return "No ongoing transaction!\n"
	}
	return "Transaction aborted for certificate '" + name + "'!\n"
}

func cmdNewCert(s *Session, args []string) string {
	name := arg(args, 3)
	if name == "" {
		return "'new ssl cert' expects a filename\n"
	}
	if err := registry(s).NewCert(name); err != nil {
		return "Certificate '" + name + "' already exists!\n"
	}
	return "New empty certificate store '" + name + "'!\n"
}

func cmdDelCert(s *Session, args []string) string {
	name := arg(args, 3)
	if name == "" {
		return "'del ssl cert' expects a certificate name\n"
	}
	err := registry(s).DelCert(name)
	switch {
	case errors.Is(err, tlsconf.ErrOtherTxn):
		return "Can't remove the certificate: ongoing transaction for the certificate '" + name + "'\n"
	case errors.Is(err, tlsconf.ErrInUse):
		return "Can't remove the certificate: certificate '" + name + "' in use, can't be deleted!\n\n"
	case err != nil:
		return "Can't remove the certificate: certificate '" + name + "' doesn't exist!\n\n"
	}
	return "Certificate '" + name + "' deleted!\n"
}

func cmdAddCrtList(s *Session, args []string) string {
	list := strings.TrimRight(arg(args, 3), "/")
	if arg(args, 3) == "" || (s.payload == nil && arg(args, 4) == "") {
		return "'add ssl crtlist' expects a filename and a certificate name\n"
	}
	fail := func(msg string) string { return "Can't edit the crt-list: " + msg + "\n" }
	r := registry(s)
	if !r.HasList(list) {
		return fail("crt-list '" + list + "' does not exist!")
	}
	e := tlsconf.ListEntry{Crt: arg(args, 4)}
	if s.payload != nil {
		if strings.Contains(*s.payload, "\n") {
			return fail("only one line of payload is supported!")
		}
		var err error
		if e, err = tlsconf.ParseListLine(*s.payload); err != nil {
			return fail("parsing [CLI:1]: " + err.Error())
		}
	}
	crt, n, err := r.AddListEntry(list, e)
	var de *tlsconf.DirPathError
	switch {
	case errors.As(err, &de):
		return fail(de.Error())
	case errors.Is(err, tlsconf.ErrNotReferenced):
		return fail("certificate '" + crt + "' does not exist!")
	case errors.Is(err, tlsconf.ErrEmpty):
		return fail("certificate '" + crt + "' is empty!")
	case err != nil:
		return fail(err.Error())
	}
	return fmt.Sprintf("Inserting certificate '%s' in crt-list '%s'%s\nSuccess!\n", crt, list, strings.Repeat(".", n))
}

func cmdDelCrtList(s *Session, args []string) string {
	list, crt := arg(args, 3), arg(args, 4)
	if list == "" || crt == "" {
		return "'del ssl crtlist' expects a filename and a certificate name\n"
	}
	fail := func(msg string) string { return "Can't delete the entry: " + msg + "\n" }
	line := 0
	if i := strings.IndexByte(crt, ':'); i >= 0 {
		n, err := strconv.Atoi(crt[i+1:])
		if err != nil {
			return fail("wrong line number after colons in '" + crt + "'!")
		}
		crt, line = crt[:i], n
	}
	list = strings.TrimRight(list, "/")
	err := registry(s).DelListEntry(list, crt, line)
	var dc *tlsconf.DefaultCertError
	switch {
	case errors.As(err, &dc):
		var b strings.Builder
		for _, w := range dc.Where {
			b.WriteString("\t- " + w + "\n")
		}
		return fail("certificate '" + crt + "' cannot be deleted, it is used as default certificate by the following frontends:\n" + b.String())
	case errors.Is(err, tlsconf.ErrNoList):
		return fail("crt-list '" + list + "' does not exist!")
	case errors.Is(err, tlsconf.ErrNotReferenced):
		return fail("certificate '" + crt + "' does not exist!")
	case errors.Is(err, tlsconf.ErrEmpty):
		return fail("certificate '" + crt + "' is empty!")
	case errors.Is(err, tlsconf.ErrNotInList):
		return fail("certificate '" + crt + "' can't be found in crt-list '" + list + "'!")
	case err != nil:
		return fail(err.Error())
	}
	return "Entry '" + crt + "' deleted in crtlist '" + list + "'!\n"
}

func cmdShowCrtList(s *Session, args []string) string {
	numbered, name := false, arg(args, 3)
	if name == "-n" {
		numbered, name = true, arg(args, 4)
		if name == "" {
			return "'show ssl crt-list -n' expects a filename or a directory\n"
		}
	}
	r := registry(s)
	if name == "" {
		var b strings.Builder
		for _, n := range r.ListNames() {
			b.WriteString(n + "\n")
		}
		return b.String()
	}
	name = strings.TrimRight(name, "/")
	lines, ok := r.List(name)
	if !ok {
		return "didn't find the specified filename\n"
	}
	var b strings.Builder
	b.WriteString("# " + name + "\n")
	for _, l := range lines {
		b.WriteString(l.Crt)
		if numbered {
			fmt.Fprintf(&b, ":%d", l.Line)
		}
		b.WriteString(listOptions(l.Options))
		for _, f := range l.Filters {
			b.WriteString(" " + f)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// listOptions prints a crt-list line's options as HAProxy 2.6 dumps
// them: in its fixed order, the ALPN list ending with a NUL byte.
func listOptions(opts map[string]string) string {
	if len(opts) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(" [")
	space := false
	add := func(s string) {
		if space {
			b.WriteByte(' ')
		}
		b.WriteString(s)
		space = true
	}
	if v, ok := opts["alpn"]; ok {
		add("alpn " + v + "\x00")
	}
	if v, ok := opts["verify"]; ok {
		add("verify " + v)
	}
	for _, o := range []string{"ca-file", "crl-file", "ciphers", "ciphersuites", "curves", "ecdhe", "ssl-min-ver", "ssl-max-ver"} {
		if v, ok := opts[o]; ok {
			add(o + " " + v)
		}
	}
	b.WriteString("]")
	return b.String()
}
