package haproxy

import (
	"io"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The statement grammar runs over the pre-pass's words, not over raw text:
// quoting, escapes, ${VAR} and .if are textual and already resolved, so the
// lexer below replays words with their file:line and marks section headers.

type astFile struct {
	Loose    []*astStmt    `parser:"@@*"`
	Sections []*astSection `parser:"@@*"`
}

type astSection struct {
	Pos  lexer.Position
	Kind string     `parser:"@Section"`
	Args []string   `parser:"@Word* EOL"`
	Body []*astStmt `parser:"@@*"`
}

type astStmt struct {
	Pos     lexer.Position
	Keyword string   `parser:"@Word"`
	Args    []string `parser:"@Word* EOL"`
}

var lineSymbols = map[string]lexer.TokenType{"EOF": lexer.EOF, "Section": -2, "Word": -3, "EOL": -4}

// lineLexer is a participle lexer.Definition over pre-processed lines.
type lineLexer struct{ lines []Line }

func (l *lineLexer) Symbols() map[string]lexer.TokenType { return lineSymbols }

func (l *lineLexer) Lex(string, io.Reader) (lexer.Lexer, error) {
	n := 0
	for _, ln := range l.lines {
		n += len(ln.Words) + 1
	}
	toks := make([]lexer.Token, 0, n)
	for _, ln := range l.lines {
		pos := lexer.Position{Filename: ln.File, Line: ln.Num, Column: 1}
		for i, w := range ln.Words {
			typ := lineSymbols["Word"]
			if i == 0 && sectionKinds[w] {
				typ = lineSymbols["Section"]
			}
			toks = append(toks, lexer.Token{Type: typ, Value: w, Pos: pos})
		}
		toks = append(toks, lexer.Token{Type: lineSymbols["EOL"], Value: "\n", Pos: pos})
	}
	return &tokenStream{toks: toks}, nil
}

type tokenStream struct {
	toks []lexer.Token
	i    int
}

func (s *tokenStream) Next() (lexer.Token, error) {
	if s.i >= len(s.toks) {
		return lexer.EOFToken(lexer.Position{}), nil
	}
	t := s.toks[s.i]
	s.i++
	return t, nil
}

var statementParser = participle.MustBuild[astFile](participle.Lexer(&lineLexer{}))

// parseLines groups pre-processed lines into sections and statements.
func parseLines(lines []Line) (*astFile, error) {
	lx, _ := (&lineLexer{lines: lines}).Lex("", nil)
	peek, err := lexer.Upgrade(lx)
	if err != nil {
		return nil, err
	}
	return statementParser.ParseFromLexer(peek)
}
