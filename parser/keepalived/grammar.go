package keepalived

import (
	"io"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The grammar sees the pre-pass output: logical lines of words, strings and
// single braces. Textual features (include, $NAME, @id, ~SEQ) are resolved
// before it, and block structure is resolved after it by the keyword table,
// because keepalived decides from the keyword (not from the braces) whether a
// block follows — which is what makes its error messages for unbalanced input.

const (
	tokEOF lexer.TokenType = lexer.EOF - iota
	tokWord
	tokString
	tokLBrace
	tokRBrace
	tokEOL
)

// astFile is the parse tree: one astLine per logical line, positions kept.
type astFile struct {
	Lines []*astLine `parser:"@@*"`
}

type astLine struct {
	Pos   lexer.Position
	Words []*astWord `parser:"@@* EOL"`
}

type astWord struct {
	Pos    lexer.Position
	LBrace bool    `parser:"(  @LBrace"`
	RBrace bool    `parser:" | @RBrace"`
	String *string `parser:" | @String"`
	Word   string  `parser:" | @Word )"`
}

// tokenDefinition is a participle lexer definition whose tokens come from the
// pre-pass instead of from a reader.
type tokenDefinition struct{}

func (tokenDefinition) Symbols() map[string]lexer.TokenType {
	return map[string]lexer.TokenType{
		"EOF": tokEOF, "Word": tokWord, "String": tokString,
		"LBrace": tokLBrace, "RBrace": tokRBrace, "EOL": tokEOL,
	}
}

func (tokenDefinition) Lex(string, io.Reader) (lexer.Lexer, error) {
	return &sliceLexer{}, nil
}

type sliceLexer struct {
	toks []lexer.Token
	i    int
}

func (s *sliceLexer) Next() (lexer.Token, error) {
	if s.i >= len(s.toks) {
		var pos lexer.Position
		if len(s.toks) > 0 {
			pos = s.toks[len(s.toks)-1].Pos
		}
		return lexer.EOFToken(pos), nil
	}
	t := s.toks[s.i]
	s.i++
	return t, nil
}

var lineParser = participle.MustBuild[astFile](participle.Lexer(tokenDefinition{}))

func tokensOf(lines []Line) []lexer.Token {
	var out []lexer.Token
	for _, l := range lines {
		for _, t := range l.Tokens {
			typ := tokWord
			switch {
			case t.Quoted:
				typ = tokString
			case t.Text == "{":
				typ = tokLBrace
			case t.Text == "}":
				typ = tokRBrace
			}
			out = append(out, lexer.Token{Type: typ, Value: t.Text, Pos: lexer.Position{Filename: t.Pos.File, Line: t.Pos.Line, Column: t.Pos.Col}})
		}
		out = append(out, lexer.Token{Type: tokEOL, Value: "\n", Pos: lexer.Position{Filename: l.Pos.File, Line: l.Pos.Line, Column: l.Pos.Col}})
	}
	return out
}

// parseLines runs the participle grammar over the pre-pass lines and returns
// them rebuilt from the parse tree.
func parseLines(lines []Line) ([]Line, error) {
	pl, err := lexer.Upgrade(&sliceLexer{toks: tokensOf(lines)})
	if err != nil {
		return nil, err
	}
	f, err := lineParser.ParseFromLexer(pl)
	if err != nil {
		return nil, err
	}
	out := make([]Line, 0, len(f.Lines))
	for i, al := range f.Lines {
		l := Line{Pos: posOf(al.Pos), Text: lines[i].Text}
		if len(al.Words) > 0 {
			l.Pos = posOf(al.Words[0].Pos)
		} else {
			l.Pos = lines[i].Pos
		}
		for _, w := range al.Words {
			t := Token{Pos: posOf(w.Pos)}
			switch {
			case w.LBrace:
				t.Text = "{"
			case w.RBrace:
				t.Text = "}"
			case w.String != nil:
				t.Text, t.Quoted = *w.String, true
			default:
				t.Text = w.Word
			}
			l.Tokens = append(l.Tokens, t)
		}
		out = append(out, l)
	}
	return out, nil
}

func posOf(p lexer.Position) Pos { return Pos{File: p.Filename, Line: p.Line, Col: p.Column} }
