// Command gokeepalived is a drop-in replacement for keepalived's VRRP daemon.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "gokeepalived: not yet implemented")
	os.Exit(1)
}
