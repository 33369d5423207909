// Command kwcover lists the implemented rows of
// parser/haproxy/class_table.tsv that no differential test uses. A test
// (TestXxx in any _test.go of the module) counts when it reaches, through
// functions of its own package, difftest.StartHAProxy or an exec of
// "haproxy"; its text is every string literal of the test, of the package
// functions and variables it names (transitively), and of the testdata
// files those strings name. A row is covered when its name appears in that
// text in its kind's place (an action after its rule keyword, an option on
// a bind/server line, a converter after a comma or alone in a table
// string, or in a table string of a test that writes bind or server lines
// with their options filled in from it, ...). A row goha refuses as HAProxy does (its note starts with
// "refused" and names "golden <case>") counts when that golden case,
// testdata/haproxy/<case>.cfg with the real haproxy -c output recorded
// beside it, uses it: the refusal is the behaviour compared. It is a
// grep, not a proof: a name in a string that never reaches a config
// counts too. Run from the module root:
//
//	go run ./scripts/kwcover [-v]
package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

type fn struct {
	refs    map[string]bool
	strs    []string
	diffish bool
	// checkOnly: some call passes "-c" (haproxy -c: a configuration check,
	// not a run); such a test counts only if it also runs one.
	checkOnly bool
	// named: some call is given "haproxy" (testenv.LookPath, start("haproxy")).
	named bool
	// runs: some call passes "-db" (a foreground run, beside any -c check).
	runs bool
}

type pkg struct {
	dir   string
	funcs map[string]*fn
	tests []string
}

func main() {
	verbose := flag.Bool("v", false, "also print the covered rows and their tests")
	loose := flag.Bool("loose", false, "also count tests that only name \"haproxy\" in a call (LookPath, start(\"haproxy\")) without a -c check")
	flag.Parse()
	pkgs := map[string]*pkg{}
	err := filepath.Walk(".", func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.IsDir() && strings.HasPrefix(info.Name(), ".") && path != "." {
			return filepath.SkipDir
		}
		if info.IsDir() && (path == "parser" || path == "vrrp" || path == "lab") {
			return filepath.SkipDir // no data path runs there
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.Dir(path)
		p := pkgs[dir]
		if p == nil {
			p = &pkg{dir: dir, funcs: map[string]*fn{}}
			pkgs[dir] = p
		}
		loadFile(p, path)
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	rows := readRows("parser/haproxy/class_table.tsv")
	for _, r := range rows {
		if m := optionNames[r[0]]; m != nil {
			m[r[1]] = true
		}
	}
	corpus := map[string]string{}
	for _, p := range pkgs {
		for _, f := range p.funcs {
			if *loose && f.named && (!f.checkOnly || f.runs) {
				f.diffish = true
			}
		}
		for changed := true; changed; {
			changed = false
			for _, f := range p.funcs {
				if f.diffish {
					continue
				}
				for c := range f.refs {
					if g := p.funcs[c]; g != nil && g.diffish {
						f.diffish, changed = true, true
						break
					}
				}
			}
		}
		for _, t := range p.tests {
			if !p.funcs[t].diffish {
				continue
			}
			var b strings.Builder
			var oneLiners []string
			seen := map[string]bool{}
			var walk func(name string)
			walk = func(name string) {
				g := p.funcs[name]
				if seen[name] || g == nil {
					return
				}
				seen[name] = true
				for _, s := range g.strs {
					addText(&b, p.dir, s)
					if !strings.Contains(s, "\n") {
						oneLiners = append(oneLiners, s)
					}
				}
				for c := range g.refs {
					walk(c)
				}
			}
			walk(t)
			// A bind or server line whose options come from a table
			// ("    bind " + addr + " " + tc.opts, "server s1 %s ... %s\n"):
			// each one-line string of the test may be those options.
			text := b.String()
			for _, open := range openLines {
				if open.re.MatchString(text) {
					for _, s := range oneLiners {
						// options begin with one of the kind's names; a
						// lone word only when it is no plain label ("mode",
						// "uid" name columns too): a '-' or a digit in it
						w := strings.Fields(s)
						if len(w) > 1 && w[0] == "X" {
							w = w[1:] // addr + " check ...": the address first
						}
						if len(w) > 0 && optionNames[open.kind][w[0]] && (len(w) > 1 || strings.ContainsAny(w[0], "-0123456789")) {
							b.WriteString(open.prefix + s + "\n")
						}
					}
				}
			}
			corpus[p.dir+"."+t] = b.String()
		}
	}
	var names []string
	for n := range corpus {
		names = append(names, n)
	}
	sort.Strings(names)
	total, missing := 0, 0
	for _, r := range rows {
		if r[2] != "implemented" {
			continue
		}
		total++
		re := rowRegexp(r[0], r[1])
		var by []string
		for _, n := range names {
			if re.MatchString(corpus[n]) {
				by = append(by, n)
			}
		}
		if len(r) > 3 && strings.HasPrefix(r[3], "refused") {
			for _, g := range refusalGoldens.FindAllStringSubmatch(r[3], -1) {
				if data, err := os.ReadFile(filepath.Join("testdata/haproxy", g[1]+".cfg")); err == nil && re.Match(data) {
					by = append(by, "golden:"+g[1])
				}
			}
		}
		if len(by) == 0 {
			missing++
			fmt.Printf("untested\t%s\t%s\n", r[0], r[1])
		} else if *verbose {
			fmt.Printf("covered\t%s\t%s\t%s\n", r[0], r[1], strings.Join(by, " "))
		}
	}
	fmt.Printf("%d implemented rows, %d without a differential test (%d differential tests read)\n", total, missing, len(names))
}

// openLines are bind lines whose address and last words are filled in
// (X: an operand of a + chain; %s, %v: a format's verb) and server lines
// whose address is, and the line a table string would make there.
var openLines = []struct {
	re           *regexp.Regexp
	kind, prefix string
}{
	{regexp.MustCompile(`(?m)^\s*(?:bind|stats\s+socket)\s+\S*(?:X|%[sv])\S*\s(?:[^\n]*\s)?(?:X|%[sv])[ \t]*$`), "bind", "bind X "},
	// (the address alone may carry the options: "server s1 %s inter 100ms")
	{regexp.MustCompile(`(?m)^\s*(?:server|default-server)\s+\S+\s+(?:X|%[sv])(?:\s|$)`), "server", "server s X "},
}

// optionNames are the bind and server option names of the class table
// (every class), by kind.
var optionNames = map[string]map[string]bool{"bind": {}, "server": {}}

// refusalGoldens finds the golden cases a class table note names.
var refusalGoldens = regexp.MustCompile(`golden ([a-z0-9-]+)`)

func addText(b *strings.Builder, dir, s string) {
	b.WriteString(s)
	b.WriteString("\n")
	if strings.Contains(s, "testdata/") && !strings.ContainsAny(s, "\n ") {
		if data, err := os.ReadFile(filepath.Join(dir, s)); err == nil {
			b.Write(data)
			b.WriteString("\n")
		}
	}
}

func loadFile(p *pkg, path string) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	for _, d := range file.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			f := &fn{refs: map[string]bool{}}
			scan(d.Body, f)
			p.funcs[d.Name.Name] = f
			if strings.HasPrefix(d.Name.Name, "Test") && d.Recv == nil {
				p.tests = append(p.tests, d.Name.Name)
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				vs, ok := s.(*ast.ValueSpec)
				if !ok {
					continue
				}
				f := &fn{refs: map[string]bool{}}
				for _, v := range vs.Values {
					scan(v, f)
				}
				for _, n := range vs.Names {
					p.funcs[n.Name] = f
				}
			}
		}
	}
}

func scan(n ast.Node, f *fn) {
	if n == nil {
		return
	}
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BasicLit:
			if n.Kind == token.STRING {
				if s, err := strconv.Unquote(n.Value); err == nil {
					f.strs = append(f.strs, s)
				}
			}
		case *ast.BinaryExpr:
			// "server s1 " + addr + " proto h2 max-reuse 0": the line as
			// written, each operand that is not a literal read as "X"
			if n.Op == token.ADD {
				if joined, ok := joinConcat(n); ok {
					f.strs = append(f.strs, joined)
				}
			}
		case *ast.Ident:
			f.refs[n.Name] = true
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok {
				break
			}
			x, ok := sel.X.(*ast.Ident)
			if !ok {
				break
			}
			if x.Name == "difftest" && sel.Sel.Name == "StartHAProxy" {
				f.diffish = true
			}
			if x.Name == "haproxytest" && sel.Sel.Name == "StartQuiet" {
				f.diffish = true
			}
		}
		if c, ok := n.(*ast.CallExpr); ok {
			// exec.Command("haproxy", ...), testenv.LookPath(t, "haproxy"),
			// start("haproxy"): the test runs the real one.
			join := false
			if sel, ok := c.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Join" {
				join = true // a path element, not the program
			}
			for _, a := range c.Args {
				if l, ok := a.(*ast.BasicLit); ok && !join && l.Value == `"haproxy"` {
					f.named = true
				}
				if l, ok := a.(*ast.BasicLit); ok && l.Value == `"-c"` {
					f.checkOnly = true
				}
				if l, ok := a.(*ast.BasicLit); ok && l.Value == `"-db"` {
					f.runs = true // the program runs in the foreground: not only a check
				}
			}
		}
		return true
	})
}

// joinConcat is a + chain with at least one string literal, joined, the
// other operands as "X".
func joinConcat(e *ast.BinaryExpr) (string, bool) {
	var b strings.Builder
	lit := false
	var walk func(x ast.Expr)
	walk = func(x ast.Expr) {
		switch x := x.(type) {
		case *ast.BinaryExpr:
			if x.Op == token.ADD {
				walk(x.X)
				walk(x.Y)
				return
			}
		case *ast.ParenExpr:
			walk(x.X)
			return
		case *ast.BasicLit:
			if v, err := strconv.Unquote(x.Value); err == nil && x.Kind == token.STRING {
				b.WriteString(v)
				lit = true
				return
			}
		}
		b.WriteString("X")
	}
	walk(e)
	return b.String(), lit
}

func readRows(path string) [][]string {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var rows [][]string
	for _, l := range strings.Split(string(data), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if f := strings.Split(l, "\t"); len(f) >= 3 {
			rows = append(rows, f)
		}
	}
	return rows
}

var ruleKinds = map[string]bool{"http-request": true, "http-response": true, "http-after-response": true,
	"tcp-request connection": true, "tcp-request content": true, "tcp-request session": true,
	"tcp-response content": true, "http-check": true, "tcp-check": true}

func rowRegexp(kind, name string) *regexp.Regexp {
	q := strings.ReplaceAll(regexp.QuoteMeta(name), " ", `\s+`)
	const bound = `(?:^|[^A-Za-z0-9_.-])`
	const end = `(?:$|[^A-Za-z0-9_.-])`
	const line = `(?m)^\s*`
	var s string
	switch {
	case kind == "converter":
		s = `(?m)(?:,\s*|^)` + q + `(?:\(|` + end + `)`
	case kind == "bind":
		// (a stats socket takes the bind options)
		s = line + `(?:bind|stats\s+socket)\s[^\n]*\s` + q + end
	case kind == "server":
		// (a server's first word is its name; default-server's options
		// may come at once)
		s = line + `(?:(?:server|server-template)\s[^\n]*\s|default-server\s(?:[^\n]*\s)?)` + q + end
	case ruleKinds[kind]:
		if name == "track-sc" {
			q = `track-sc[0-9]`
		}
		k := strings.ReplaceAll(regexp.QuoteMeta(kind), " ", `\s+`)
		// after its rule keyword, or alone at the start of a table string
		// in a test that writes that rule keyword (Fprintf("http-request %s")
		s = line + k + `\s+` + q + `(?:\(|` + end + `)|(?s:` + k + `\s.*^` + q + `[\s(]|^` + q + `[\s(].*` + k + `\s)`
	case kind == "filter":
		s = line + `filter\s+` + q + end
	case kind == "service":
		s = `use-service\s+` + q + end
	case kind == "fetch" || kind == "acl":
		s = bound + q + `(?:\(|` + end + `)`
	default:
		s = line + q + end
	}
	return regexp.MustCompile(s)
}
