package config

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// The HCL parser recurses once per nesting level and has no limit of its
// own: a file of 200 KB of "(" grows the stack past 1 GB and kills the
// process. These limits are checked on the raw bytes before parsing.
const (
	// maxConfigSize bounds the configuration file: real ones are a few KB.
	maxConfigSize = 1 << 20
	// maxNesting bounds how deep brackets, template interpolations and
	// directives, and chains of unary operators may nest. Real files
	// nest less than ten levels.
	maxNesting = 64
)

// frame is one open construct of the pre-scan.
type frame struct {
	kind frameKind
	tag  []byte // a heredoc's closing identifier
}

type frameKind uint8

// The kinds that nest come first (see nests).
const (
	frBracket   frameKind = iota // ( [ {
	frInterp                     // ${ or %{ in a template: code up to the matching }
	frDirective                  // an open %{if} or %{for}, up to %{endif} or %{endfor}
	frString                     // "...": template text
	frHeredoc                    // <<EOF ... EOF: template text
)

// nests reports whether the frame is a level of parser recursion; quoted
// text is not (what opens inside it is counted).
func (k frameKind) nests() bool { return k <= frDirective }

// limitError is a configuration over one of the limits, at byte offset off.
type limitError struct {
	off int
	msg string
}

// checkLimits refuses a configuration the parser cannot be trusted with:
// over maxConfigSize, or nested deeper than maxNesting. It is a cheap scan
// that skips comments and string text, not a parser: on malformed input it
// recovers the way the parser does (a quoted string ends at the line's
// end), erring towards counting more, never less.
func checkLimits(src []byte) *limitError {
	if len(src) > maxConfigSize {
		return &limitError{0, fmt.Sprintf("the configuration file is larger than 1 MiB (%d bytes), the most lifeboat reads", maxConfigSize)}
	}
	s := scanner{src: src}
	return s.run()
}

type scanner struct {
	src    []byte
	stack  []frame
	depth  int // frames that nest
	unary  int // consecutive unary operators just read
	lineAt int // offset where the current line starts
}

func (s *scanner) tooDeep(off int) *limitError {
	return &limitError{off, fmt.Sprintf("nested more than %d levels deep: brackets ( [ {, template interpolations ${ } and %%{ }, and unary operators ! and - may nest at most %d levels", maxNesting, maxNesting)}
}

func (s *scanner) push(f frame, off int) *limitError {
	s.stack = append(s.stack, f)
	if f.kind.nests() {
		s.depth++
		if s.depth > maxNesting {
			return s.tooDeep(off)
		}
	}
	return nil
}

func (s *scanner) pop() {
	f := s.stack[len(s.stack)-1]
	s.stack = s.stack[:len(s.stack)-1]
	if f.kind.nests() {
		s.depth--
	}
}

func (s *scanner) top() frameKind {
	if len(s.stack) == 0 {
		return frBracket // top level: code
	}
	return s.stack[len(s.stack)-1].kind
}

// container is the innermost string or heredoc frame, -1 if none.
func (s *scanner) container() int {
	for i := len(s.stack) - 1; i >= 0; i-- {
		if k := s.stack[i].kind; k == frString || k == frHeredoc {
			return i
		}
	}
	return -1
}

// popTo drops frame i and everything above it.
func (s *scanner) popTo(i int) {
	for len(s.stack) > i {
		s.pop()
	}
}

func (s *scanner) run() *limitError {
	src := s.src
	for i := 0; i < len(src); {
		if k := s.top(); k == frString || k == frHeredoc || k == frDirective {
			next, err := s.text(i)
			if err != nil {
				return err
			}
			i = next
			continue
		}
		next, err := s.code(i)
		if err != nil {
			return err
		}
		i = next
	}
	return nil
}

// code reads one token of expression syntax at i and returns where the
// next one starts.
func (s *scanner) code(i int) (int, *limitError) {
	src := s.src
	c := src[i]
	switch {
	case c == '\n':
		s.lineAt = i + 1
		return i + 1, nil
	case c == ' ' || c == '\t' || c == '\r':
		return i + 1, nil
	case c == '#' || c == '/' && at(src, i+1) == '/':
		return lineEnd(src, i), nil
	case c == '/' && at(src, i+1) == '*':
		end := bytes.Index(src[i+2:], []byte("*/"))
		if end < 0 {
			return len(src), nil
		}
		s.lines(i, i+2+end+2)
		return i + 2 + end + 2, nil
	case c == '!' && at(src, i+1) != '=' || c == '-':
		// The parser recurses once per unary operator: "!!!!x".
		// Comments and spaces between them do not end the chain.
		s.unary++
		if s.depth+s.unary > maxNesting {
			return 0, s.tooDeep(i)
		}
		return i + 1, nil
	}
	s.unary = 0
	switch {
	case c == '"':
		return i + 1, s.push(frame{kind: frString}, i)
	case c == '(' || c == '[' || c == '{':
		return i + 1, s.push(frame{kind: frBracket}, i)
	case c == ')' || c == ']' || c == '}':
		// Unbalanced closers are the parser's to report.
		if len(s.stack) > 0 && (s.top() == frBracket || c == '}' && s.top() == frInterp) {
			s.pop()
		}
		return i + 1, nil
	case c == '<' && at(src, i+1) == '<':
		if tag, body, ok := heredocHeader(src, i); ok {
			s.lineAt = body
			return body, s.push(frame{kind: frHeredoc, tag: tag}, i)
		}
		return i + 2, nil
	case isIdentStart(c):
		// Identifiers may contain '-': "a-b" is one name, not a minus.
		j := i + 1
		for j < len(src) && (isIdentStart(src[j]) || src[j] >= '0' && src[j] <= '9' || src[j] == '-') {
			j++
		}
		return j, nil
	}
	return i + 1, nil
}

// text reads template text at i (in a string or heredoc, or between
// directives) and returns where to go on.
func (s *scanner) text(i int) (int, *limitError) {
	src := s.src
	box := s.container()
	if box < 0 { // a directive frame without its text: cannot happen
		s.popTo(0)
		return i, nil
	}
	heredoc := s.stack[box].kind == frHeredoc
	if heredoc && i == s.lineAt {
		// The closing identifier, alone on its line (indent allowed).
		end := lineEnd(src, i)
		if bytes.Equal(bytes.TrimSpace(src[i:end]), s.stack[box].tag) {
			s.popTo(box)
			return end, nil
		}
	}
	c := src[i]
	switch {
	case c == '\n':
		s.lineAt = i + 1
		if !heredoc {
			// A quoted string cannot span lines: the parser reports
			// it and reads on as code; so does the scan.
			s.popTo(box)
		}
		return i + 1, nil
	case c == '\\' && !heredoc:
		if at(src, i+1) == '\n' {
			return i + 1, nil // let the newline end the string
		}
		return i + 2, nil
	case c == '"' && !heredoc:
		s.popTo(box)
		return i + 1, nil
	case (c == '$' || c == '%') && at(src, i+1) == c && at(src, i+2) == '{':
		return i + 3, nil // $${ and %%{ are literal
	case c == '$' && at(src, i+1) == '{':
		s.unary = 0
		return i + 2, s.push(frame{kind: frInterp}, i)
	case c == '%' && at(src, i+1) == '{':
		s.unary = 0
		switch directiveWord(src, i+2) {
		case "if", "for":
			if err := s.push(frame{kind: frDirective}, i); err != nil {
				return 0, err
			}
		case "endif", "endfor":
			if s.top() == frDirective {
				s.pop()
			}
		}
		return i + 2, s.push(frame{kind: frInterp}, i)
	}
	return i + 1, nil
}

// lines notes the start of the last line in src[from:to].
func (s *scanner) lines(from, to int) {
	if n := bytes.LastIndexByte(s.src[from:to], '\n'); n >= 0 {
		s.lineAt = from + n + 1
	}
}

func at(src []byte, i int) byte {
	if i < len(src) {
		return src[i]
	}
	return 0
}

func lineEnd(src []byte, i int) int {
	if n := bytes.IndexByte(src[i:], '\n'); n >= 0 {
		return i + n
	}
	return len(src)
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= utf8.RuneSelf
}

// heredocHeader reads "<<TAG\n" or "<<-TAG\n" at i: the tag, and where
// the heredoc's first line starts.
func heredocHeader(src []byte, i int) (tag []byte, body int, ok bool) {
	j := i + 2
	if at(src, j) == '-' {
		j++
	}
	start := j
	for j < len(src) && (isIdentStart(src[j]) || src[j] >= '0' && src[j] <= '9' || src[j] == '-') {
		j++
	}
	if j == start {
		return nil, 0, false
	}
	tag = src[start:j]
	if at(src, j) == '\r' {
		j++
	}
	if at(src, j) != '\n' {
		return nil, 0, false
	}
	return tag, j + 1, true
}

// directiveWord is the keyword of a template directive starting at i,
// after "%{", an optional "~" and spaces.
func directiveWord(src []byte, i int) string {
	if at(src, i) == '~' {
		i++
	}
	for at(src, i) == ' ' || at(src, i) == '\t' {
		i++
	}
	j := i
	for j < len(src) && src[j] >= 'a' && src[j] <= 'z' {
		j++
	}
	return string(src[i:j])
}

// position turns a byte offset into a 1-based line and column (counted in
// characters, as HCL does for ASCII).
func position(src []byte, off int) (line, col int) {
	line = 1 + bytes.Count(src[:off], []byte("\n"))
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	return line, 1 + utf8.RuneCount(src[start:off])
}
