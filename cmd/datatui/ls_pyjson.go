package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/datatui/datatui/internal/redact"
)

// orderedMap is a JSON object written in the order of its entries.
type orderedMap []struct {
	k string
	v any
}

// pyJSON writes v the way Python's json.dumps does by default, as dbt prints it: ", " and ": "
// between items, and every character outside printable ASCII escaped (ensure_ascii), so the
// line is terminal-safe too. It is cleaned as redact.JSON cleans every JSON datatui prints:
// keys scrubbed, values under a secret key masked at any depth, other strings cleaned as
// redact.String cleans text.
//
// It writes in one pass over the values ls builds. Marshalling with encoding/json, cleaning
// that text with redact.JSON and rewriting it in Python's style, as ls did before, was three
// passes and an allocation per value: 0.55 s of a warm 10.8k-node `ls --output json`.
func pyJSON(v any) []byte {
	var e pyEncoder
	return e.append(make([]byte, 0, 512), v, false)
}

// pyEncoder writes values like pyJSON. One encoder for every node of a listing remembers how
// each key was judged and how each short string was cleaned: nodes share most of their keys
// and values ("materialized": "view"), and judging and cleaning them was half of the work.
// The answers stay right for the life of one listing, as no secret is learned meanwhile.
type pyEncoder struct {
	keys    map[string]pyKey
	cleaned map[string]string
	buf     []byte
	// changed: a key or a string (not under a secret key) was cleaned or escaped, so what was
	// written is not the manifest's text as it is (see printLs).
	changed bool
}

// pyKey is an object key as written (scrubbed) and whether the values under it are secret;
// plain: the key is written as it is, neither cleaned nor escaped.
type pyKey struct {
	text          string
	secret, plain bool
}

// pyMemoMax is the longest string whose cleaning is remembered: longer ones (descriptions,
// SQL) are seldom repeated.
const pyMemoMax = 64

// encode returns v's JSON in the encoder's buffer, valid until the next call.
func (e *pyEncoder) encode(v any) []byte {
	e.buf = e.append(e.buf[:0], v, false)
	return e.buf
}

func (e *pyEncoder) key(k string) pyKey {
	pk, ok := e.keys[k]
	if !ok {
		if e.keys == nil {
			e.keys = map[string]pyKey{}
		}
		pk = pyKey{text: redact.Scrub(k), secret: redact.IsSecretKey(k)}
		pk.plain = pk.text == k && len(appendPyString(nil, k)) == len(k)+2
		e.keys[k] = pk
	}
	return pk
}

func (e *pyEncoder) clean(s string) string {
	if len(s) > pyMemoMax {
		return redact.String(s)
	}
	c, ok := e.cleaned[s]
	if !ok {
		if e.cleaned == nil {
			e.cleaned = map[string]string{}
		}
		c = redact.String(s)
		e.cleaned[s] = c
	}
	return c
}

// append appends v (nil, bool, a number, a string, []string, []any, map[string]any,
// orderedMap; another type through its JSON) to b. secret says v is under a secret key: its
// strings are masked, and the objects inside it judge their own keys again, as redact.JSON
// does.
func (e *pyEncoder) append(b []byte, v any, secret bool) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case json.Number:
		return append(b, v...)
	case float64:
		// encoding/json's form: the shortest text that reads back as v.
		num, err := json.Marshal(v)
		if err != nil {
			return append(b, "null"...)
		}
		return append(b, num...)
	case string:
		if secret && v != "" {
			return appendPyString(b, redact.Mask)
		}
		c, start := e.clean(v), len(b)
		b = appendPyString(b, c)
		// Written as it is only when not cleaned and not escaped (escaping only lengthens).
		e.changed = e.changed || c != v || len(b)-start != len(v)+2
		return b
	case []string:
		// Apart from []any: each string made an any on the way would be an allocation.
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = e.append(b, s, secret)
		}
		return append(b, ']')
	case []any:
		b = append(b, '[')
		for i, x := range v {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = e.append(b, x, secret)
		}
		return append(b, ']')
	case map[string]any:
		// In key order, as encoding/json writes a map.
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			b = e.entry(b, i, k, v[k])
		}
		return append(b, '}')
	case orderedMap:
		b = append(b, '{')
		for i, x := range v {
			b = e.entry(b, i, x.k, x.v)
		}
		return append(b, '}')
	}
	return e.append(b, normalJSON(v), secret)
}

// entry appends the i-th entry of an object.
func (e *pyEncoder) entry(b []byte, i int, k string, v any) []byte {
	if i > 0 {
		b = append(b, ", "...)
	}
	pk := e.key(k)
	e.changed = e.changed || !pk.plain
	b = appendPyString(b, pk.text)
	b = append(b, ": "...)
	return e.append(b, v, pk.secret)
}

// normalJSON turns a value of another type into the types pyEncoder writes, through its JSON;
// null when it has none.
func normalJSON(v any) any {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return jsonValue(raw)
}

// jsonValue reads one JSON value into the types pyEncoder writes, numbers kept as written
// (json.Number); nil when raw is not one JSON value.
func jsonValue(raw []byte) any {
	if !json.Valid(raw) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var x any
	if dec.Decode(&x) != nil {
		return nil
	}
	return x
}

// appendPyString appends s as Python's json.dumps writes a string: quotes and backslashes
// escaped, \n \r \t \b \f by name, every other byte outside printable ASCII (controls, DEL,
// anything not ASCII) as \u escapes in lower-case hex, characters beyond U+FFFF as a
// surrogate pair, and bytes that are not UTF-8 as U+FFFD, as encoding/json reads them.
func appendPyString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	u := func(b []byte, r rune) []byte {
		return append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
	}
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			// A run of plain characters in one copy.
			j := i + 1
			for j < len(s) && s[j] >= 0x20 && s[j] < 0x7f && s[j] != '"' && s[j] != '\\' {
				j++
			}
			b = append(b, s[i:j]...)
			i = j
			continue
		}
		if c < utf8.RuneSelf {
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = u(b, rune(c))
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r > 0xffff {
			r -= 0x10000
			b = u(u(b, 0xd800+(r>>10)), 0xdc00+(r&0x3ff))
		} else {
			b = u(b, r) // U+FFFD for a byte that is not UTF-8
		}
		i += n
	}
	return append(b, '"')
}
