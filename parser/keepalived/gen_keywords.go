//go:build ignore

// gen_keywords writes KEYWORDS.md from the keyword tables
// (go generate ./parser/keepalived).
package main

import (
	"log"
	"os"

	"github.com/goha-lb/goha/parser/keepalived"
)

func main() {
	if err := os.WriteFile("KEYWORDS.md", []byte(keepalived.KeywordsDoc()), 0o644); err != nil {
		log.Fatal(err)
	}
}
