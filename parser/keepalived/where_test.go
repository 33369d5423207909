package keepalived

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// whereRef is a "dir/file.go:Func" reference in a row's Where; a bare
// "file.go:Func" after one is in the same directory.
var whereRef = regexp.MustCompile(`((?:[a-z]+/)*)([a-z_0-9]+\.go):([A-Za-z_][A-Za-z_0-9]*)`)

// Every file:function a row names exists: KEYWORDS.md is how a newcomer
// reaches a keyword's runtime, so a stale Where fails here, not in a reader.
func TestWhereReferencesExist(t *testing.T) {
	root := filepath.Join("..", "..")
	for _, tab := range allTables() {
		for _, k := range tab.order {
			dir := ""
			for _, m := range whereRef.FindAllStringSubmatch(k.Where+"; "+k.Tests, -1) {
				if m[1] != "" {
					dir = m[1]
				}
				src, err := os.ReadFile(filepath.Join(root, dir, m[2]))
				if err != nil {
					t.Errorf("%s %s: Where names %s%s, which does not exist", tab.Name, k.Name, dir, m[2])
					continue
				}
				fn := regexp.MustCompile(`(?m)^func (\([^)]*\) )?` + m[3] + `[\[(]`)
				if !fn.Match(src) && !strings.Contains(string(src), "\ntype "+m[3]+" ") {
					t.Errorf("%s %s: Where names %s%s:%s, which has no such function", tab.Name, k.Name, dir, m[2], m[3])
				}
			}
		}
	}
}
