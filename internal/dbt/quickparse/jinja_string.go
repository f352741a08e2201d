package quickparse

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/unicode/runenames"
)

// decodeStringLiteral turns the text between the quotes of a string literal into its value
// with Python's escapes, as Jinja's lexer does: newlines are normalised, the text is encoded
// to ASCII with backslash replacements and decoded with the unicode_escape codec
// (jinja2/lexer.py). So `ref('a\tb')` names "a<TAB>b", an unknown escape like `\d` stays as
// written, and a backslash before a non-ASCII character keeps both (`'\é'` is `\xe9`, as
// Jinja makes it). For Python models (jinja false) the text is a Python string literal:
// the same escapes, without the ASCII round trip. An invalid escape (`\x4`, a lone backslash
// at the end) is an error, which dbt reports as a syntax error.
func decodeStringLiteral(raw string, jinja bool) (string, error) {
	if strings.IndexByte(raw, '\\') < 0 && strings.IndexByte(raw, '\r') < 0 {
		return raw, nil
	}
	if jinja {
		raw = strings.ReplaceAll(strings.ReplaceAll(raw, "\r\n", "\n"), "\r", "\n")
		if strings.IndexByte(raw, '\\') < 0 {
			return raw, nil
		}
		raw = backslashReplace(raw)
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(raw) {
			return "", errors.New(`\ at end of string`)
		}
		e := raw[i+1]
		i += 2
		switch e {
		case '\n':
			// a line continuation
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := int(e - '0')
			for k := 0; k < 2 && i < len(raw) && raw[i] >= '0' && raw[i] <= '7'; k++ {
				v = v*8 + int(raw[i]-'0')
				i++
			}
			b.WriteRune(rune(v))
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+n > len(raw) {
				return "", errors.New(`truncated \` + string(e) + ` escape`)
			}
			v, err := strconv.ParseUint(raw[i:i+n], 16, 32)
			if err != nil || strings.ContainsAny(raw[i:i+n], "+-_") {
				return "", errors.New(`truncated \` + string(e) + ` escape`)
			}
			if v > utf8.MaxRune {
				return "", errors.New(`illegal Unicode character`)
			}
			b.WriteRune(rune(v))
			i += n
		case 'N':
			end := strings.IndexByte(raw[i:], '}')
			if i >= len(raw) || raw[i] != '{' || end < 0 {
				return "", errors.New(`malformed \N character escape`)
			}
			r, ok := runeByName(raw[i+1 : i+end])
			if !ok {
				return "", errors.New(`unknown Unicode character name`)
			}
			b.WriteRune(r)
			i += end + 1
		default:
			// Python keeps an unknown escape as written.
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String(), nil
}

// backslashReplace is str.encode("ascii", "backslashreplace") read back as text.
func backslashReplace(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			goto slow
		}
	}
	return s
slow:
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r < 0x100:
			b.WriteString(`\x` + hex2(uint32(r), 2))
		case r < 0x10000:
			b.WriteString(`\u` + hex2(uint32(r), 4))
		default:
			b.WriteString(`\U` + hex2(uint32(r), 8))
		}
	}
	return b.String()
}

func hex2(v uint32, n int) string {
	s := strconv.FormatUint(uint64(v), 16)
	return strings.Repeat("0", n-len(s)) + s
}

// runeNames maps Unicode character names to runes, for \N{…}; built on first use (a
// package-level sync.OnceValue would itself allocate at process start).
func runeNames() map[string]rune {
	runeNamesOnce.Do(func() { runeNamesMap = buildRuneNames() })
	return runeNamesMap
}

var (
	runeNamesOnce sync.Once
	runeNamesMap  map[string]rune
)

func buildRuneNames() map[string]rune {
	m := make(map[string]rune, 40000)
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if r >= 0xd800 && r < 0xe000 {
			continue
		}
		if name := runenames.Name(r); name != "" && name[0] != '<' {
			m[name] = r
		}
	}
	return m
}

func runeByName(name string) (rune, bool) {
	r, ok := runeNames()[strings.ToUpper(name)]
	return r, ok
}
