// Command genkeywords writes keywords_gen.go, the keyword lists of package
// haproxy, from HAProxy 2.6's configuration.txt (Debian's haproxy package
// ships it as /usr/share/doc/haproxy/configuration.txt.gz). Package haproxy
// runs it through go:generate:
//
//	genkeywords -o keywords_gen.go /usr/share/doc/haproxy/configuration.txt.gz
//
// It reads section 3's global keyword list, section 4.1's proxy keyword
// matrix with each keyword's usage line from 4.2, the bind (5.1) and server
// (5.2) options and the sample fetches of 7.3.2 to 7.3.7. The smaller
// sections' keywords are listed by hand in keywords.go. The output is
// formatted by go/format, so it is committed exactly as written.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	out := flag.String("o", "keywords_gen.go", "output file")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: genkeywords [-o keywords_gen.go] configuration.txt[.gz]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *out); err != nil {
		fmt.Fprintln(os.Stderr, "genkeywords:", err)
		os.Exit(1)
	}
}

// run generates from the documentation at doc (gzip-compressed when its
// name ends in .gz) into the file out.
func run(doc, out string) error {
	text, err := readDoc(doc)
	if err != nil {
		return err
	}
	src, err := generate(text)
	if err != nil {
		return err
	}
	return os.WriteFile(out, src, 0o644)
}

func readDoc(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return "", fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	var b bytes.Buffer
	if _, err := io.Copy(&b, r); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return b.String(), nil
}
