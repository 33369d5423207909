package runtimeapi

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/goha-lb/goha/proxy/tlsconf"
)

// The ca-file and crl-file hot-update commands (HAProxy 2.6's
// cafile_entry commands): the same lifecycle as `ssl cert`, on the
// Registry's ca-files and crl-files.
func init() {
	commands = append(commands[:len(commands)-3:len(commands)-3], append([]*command{
		{words: []string{"abort", "ssl", "ca-file"}, usage: "abort ssl ca-file <cafile>", desc: "abort a transaction for a CA file", level: LevelAdmin, run: caCmd(false, cmdAbortCA)},
		{words: []string{"abort", "ssl", "crl-file"}, usage: "abort ssl crl-file <crlfile>", desc: "abort a transaction for a CRL file", level: LevelAdmin, run: caCmd(true, cmdAbortCA)},
		{words: []string{"commit", "ssl", "ca-file"}, usage: "commit ssl ca-file <cafile>", desc: "commit a CA file", level: LevelAdmin, run: caCmd(false, cmdCommitCA)},
		{words: []string{"commit", "ssl", "crl-file"}, usage: "commit ssl crl-file <crlfile>", desc: "commit a CRL file", level: LevelAdmin, run: caCmd(true, cmdCommitCA)},
		{words: []string{"del", "ssl", "ca-file"}, usage: "del ssl ca-file <cafile>", desc: "delete an unused CA file", level: LevelAdmin, run: caCmd(false, cmdDelCA)},
		{words: []string{"del", "ssl", "crl-file"}, usage: "del ssl crl-file <crlfile>", desc: "delete an unused CRL file", level: LevelAdmin, run: caCmd(true, cmdDelCA)},
		{words: []string{"new", "ssl", "ca-file"}, usage: "new ssl ca-file <cafile>", desc: "create a new CA file to be used in a crt-list", level: LevelAdmin, run: caCmd(false, cmdNewCA)},
		// HAProxy 2.6's help spells it "crlfile", the command is
		// "crl-file": "new ssl crlfile" answers as an unknown command.
		{words: []string{"new", "ssl", "crl-file"}, usage: "new ssl crlfile <crlfile>", desc: "create a new CRL file to be used in a crt-list", level: LevelAdmin, run: caCmd(true, cmdNewCA)},
		{words: []string{"set", "ssl", "ca-file"}, usage: "set ssl ca-file <cafile> <payload>", desc: "replace a CA file", level: LevelAdmin, run: caCmd(false, cmdSetCA)},
		{words: []string{"set", "ssl", "crl-file"}, usage: "set ssl crl-file <crlfile> <payload>", desc: "replace a CRL file", level: LevelAdmin, run: caCmd(true, cmdSetCA)},
		{words: []string{"show", "ssl", "ca-file"}, usage: "show ssl ca-file [<cafile>[:<index>]]", desc: "display the SSL CA files used in memory, or the details of a <cafile>, or a single certificate of index <index> of a CA file <cafile>", level: LevelAdmin, run: caCmd(false, cmdShowCA)},
		{words: []string{"show", "ssl", "crl-file"}, usage: "show ssl crl-file [<crlfile[:<index>>]]", desc: "display the SSL CRL files used in memory, or the details of a <crlfile>, or a single CRL of index <index> of CRL file <crlfile>", level: LevelAdmin, run: caCmd(true, cmdShowCA)},
	}, commands[len(commands)-3:]...)...)
}

// caKind words the messages of a ca-file (crl false) or crl-file.
type caKind struct {
	crl  bool
	word string // "ca-file" or "crl-file"
	what string // "CA" or "CRL"
}

func caCmd(crl bool, run func(*Session, []string, caKind) string) func(*Session, []string) string {
	k := caKind{crl: false, word: "ca-file", what: "CA"}
	if crl {
		k = caKind{crl: true, word: "crl-file", what: "CRL"}
	}
	return func(s *Session, args []string) string { return run(s, args, k) }
}

func cmdShowCA(s *Session, args []string, k caKind) string {
	r := registry(s)
	if name := arg(args, 3); name != "" {
		// "<file>:<n>" shows the n-th certificate or CRL only (from 1).
		index := 0
		if i := strings.IndexByte(name, ':'); i >= 0 {
			n, err := strconv.Atoi(name[i+1:])
			if err != nil || n <= 0 {
				s.noEnd = true
				return "wrong " + k.what + " index after colons in '" + name + "'!\n"
			}
			name, index = name[:i], n
		}
		st, ok := r.CAFile(name, k.crl)
		if !ok {
			return "Can't display the " + k.what + " file : Not found!\n"
		}
		return caDetails(st, index)
	}
	files, txn := r.CAFiles(k.crl)
	var b strings.Builder
	line := func(st tlsconf.CAStatus) {
		b.WriteString(st.Path)
		if !k.crl {
			fmt.Fprintf(&b, " - %d certificate(s)", len(st.Certs))
		}
		b.WriteByte('\n')
	}
	if txn.Path != "" {
		b.WriteString("# transaction\n")
		line(txn)
	}
	b.WriteString("# filename\n")
	for _, f := range files {
		line(f)
	}
	if !k.crl {
		fmt.Fprintf(&b, "@system-ca - %d certificate(s)\n", systemCACount())
	}
	return b.String()
}

// caDetails is `show ssl ca-file|crl-file <file>[:<index>]` in HAProxy
// 2.6's layout (index 0: every entry). A ca-file with no certificate
// shown prints nothing; a crl-file prints its header regardless.
func caDetails(st tlsconf.CAStatus, index int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Filename: %s\nStatus: %s\n", st.Path, st.Status)
	shown := 0
	for i, c := range st.Certs {
		if index == 0 || index == i+1 {
			fmt.Fprintf(&b, " \nCertificate #%d:\n", i+1)
			leafDetails(&b, c, c.Raw)
			shown++
		}
	}
	if st.CRL {
		for i, l := range st.CRLs {
			if index == 0 || index == i+1 {
				fmt.Fprintf(&b, " \nCertificate Revocation List #%d:\n", i+1)
				crlDetails(&b, l)
			}
		}
	} else if shown == 0 {
		return ""
	}
	return b.String()
}

func cmdSetCA(s *Session, args []string, k caKind) string {
	name := arg(args, 3)
	if name == "" || s.payload == nil {
		if k.crl {
			return "'set ssl crl-file expects a filename and CRLs as a payload\n"
		}
		return "'set ssl ca-file expects a filename and CAs as a payload\n"
	}
	updated, err := registry(s).SetCAFile(name, k.crl, []byte(*s.payload))
	var te *tlsconf.TxnError
	switch {
	case errors.Is(err, tlsconf.ErrNotReferenced):
		return "Can't replace a " + k.what + " file which is not referenced by the configuration!\nCan't update " + name + "!\n"
	case errors.As(err, &te):
		return fmt.Sprintf("The ongoing transaction is about '%s' but you are trying to set '%s'\nCan't update %s!\n", te.Path, name, name)
	case err != nil:
		return "Invalid payload\nCan't update " + name + "!\n"
	}
	if updated {
		return "transaction updated for " + k.what + " " + name + "!\n"
	}
	return "transaction created for " + k.what + " " + name + "!\n"
}

func cmdCommitCA(s *Session, args []string, k caKind) string {
	name := arg(args, 3)
	if name == "" {
		return "'commit ssl " + k.word + " expects a filename\n"
	}
	n, err := registry(s).CommitCAFile(name, k.crl)
	var te *tlsconf.TxnError
	switch {
	case errors.As(err, &te):
		return fmt.Sprintf("The ongoing transaction is about '%s' but you are trying to set '%s'\nCan't commit %s!\n", te.Path, name, name)
	case err != nil:
		return "No ongoing transaction! !\nCan't commit " + name + "!\n"
	}
	return "Committing " + name + strings.Repeat(".", n) + "\nSuccess!\n"
}

func cmdAbortCA(s *Session, args []string, k caKind) string {
	name := arg(args, 3)
	if name == "" {
		return "'abort ssl " + k.word + "' expects a filename\n"
	}
	err := registry(s).AbortCAFile(name, k.crl)
	var te *tlsconf.TxnError
	switch {
	case errors.As(err, &te):
		return fmt.Sprintf("The ongoing transaction is about '%s' but you are trying to abort a transaction for '%s'\n", te.Path, name)
	case err != nil:
		return "No ongoing transaction!\n"
	}
	return "Transaction aborted for certificate '" + name + "'!\n"
}

func cmdNewCA(s *Session, args []string, k caKind) string {
	name := arg(args, 3)
	if name == "" {
		return "'new ssl " + k.word + "' expects a filename\n"
	}
	if err := registry(s).NewCAFile(name, k.crl); err != nil {
		return k.what + " file '" + name + "' already exists!\n"
	}
	return "New " + k.what + " file created '" + name + "'!\n"
}

func cmdDelCA(s *Session, args []string, k caKind) string {
	name := arg(args, 3)
	if name == "" {
		return "'del ssl " + k.word + "' expects a " + k.what + " file name\n"
	}
	err := registry(s).DelCAFile(name, k.crl)
	fail := "Can't remove the " + k.what + " file: "
	switch {
	case errors.Is(err, tlsconf.ErrOtherTxn):
		return fail + "ongoing transaction for the " + k.what + " file '" + name + "'\n"
	case errors.Is(err, tlsconf.ErrInUse):
		return fail + k.what + " file '" + name + "' in use, can't be deleted!\n\n"
	case err != nil:
		return fail + k.what + " file '" + name + "' doesn't exist!\n\n"
	}
	return k.what + " file '" + name + "' deleted!\n"
}

// crlDetails prints one revocation list as HAProxy 2.6 does.
func crlDetails(b *strings.Builder, l *x509.RevocationList) {
	fmt.Fprintf(b, "Version %d\n", 2)
	fmt.Fprintf(b, "Signature Algorithm: %s\n", opensslSigAlg(l.SignatureAlgorithm))
	fmt.Fprintf(b, "Issuer: %s\n", dnOneLine(l.RawIssuer))
	fmt.Fprintf(b, "Last Update: %s\n", l.ThisUpdate.UTC().Format("Jan _2 15:04:05 2006 GMT"))
	fmt.Fprintf(b, "Next Update: %s\n", l.NextUpdate.UTC().Format("Jan _2 15:04:05 2006 GMT"))
	if len(l.RevokedCertificateEntries) == 0 {
		b.WriteString("No Revoked Certificates.\n")
		return
	}
	b.WriteString("Revoked Certificates:\n")
	for _, e := range l.RevokedCertificateEntries {
		fmt.Fprintf(b, "    Serial Number: %X\n        Revocation Date: %s\n", e.SerialNumber.Bytes(), e.RevocationTime.UTC().Format("Jan _2 15:04:05 2006 GMT"))
	}
}

// opensslSigAlg names a signature algorithm as OpenSSL's long names do.
func opensslSigAlg(a x509.SignatureAlgorithm) string {
	switch a {
	case x509.ECDSAWithSHA256:
		return "ecdsa-with-SHA256"
	case x509.ECDSAWithSHA384:
		return "ecdsa-with-SHA384"
	case x509.ECDSAWithSHA512:
		return "ecdsa-with-SHA512"
	case x509.SHA256WithRSA:
		return "sha256WithRSAEncryption"
	case x509.SHA384WithRSA:
		return "sha384WithRSAEncryption"
	case x509.SHA512WithRSA:
		return "sha512WithRSAEncryption"
	case x509.SHA1WithRSA:
		return "sha1WithRSAEncryption"
	case x509.PureEd25519:
		return "ED25519"
	}
	return a.String()
}
