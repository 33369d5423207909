// Command gokeepalived is a drop-in replacement for keepalived's VRRP daemon.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
