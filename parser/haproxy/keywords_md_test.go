package haproxy

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// classSection renders the policy table for KEYWORDS.md: per kind, what
// is implemented (and where), what is inert (and why), and the names of
// what is unsupported.
func classSection() string {
	var b strings.Builder
	var kinds []string
	byKind := map[string][]ClassRow{}
	for _, r := range ClassTable() {
		if _, ok := byKind[r.Kind]; !ok {
			kinds = append(kinds, r.Kind)
		}
		byKind[r.Kind] = append(byKind[r.Kind], r)
	}
	fmt.Fprintf(&b, "%d subjects: ", len(ClassTable()))
	count := map[Class]int{}
	for _, r := range ClassTable() {
		count[r.Class]++
	}
	fmt.Fprintf(&b, "%d implemented, %d inert, %d inert unless TLS, %d unsupported.\n",
		count[Implemented], count[Inert], count[InertUnlessTLS], count[Unsupported])
	for _, k := range kinds {
		fmt.Fprintf(&b, "\n### %s\n\n", k)
		var unsupported []string
		for _, r := range byKind[k] {
			switch r.Class {
			case Unsupported:
				unsupported = append(unsupported, "`"+r.Name+"`")
			default:
				fmt.Fprintf(&b, "- `%s`: %s (%s)\n", r.Name, r.Class, r.Why)
			}
		}
		if len(unsupported) > 0 {
			fmt.Fprintf(&b, "- unsupported: %s\n", strings.Join(unsupported, ", "))
		}
	}
	return b.String()
}

// TestKeywordsMDClasses: KEYWORDS.md's class section is the class table.
// KEYWORDS_WRITE=1 rewrites it.
func TestKeywordsMDClasses(t *testing.T) {
	const begin, end = "<!-- classes:begin -->\n", "<!-- classes:end -->"
	data, err := os.ReadFile("KEYWORDS.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("KEYWORDS.md lacks the %q ... %q markers", begin, end)
	}
	want := classSection()
	if s[i+len(begin):j] == want {
		return
	}
	if os.Getenv("KEYWORDS_WRITE") == "1" {
		if err := os.WriteFile("KEYWORDS.md", []byte(s[:i+len(begin)]+want+s[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("KEYWORDS.md's class section is stale: KEYWORDS_WRITE=1 go test -run TestKeywordsMDClasses ./parser/haproxy")
}
