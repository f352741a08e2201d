package dbt

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonScanner reads JSON straight from a byte slice, decoding only the values its caller asks
// for and skipping the rest without building them. manifest.json files reach 100 MB, most of it
// SQL text and column docs datatui does not keep; encoding/json would build all of it (or, with
// RawMessage, validate it twice), which is several times slower.
//
// Errors are raised with panic(*JSONError) and turned back into errors by catchJSON at the entry
// points, so the decoding code reads as a straight line.
type jsonScanner struct {
	b []byte
	i int
	// intern shares the backing memory of strings that repeat across nodes (resource types,
	// package names, fqn parts, unique ids in depends_on).
	intern map[string]string
}

// JSONError is a syntax error in a JSON artifact, at a byte offset from the start of the file.
type JSONError struct {
	Offset int64
	Msg    string
}

func (e *JSONError) Error() string {
	return fmt.Sprintf("invalid JSON at byte %d: %s", e.Offset, e.Msg)
}

// catchJSON converts a scanner panic into an error; other panics keep propagating.
func catchJSON(err *error) {
	if r := recover(); r != nil {
		if je, ok := r.(*JSONError); ok {
			*err = je
			return
		}
		panic(r)
	}
}

func (s *jsonScanner) fail(format string, args ...any) {
	panic(&JSONError{Offset: int64(s.i), Msg: fmt.Sprintf(format, args...)})
}

func (s *jsonScanner) eof() {
	s.i = len(s.b)
	s.fail("unexpected end of the file (it looks truncated: was it still being written?)")
}

func (s *jsonScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\n', '\r', '\t':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte without consuming it.
func (s *jsonScanner) peek() byte {
	s.ws()
	if s.i >= len(s.b) {
		s.eof()
	}
	return s.b[s.i]
}

func (s *jsonScanner) expect(c byte) {
	if got := s.peek(); got != c {
		s.fail("expected %q, found %s", c, quoteByte(got))
	}
	s.i++
}

func quoteByte(c byte) string {
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("byte 0x%02x", c)
	}
	return strconv.QuoteRune(rune(c))
}

// rawString consumes a string and returns its bytes between the quotes (still escaped) and
// whether it holds escapes.
func (s *jsonScanner) rawString() ([]byte, bool) {
	if c := s.peek(); c != '"' {
		s.fail("expected a string, found %s", quoteByte(c))
	}
	start := s.i + 1
	j := s.closingQuote(start)
	raw := s.b[start:j]
	s.i = j + 1
	return raw, bytes.IndexByte(raw, '\\') >= 0
}

// closingQuote returns the index of the quote that ends the string whose content starts at
// start: the first quote preceded by an even number of backslashes.
func (s *jsonScanner) closingQuote(start int) int {
	j := start
	for {
		k := bytes.IndexByte(s.b[j:], '"')
		if k < 0 {
			s.eof()
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
func (s *jsonScanner) skipString() {
	start := s.i + 1
	j := s.closingQuote(start)
	s.i = j + 1
}

// str reads a string; null reads as "", other values as their text (decoding is lenient
// about types: dbt versions differ, and a wrong type in one field should not lose the graph).
func (s *jsonScanner) str() string {
	switch s.peek() {
	case '"':
	case 'n':
		s.literal()
		return ""
	default:
		v, _ := s.text()
		return v
	}
	raw, esc := s.rawString()
	if esc {
		return s.unescape(raw)
	}
	return string(raw)
}

// istr reads a string and interns it.
func (s *jsonScanner) istr() string {
	switch s.peek() {
	case '"':
	case 'n':
		s.literal()
		return ""
	default:
		v, _ := s.text()
		return v
	}
	raw, esc := s.rawString()
	if esc {
		return s.unescape(raw)
	}
	if v, ok := s.intern[string(raw)]; ok {
		return v
	}
	v := string(raw)
	if s.intern != nil {
		s.intern[v] = v
	}
	return v
}

// text reads any scalar as text (strings unquoted, numbers and booleans as written, null as ""),
// and arrays or objects as their compact JSON. ok is false for null.
func (s *jsonScanner) text() (v string, ok bool) {
	switch c := s.peek(); c {
	case '"':
		return s.istr(), true
	case '{', '[':
		start := s.i
		s.skip()
		return string(compactJSON(s.b[start:s.i])), true
	default:
		lit := s.literal()
		if string(lit) == "null" {
			return "", false
		}
		return string(lit), true
	}
}

// strs reads an array of strings (interned); a lone string reads as a one-element list and
// null as nil. Non-string elements are skipped.
func (s *jsonScanner) strs() []string {
	switch s.peek() {
	case 'n':
		s.literal()
		return nil
	case '"':
		return []string{s.istr()}
	case '[':
	default:
		s.skip()
		return nil
	}
	s.expect('[')
	var out []string
	if s.peek() == ']' {
		s.i++
		return out
	}
	for {
		if s.peek() == '"' {
			out = append(out, s.istr())
		} else {
			s.skip()
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return out
		default:
			s.fail("expected ',' or ']' in an array, found %s", quoteByte(s.b[s.i]))
		}
	}
}

// object calls fn for each key of an object; fn must consume the value. null, and any other
// non-object value, reads as {} (it is skipped).
func (s *jsonScanner) object(fn func(key []byte)) {
	if s.peek() != '{' {
		s.skip()
		return
	}
	s.expect('{')
	if s.peek() == '}' {
		s.i++
		return
	}
	for {
		key, esc := s.rawString()
		if esc {
			key = []byte(s.unescape(key))
		}
		s.expect(':')
		fn(key)
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return
		default:
			s.fail("expected ',' or '}' in an object, found %s", quoteByte(s.b[s.i]))
		}
	}
}

// array calls fn for each element; fn must consume it. Non-arrays read as [] (skipped).
func (s *jsonScanner) array(fn func()) {
	if s.peek() != '[' {
		s.skip()
		return
	}
	s.expect('[')
	if s.peek() == ']' {
		s.i++
		return
	}
	for {
		fn()
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return
		default:
			s.fail("expected ',' or ']' in an array, found %s", quoteByte(s.b[s.i]))
		}
	}
}

// boolean reads true/false (anything else reads as false after being skipped).
func (s *jsonScanner) boolean() bool {
	switch s.peek() {
	case 't', 'f', 'n':
		return string(s.literal()) == "true"
	}
	s.skip()
	return false
}

// literal consumes true, false, null or a number and returns it.
func (s *jsonScanner) literal() []byte {
	s.ws()
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
			s.eof()
		}
		s.fail("unexpected %s", quoteByte(s.b[s.i]))
	}
	switch l := string(lit); {
	case l == "true" || l == "false" || l == "null":
	// Python's json module (which writes dbt's artifacts) writes these for float specials.
	case l == "NaN" || l == "Infinity" || l == "-Infinity":
	case lit[0] == '-' || lit[0] >= '0' && lit[0] <= '9':
	default:
		s.i = start
		s.fail("unexpected %q", l)
	}
	return lit
}

// structural marks the bytes skipNested must look at; everything else is passed over.
var structural = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true}

// skip consumes one value of any kind.
func (s *jsonScanner) skip() {
	switch s.peek() {
	case '"':
		s.skipString()
	case '{', '[':
		s.skipNested()
	default:
		s.literal()
	}
}

// skipNested consumes an object or array, checking that brackets pair up. It does not check
// commas and colons inside: a manifest is written by dbt, and what datatui reads from it is
// checked where it is decoded.
func (s *jsonScanner) skipNested() {
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
				s.fail("unexpected %q", c)
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				s.i = i + 1
				return
			}
		}
		i++
	}
	s.eof()
}

// unescape decodes a JSON string body that contains backslash escapes.
func (s *jsonScanner) unescape(raw []byte) string {
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
				s.fail("bad \\u escape in a string")
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
			s.fail("bad escape \\%c in a string", raw[i])
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

// compactJSON drops insignificant whitespace from a JSON value (strings kept verbatim).
func compactJSON(b []byte) []byte {
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
