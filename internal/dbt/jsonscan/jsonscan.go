// Package jsonscan is the hand-written JSON reader under dbt's artifacts and dbt's JSON log.
//
// It is kept instead of encoding/json because of what the measurements show: manifest.json
// reaches 100 MB, mostly SQL text and column docs datatui never shows, and a run's log is read
// line by line while dbt writes it. Decoding only the fields asked for, and skipping the rest
// without building it, is several times faster than encoding/json and allocates a fraction.
package jsonscan

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Scanner reads JSON straight from a byte slice, decoding only the values its caller asks
// for and skipping the rest without building them. manifest.json files reach 100 MB, most of it
// SQL text and column docs datatui does not keep; encoding/json would build all of it (or, with
// RawMessage, validate it twice), which is several times slower.
//
// Errors are raised with panic(*Error) and turned back into errors by Catch at the entry
// points, so the decoding code reads as a straight line.
type Scanner struct {
	b []byte
	i int
	// intern shares the backing memory of strings that repeat across nodes (resource types,
	// package names, fqn parts, unique ids in depends_on).
	intern map[string]string
}

// New returns a scanner at the start of b.
func New(b []byte) Scanner { return Scanner{b: b} }

// Interning makes InternedStr, Strs and InternBytes share the memory of strings that repeat
// (size is the expected number of distinct strings).
func (s *Scanner) Interning(size int) { s.intern = make(map[string]string, size) }

// Pos is the offset of the next byte to read.
func (s *Scanner) Pos() int { return s.i }

// Seek moves the scanner to offset i of its input.
func (s *Scanner) Seek(i int) { s.i = i }

// AtEnd reports whether only white space is left.
func (s *Scanner) AtEnd() bool {
	s.SkipSpace()
	return s.i >= len(s.b)
}

// RawValue consumes one value of any kind and returns it as written.
func (s *Scanner) RawValue() []byte {
	s.SkipSpace()
	start := s.i
	s.Skip()
	return s.b[start:s.i]
}

// Error is a syntax error in a JSON artifact, at a byte offset from the start of the file.
type Error struct {
	Offset int64
	Msg    string
}

func (e *Error) Error() string {
	return fmt.Sprintf("invalid JSON at byte %d: %s", e.Offset, e.Msg)
}

// Catch converts a scanner panic into an error; other panics keep propagating.
func Catch(err *error) {
	if r := recover(); r != nil {
		if je, ok := r.(*Error); ok {
			*err = je
			return
		}
		panic(r)
	}
}

func (s *Scanner) Fail(format string, args ...any) {
	panic(&Error{Offset: int64(s.i), Msg: fmt.Sprintf(format, args...)})
}

func (s *Scanner) EOF() {
	s.i = len(s.b)
	s.Fail("unexpected end of the file (it looks truncated: was it still being written?)")
}

func (s *Scanner) SkipSpace() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\n', '\r', '\t':
			s.i++
		default:
			return
		}
	}
}

// Peek returns the next non-space byte without consuming it.
func (s *Scanner) Peek() byte {
	s.SkipSpace()
	if s.i >= len(s.b) {
		s.EOF()
	}
	return s.b[s.i]
}

func (s *Scanner) Expect(c byte) {
	if got := s.Peek(); got != c {
		s.Fail("expected %q, found %s", c, QuoteByte(got))
	}
	s.i++
}

func QuoteByte(c byte) string {
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("byte 0x%02x", c)
	}
	return strconv.QuoteRune(rune(c))
}

// RawString consumes a string and returns its bytes between the quotes (still escaped) and
// whether it holds escapes.
func (s *Scanner) RawString() ([]byte, bool) {
	if c := s.Peek(); c != '"' {
		s.Fail("expected a string, found %s", QuoteByte(c))
	}
	start := s.i + 1
	j := s.closingQuote(start)
	raw := s.b[start:j]
	s.i = j + 1
	return raw, bytes.IndexByte(raw, '\\') >= 0
}

// closingQuote returns the index of the quote that ends the string whose content starts at
// start: the first quote preceded by an even number of backslashes.
func (s *Scanner) closingQuote(start int) int {
	j := start
	for {
		k := bytes.IndexByte(s.b[j:], '"')
		if k < 0 {
			s.EOF()
		}
		j += k
		n := 0
		for p := j - 1; p >= start && s.b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return j
		}
		j++
	}
}

// skipString consumes a string without looking at its escapes.
func (s *Scanner) skipString() {
	start := s.i + 1
	j := s.closingQuote(start)
	s.i = j + 1
}

// Str reads a string; null reads as "", other values as their text (decoding is lenient
// about types: dbt versions differ, and a wrong type in one field should not lose the graph).
func (s *Scanner) Str() string {
	switch s.Peek() {
	case '"':
	case 'n':
		s.Literal()
		return ""
	default:
		v, _ := s.Text()
		return v
	}
	raw, esc := s.RawString()
	if esc {
		return s.Unescape(raw)
	}
	return string(raw)
}

// InternedStr reads a string and interns it (other values read as Str reads them).
func (s *Scanner) InternedStr() string {
	if s.Peek() != '"' {
		return s.Str()
	}
	raw, esc := s.RawString()
	if esc {
		return s.Unescape(raw)
	}
	return s.InternBytes(raw)
}

// InternBytes returns b as a string, interned.
func (s *Scanner) InternBytes(b []byte) string {
	if v, ok := s.intern[string(b)]; ok {
		return v
	}
	v := string(b)
	if s.intern != nil {
		s.intern[v] = v
	}
	return v
}

// Int reads a number (or a numeric string) as an int; anything else reads as 0.
func (s *Scanner) Int() int {
	v, ok := s.Text()
	if !ok {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f >= -1e15 && f <= 1e15 {
		return int(f)
	}
	return 0
}

// Float reads a number (or a numeric string); anything else reads as 0.
func (s *Scanner) Float() float64 {
	v, ok := s.Text()
	if !ok {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0
	}
	return f
}

// Text reads any scalar as text (strings unquoted, numbers and booleans as written, null as ""),
// and arrays or objects as their compact JSON. ok is false for null.
func (s *Scanner) Text() (v string, ok bool) {
	switch c := s.Peek(); c {
	case '"':
		return s.InternedStr(), true
	case '{', '[':
		start := s.i
		s.Skip()
		return string(compact(s.b[start:s.i])), true
	default:
		lit := s.Literal()
		if string(lit) == "null" {
			return "", false
		}
		return string(lit), true
	}
}

// Strs reads an array of strings (interned); a lone string reads as a one-element list and
// null as nil. Non-string elements are skipped.
func (s *Scanner) Strs() []string {
	switch s.Peek() {
	case 'n':
		s.Literal()
		return nil
	case '"':
		return []string{s.InternedStr()}
	case '[':
	default:
		s.Skip()
		return nil
	}
	s.Expect('[')
	var out []string
	if s.Peek() == ']' {
		s.i++
		return out
	}
	for {
		if s.Peek() == '"' {
			out = append(out, s.InternedStr())
		} else {
			s.Skip()
		}
		switch s.Peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return out
		default:
			s.Fail("expected ',' or ']' in an array, found %s", QuoteByte(s.b[s.i]))
		}
	}
}

// Object calls fn for each key of an object; fn must consume the value. null, and any other
// non-object value, reads as {} (it is skipped).
func (s *Scanner) Object(fn func(key []byte)) {
	if s.Peek() != '{' {
		s.Skip()
		return
	}
	s.Expect('{')
	if s.Peek() == '}' {
		s.i++
		return
	}
	for {
		key, esc := s.RawString()
		if esc {
			key = []byte(s.Unescape(key))
		}
		s.Expect(':')
		fn(key)
		switch s.Peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return
		default:
			s.Fail("expected ',' or '}' in an object, found %s", QuoteByte(s.b[s.i]))
		}
	}
}

// Array calls fn for each element; fn must consume it. Non-arrays read as [] (skipped).
func (s *Scanner) Array(fn func()) {
	if s.Peek() != '[' {
		s.Skip()
		return
	}
	s.Expect('[')
	if s.Peek() == ']' {
		s.i++
		return
	}
	for {
		fn()
		switch s.Peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return
		default:
			s.Fail("expected ',' or ']' in an array, found %s", QuoteByte(s.b[s.i]))
		}
	}
}

// Bool reads true/false (anything else reads as false after being skipped).
func (s *Scanner) Bool() bool {
	switch s.Peek() {
	case 't', 'f', 'n':
		return string(s.Literal()) == "true"
	}
	s.Skip()
	return false
}

// Literal consumes true, false, null or a number and returns it.
func (s *Scanner) Literal() []byte {
	s.SkipSpace()
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' {
			s.i++
			continue
		}
		break
	}
	lit := s.b[start:s.i]
	if len(lit) == 0 {
		if s.i >= len(s.b) {
			s.EOF()
		}
		s.Fail("unexpected %s", QuoteByte(s.b[s.i]))
	}
	switch l := string(lit); {
	case l == "true" || l == "false" || l == "null":
	// Python's json module (which writes dbt's artifacts) writes these for float specials.
	case l == "NaN" || l == "Infinity" || l == "-Infinity":
	case lit[0] == '-' || lit[0] >= '0' && lit[0] <= '9':
	default:
		s.i = start
		s.Fail("unexpected %q", l)
	}
	return lit
}

// structural marks the bytes skipNested must look at; everything else is passed over.
var structural = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true}

// Skip consumes one value of any kind.
func (s *Scanner) Skip() {
	switch s.Peek() {
	case '"':
		s.skipString()
	case '{', '[':
		s.SkipNested()
	default:
		s.Literal()
	}
}

// SkipNested consumes an object or array, checking that brackets pair up. It does not check
// commas and colons inside: a manifest is written by dbt, and what datatui reads from it is
// checked where it is decoded.
func (s *Scanner) SkipNested() {
	var stackBuf [32]byte
	stack := stackBuf[:0]
	b := s.b
	i := s.i
	for i < len(b) {
		c := b[i]
		if !structural[c] {
			i++
			continue
		}
		switch c {
		case '"':
			s.i = i
			s.skipString()
			i = s.i
			continue
		case '{':
			stack = append(stack, '}')
		case '[':
			stack = append(stack, ']')
		default:
			if len(stack) == 0 || stack[len(stack)-1] != c {
				s.i = i
				s.Fail("unexpected %q", c)
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				s.i = i + 1
				return
			}
		}
		i++
	}
	s.EOF()
}

// Unescape decodes a JSON string body that contains backslash escapes.
func (s *Scanner) Unescape(raw []byte) string {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(raw) {
			break
		}
		switch raw[i] {
		case '"', '\\', '/':
			out = append(out, raw[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n := hex4(raw[i+1:])
			if n < 0 {
				s.Fail("bad \\u escape in a string")
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if i+6 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
					if r2, n2 := hex4(raw[i+3:]); n2 >= 0 {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							r = d
							i += 6
						}
					}
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			s.Fail("bad escape \\%c in a string", raw[i])
		}
	}
	return string(out)
}

func hex4(b []byte) (rune, int) {
	if len(b) < 4 {
		return 0, -1
	}
	var r rune
	for _, c := range b[:4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, -1
		}
	}
	return r, 4
}

// compact drops insignificant whitespace from a JSON value (strings kept verbatim).
func compact(b []byte) []byte {
	out := make([]byte, 0, len(b))
	in := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if in {
			out = append(out, c)
			if c == '\\' && i+1 < len(b) {
				i++
				out = append(out, b[i])
			} else if c == '"' {
				in = false
			}
			continue
		}
		switch c {
		case ' ', '\n', '\r', '\t':
			continue
		case '"':
			in = true
		}
		out = append(out, c)
	}
	return out
}
