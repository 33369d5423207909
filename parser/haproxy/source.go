package haproxy

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Line is one logical configuration line after tokenizing and conditional
// blocks, with the position it came from.
type Line struct {
	File  string
	Num   int
	Raw   string
	Words []string
}

// ErrNoConfig mirrors HAProxy's reaction to an empty file list (e.g. -f on a
// directory with no *.cfg file): it prints its usage text and exits 1.
var ErrNoConfig = fmt.Errorf("no configuration file")

// ExpandPaths turns the -f arguments into the list of files HAProxy reads: a
// directory contributes its regular *.cfg files in lexical order. A missing
// path returns HAProxy's alert text.
func ExpandPaths(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, fmt.Errorf("Cannot open configuration file/directory %s : %s", a, errnoText(err))
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		ents, err := os.ReadDir(a)
		if err != nil {
			return nil, fmt.Errorf("Cannot open configuration file/directory %s : %s", a, errnoText(err))
		}
		var names []string
		for _, e := range ents {
			n := e.Name()
			if strings.HasPrefix(n, ".") || !strings.HasSuffix(n, ".cfg") {
				continue
			}
			if fi, err := os.Stat(filepath.Join(a, n)); err != nil || !fi.Mode().IsRegular() {
				continue
			}
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			files = append(files, strings.TrimSuffix(a, "/")+"/"+n)
		}
	}
	if len(files) == 0 {
		return nil, ErrNoConfig
	}
	return files, nil
}

func errnoText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		s := pe.Err.Error()
		if s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return err.Error()
}

// condFrame is one level of .if nesting.
type condFrame struct {
	line     int
	taken    bool // some branch of this level already ran
	active   bool // lines of the current branch are kept
	seenElse bool
	parent   bool // the enclosing level was active
}

// preResult is what the line pre-pass returns for one file.
type preResult struct {
	Lines []Line
	Abort bool // ERR_ABORT: HAProxy stops everything after this file
	Fatal bool
}

// Preprocess reads one file's bytes the way readcfgfile does before keyword
// dispatch: split lines, tokenize, run .if/.elif/.else/.endif and the
// .notice/.warning/.alert/.diag directives. Lines whose tokenizing failed are
// reported and dropped; a NUL byte stops the file after its line's prefix.
func Preprocess(file string, data []byte, env Env, diags *Diagnostics) preResult {
	return preprocess(file, data, env, diags, nil)
}

// preprocess is Preprocess noting the global section's environment lines
// in envs (when not nil) as it reads them, as HAProxy runs them before
// the next line is tokenized: a later "${VAR}" or .if sees their effect.
func preprocess(file string, data []byte, env Env, diags *Diagnostics, envs *envState) preResult {
	var res preResult
	kind := "" // the current section's keyword
	var stack []condFrame
	active := func() bool { return len(stack) == 0 || stack[len(stack)-1].active }
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), len(data)+1)
	num := 0
	for sc.Scan() {
		num++
		raw := sc.Text()
		lineEnv := func(name string) (string, bool) {
			switch name {
			case ".FILE":
				return file, true
			case ".LINE":
				return fmt.Sprint(num), true
			case ".SECTION":
				return section, true
			}
			if env == nil {
				return "", false
			}
			return env(name)
		}
		words, terr := Tokenize(raw, lineEnv)
		if terr != nil && terr.Msg == "Stray NUL character" {
			// HAProxy processes what precedes the NUL, then gives up on the file.
			if len(words) > 0 && active() {
				res.Lines = append(res.Lines, Line{File: file, Num: num, Raw: raw, Words: words})
			}
			diags.Raw(Alert, file, num, fmt.Sprintf("config : parsing [%s:%d]: %s at position %d.", file, num, terr.Msg, terr.Pos))
			res.Fatal = true
			return res
		}
		if terr != nil {
			x := diags.Raw(Alert, file, num, fmt.Sprintf("config : parsing [%s:%d]: %s at position %d:", file, num, terr.Msg, terr.Pos))
			x.Extra = caretLines(raw, terr.Pos)
			res.Fatal = true
			continue
		}
		if len(words) > MaxLineArgs {
			pos := wordPosition(raw, MaxLineArgs)
			diags.Raw(Alert, file, num, fmt.Sprintf("config : parsing [%s:%d]: too many words, truncating after word %d, position %d: <%s>.",
				file, num, MaxLineArgs, pos, words[MaxLineArgs-1]))
			res.Fatal = true
			continue
		}
		// Like readcfgfile, a line whose first word is empty is skipped.
		if len(words) == 0 || words[0] == "" {
			continue
		}
		w0 := words[0]
		if strings.HasPrefix(w0, ".") && len(w0) > 1 {
			stop := directive(file, num, raw, words, &stack, active(), lineEnv, diags, &res)
			if stop {
				return res
			}
			continue
		}
		if !active() {
			continue
		}
		if _, ok := sectionKinds[w0]; ok {
			kind, section = w0, w0
			if len(words) > 1 {
				section = words[1]
			}
		}
		if w0 == "peers" && envs != nil {
			envs.peers = true
		}
		if kind == "global" && envs != nil {
			envs.note(Pos{file, num}, words)
		}
		res.Lines = append(res.Lines, Line{File: file, Num: num, Raw: raw, Words: words})
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		last := data[bytes.LastIndexByte(data, '\n')+1:]
		diags.Raw(Alert, file, num, fmt.Sprintf("config : parsing [%s:%d]: Missing LF on last line, file might have been truncated at position %d.", file, num, len(last)+1))
		res.Fatal = true
	}
	if len(stack) > 0 {
		diags.Raw(Alert, file, num, fmt.Sprintf("config : parsing [%s:%d]: non-terminated '.if' block.", file, num))
		res.Fatal, res.Abort = true, true
	}
	return res
}

// wordPosition is HAProxy's "position" for the too-many-words message: the
// 1-based offset, counted after the leading blanks, of word n (1-based),
// i.e. the word the line is truncated at.
func wordPosition(raw string, n int) int {
	t := strings.TrimLeft(raw, " \t")
	count, in := 0, false
	for i := 0; i < len(t); i++ {
		blank := t[i] == ' ' || t[i] == '\t'
		if !blank && !in {
			count++
			if count == n {
				return i + 1
			}
		}
		in = !blank
	}
	return len(t)
}

// directive handles a line starting with '.'; it returns true when HAProxy
// would abort the whole configuration.
func directive(file string, num int, raw string, words []string, stack *[]condFrame, active bool, env Env, diags *Diagnostics, res *preResult) bool {
	alert := func(msg string) {
		diags.Raw(Alert, file, num, fmt.Sprintf("config : parsing [%s:%d]: %s", file, num, msg))
	}
	top := func() *condFrame { return &(*stack)[len(*stack)-1] }
	switch words[0] {
	case ".if":
		fr := condFrame{line: num, parent: active}
		if active {
			ok, cerr := EvalCondition(words[1:], env)
			if cerr != nil {
				x := diags.Raw(Alert, file, num, fmt.Sprintf("config : parsing [%s:%d]: %s in '.if' at position %d:", file, num, cerr.Msg, cerr.Pos))
				x.Extra = caretLines(raw, condCaret(raw, cerr.Pos))
				res.Fatal, res.Abort = true, true
				return true
			}
			fr.active, fr.taken = ok, ok
		}
		*stack = append(*stack, fr)
	case ".elif":
		if len(*stack) == 0 {
			alert("lone '.elif' with no matching '.if'.")
			res.Fatal, res.Abort = true, true
			return true
		}
		fr := top()
		if fr.seenElse {
			alert("'.elif' after '.else' is not permitted.")
			res.Fatal, res.Abort = true, true
			return true
		}
		if fr.parent && !fr.taken {
			ok, cerr := EvalCondition(words[1:], env)
			if cerr != nil {
				x := diags.Raw(Alert, file, num, fmt.Sprintf("config : parsing [%s:%d]: %s in '.elif' at position %d:", file, num, cerr.Msg, cerr.Pos))
				x.Extra = caretLines(raw, condCaret(raw, cerr.Pos))
				res.Fatal, res.Abort = true, true
				return true
			}
			fr.active, fr.taken = ok, ok
		} else {
			fr.active = false
		}
	case ".else":
		if len(*stack) == 0 {
			alert("lone '.else' with no matching '.if'.")
			res.Fatal, res.Abort = true, true
			return true
		}
		fr := top()
		if fr.seenElse {
			alert("'.else' after '.else' is not permitted.")
			res.Fatal, res.Abort = true, true
			return true
		}
		fr.seenElse = true
		fr.active = fr.parent && !fr.taken
		fr.taken = true
	case ".endif":
		if len(*stack) == 0 {
			alert("lone '.endif' with no matching '.if'.")
			res.Fatal, res.Abort = true, true
			return true
		}
		*stack = (*stack)[:len(*stack)-1]
	case ".notice", ".warning", ".alert", ".diag":
		if !active {
			return false
		}
		if len(words) > 2 {
			alert(fmt.Sprintf("Unexpected argument '%s' for '%s'. Use quotes if the message should contain spaces.", words[2], words[0]))
			res.Fatal = true
			return false
		}
		msg := ""
		if len(words) > 1 {
			msg = words[1]
		}
		text := fmt.Sprintf("config : parsing [%s:%d]: '%s'.", file, num, msg)
		switch words[0] {
		case ".notice":
			diags.Raw(Notice, file, num, text)
		case ".warning":
			diags.Raw(Warning, file, num, text)
		case ".alert":
			diags.Raw(Alert, file, num, text)
			res.Fatal, res.Abort = true, true
			return true
		case ".diag":
			diags.Raw(Diag, file, num, text) // printed in diagnostic mode (-dD) only
		}
	default:
		if !active {
			return false
		}
		alert(fmt.Sprintf("unknown directive '%s'.", words[0]))
		res.Fatal = true
		return true // the file stops here, other files still load
	}
	return false
}

// condCaret maps a 1-based position inside the joined condition text back to
// the raw line: HAProxy's caret sits under the first byte of the expression.
func condCaret(raw string, pos int) int {
	t := strings.TrimLeft(raw, " \t")
	lead := len(raw) - len(t)
	sp := strings.IndexAny(t, " \t")
	if sp < 0 {
		return lead + 1
	}
	rest := t[sp:]
	off := lead + sp + (len(rest) - len(strings.TrimLeft(rest, " \t")))
	return off + pos
}
