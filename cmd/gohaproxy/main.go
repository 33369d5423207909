// Command gohaproxy is a drop-in replacement for HAProxy.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "gohaproxy: not yet implemented")
	os.Exit(1)
}
