package runtimeapi

import (
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
)

// The stats socket of a `stats socket PATH level admin` line: one command
// line per connection (no prompt), answered in HAProxy's words and closed.
// src is the integrator's Source (here the tests' fake with backend
// "servers").
func ExampleListen() {
	dir, err := os.MkdirTemp("", "runtimeapi-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	var src Source = newFakeSource()
	l, err := Listen(filepath.Join(dir, "stats"), src, Options{Level: LevelAdmin})
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()

	c, err := net.Dial("unix", filepath.Join(dir, "stats"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "set weight servers/web1 3; get weight servers/web1\n")
	out, _ := io.ReadAll(c)
	fmt.Printf("%q\n", out)
	// Output:
	// "\n3 (initial 1)\n\n"
}
