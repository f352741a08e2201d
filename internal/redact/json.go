package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/datatui/datatui/internal/termsafe"
)

// Marshal is json.Marshal for anything datatui prints or keeps (CLI --json, state files):
// the value is encoded, then every string is cleaned with String and every non-empty string
// under a secret key (IsSecretKey, at any depth) becomes Mask. Field order is kept. Strings are also
// made terminal-safe: besides what encoding/json escapes, DEL, C1 controls and bidi and
// invisible formatting characters are written as \u escapes (the same value to a JSON
// reader, inert on a terminal).
func Marshal(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return clean(raw)
}

// MarshalIndent is Marshal with json.MarshalIndent's layout.
func MarshalIndent(v any, prefix, indent string) ([]byte, error) {
	b, err := Marshal(v)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, prefix, indent); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// Encode writes v to w as indented JSON and a newline, like a json.Encoder with
// SetIndent("", "  "), cleaned like Marshal. When w is a Writer the JSON goes to the writer
// underneath: it is clean already, and Scrub is not safe on JSON text.
func Encode(w io.Writer, v any) error {
	b, err := MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = Unwrap(w).Write(append(b, '\n'))
	return err
}

// EncodeLine writes v to w as one line of JSON (JSON Lines), cleaned like Marshal, past a
// Writer like Encode.
func EncodeLine(w io.Writer, v any) error {
	b, err := Marshal(v)
	if err != nil {
		return err
	}
	_, err = Unwrap(w).Write(append(b, '\n'))
	return err
}

// JSON cleans JSON text (a document from outside, a recorded response) like Marshal.
func JSON(data []byte) ([]byte, error) { return clean(data) }

func clean(raw []byte) ([]byte, error) {
	sc := scanner{in: raw}
	sc.out.Grow(len(raw) + len(raw)/16)
	if err := sc.value(false); err != nil {
		return nil, err
	}
	if sc.skipSpace(); sc.i != len(sc.in) {
		return nil, sc.errorf("text after the JSON value")
	}
	return sc.out.Bytes(), nil
}

// scanner copies a JSON document, cleaning as it goes. It is hand-written rather than built
// on json.Decoder's tokens, which cost an allocation per token: `datatui ls --json` cleans
// every node of a large manifest.
type scanner struct {
	in  []byte
	i   int
	out bytes.Buffer
}

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("redact: invalid JSON at byte %d: %s", s.i, fmt.Sprintf(format, args...))
}

func (s *scanner) skipSpace() {
	for s.i < len(s.in) {
		switch s.in[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value copies one JSON value. secret is true under a secret key: strings there are masked,
// containers are walked (their own keys are judged again, so a credentials: {user,
// password} mapping keeps the user; a list takes its key's judgement).
func (s *scanner) value(secret bool) error {
	s.skipSpace()
	if s.i >= len(s.in) {
		return s.errorf("unexpected end")
	}
	switch c := s.in[s.i]; c {
	case '{':
		s.i++
		s.out.WriteByte('{')
		s.skipSpace()
		if s.i < len(s.in) && s.in[s.i] == '}' {
			s.i++
			s.out.WriteByte('}')
			return nil
		}
		for {
			s.skipSpace()
			raw, key, err := s.str()
			if err != nil {
				return err
			}
			s.emitString(raw, key, Scrub(key))
			if s.skipSpace(); s.i >= len(s.in) || s.in[s.i] != ':' {
				return s.errorf("missing ':'")
			}
			s.i++
			s.out.WriteByte(':')
			if err := s.value(IsSecretKey(key)); err != nil {
				return err
			}
			if done, err := s.next('}'); done || err != nil {
				return err
			}
		}
	case '[':
		s.i++
		s.out.WriteByte('[')
		s.skipSpace()
		if s.i < len(s.in) && s.in[s.i] == ']' {
			s.i++
			s.out.WriteByte(']')
			return nil
		}
		for {
			if err := s.value(secret); err != nil {
				return err
			}
			if done, err := s.next(']'); done || err != nil {
				return err
			}
		}
	case '"':
		raw, str, err := s.str()
		if err != nil {
			return err
		}
		switch {
		case secret && str != "":
			writeString(&s.out, Mask)
		default:
			s.emitString(raw, str, String(str))
		}
		return nil
	default:
		start := s.i
		for s.i < len(s.in) && !strings.ContainsRune(",}] \t\n\r", rune(s.in[s.i])) {
			s.i++
		}
		lit := s.in[start:s.i]
		switch {
		case len(lit) == 0:
			return s.errorf("unexpected %q", c)
		case string(lit) == "true", string(lit) == "false", string(lit) == "null":
			s.out.Write(lit)
		case !json.Valid(lit):
			return s.errorf("bad literal %q", lit)
		default:
			// Numbers stay, even under a secret key: datatui's own JSON holds no credential
			// as a number (profiles.yml's values are text by then, and known secrets are
			// replaced inside strings), while counts such as a run summary's "pass" are.
			s.out.Write(lit)
		}
		return nil
	}
}

// next consumes the ',' between elements or the closing delimiter; done is true after the
// closing one.
func (s *scanner) next(closing byte) (done bool, err error) {
	s.skipSpace()
	if s.i >= len(s.in) {
		return false, s.errorf("unexpected end")
	}
	switch s.in[s.i] {
	case ',':
		s.i++
		s.out.WriteByte(',')
		return false, nil
	case closing:
		s.i++
		s.out.WriteByte(closing)
		return true, nil
	}
	return false, s.errorf("unexpected %q", s.in[s.i])
}

// str reads a JSON string: its raw bytes (quotes included) and its value.
func (s *scanner) str() (raw []byte, val string, err error) {
	if s.i >= len(s.in) || s.in[s.i] != '"' {
		return nil, "", s.errorf("expected a string")
	}
	start, escaped := s.i, false
	for s.i++; s.i < len(s.in); s.i++ {
		switch s.in[s.i] {
		case '\\':
			escaped = true
			s.i++
		case '"':
			s.i++
			raw = s.in[start:s.i]
			if !escaped {
				return raw, string(raw[1 : len(raw)-1]), nil
			}
			if err := json.Unmarshal(raw, &val); err != nil {
				return nil, "", s.errorf("bad string: %v", err)
			}
			return raw, val, nil
		}
	}
	return nil, "", s.errorf("unterminated string")
}

// emitString writes the cleaned string; unchanged strings keep their original escapes.
func (s *scanner) emitString(raw []byte, val, cleaned string) {
	if cleaned == val && !needsMore(val) && validUTF8NoControls(raw) {
		s.out.Write(raw)
		return
	}
	writeString(&s.out, cleaned)
}

// validUTF8NoControls reports whether raw string bytes can be copied as they are: valid
// UTF-8 without raw control bytes (which only outside JSON could hold).
func validUTF8NoControls(raw []byte) bool {
	for _, c := range raw {
		if c < 0x20 {
			return false
		}
	}
	return utf8.Valid(raw)
}

// writeString writes s as a JSON string: encoding/json's escapes (with its HTML escaping, as
// the encoders datatui used before), plus \u escapes for DEL, C1 and hidden characters.
func writeString(out *bytes.Buffer, s string) {
	b, _ := json.Marshal(s)
	if !needsMore(s) {
		out.Write(b)
		return
	}
	// Only runes json.Marshal leaves as they are need more escaping.
	var sb strings.Builder
	for _, r := range string(b) {
		if r == 0x7f || termsafe.Hidden(r) {
			fmt.Fprintf(&sb, `\u%04x`, r)
			continue
		}
		sb.WriteRune(r)
	}
	out.WriteString(sb.String())
}

func needsMore(s string) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == 0x7f || termsafe.Hidden(r) {
			return true
		}
		i += n
	}
	return false
}
