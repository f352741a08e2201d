// Package safeyaml decodes YAML from outside datatui (datatui.yml, profiles.yml, dbt's
// project and property files, guides' front matter, dbt Cloud's CLI config) with go-yaml, and
// returns an error where go-yaml panics.
//
// Why: go-yaml v1.19.2 dereferences nil on inputs as small as "a: !!map" or "a: !00\nb: 1"
// when the target is typed (a struct or a map of slices), and a panic there would end datatui
// on a typo in a file the user can fix. Every decode of outside YAML goes through this package
// (TestDecodersGoThroughSafeyaml keeps it so).
package safeyaml

import (
	"bytes"
	"fmt"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Error is what a decode that made go-yaml panic returns.
type Error struct {
	// Panic is the decoder's own message, for a bug report.
	Panic string
}

func (e *Error) Error() string {
	return "the YAML library failed on this document, so datatui cannot say where it is wrong (" + e.Panic + ")"
}

// caught turns a panic of go-yaml into *Error in err.
func caught(err *error) {
	if r := recover(); r != nil {
		*err = &Error{Panic: fmt.Sprint(r)}
	}
}

// Unmarshal is yaml.UnmarshalWithOptions.
func Unmarshal(data []byte, v any, opts ...yaml.DecodeOption) (err error) {
	defer caught(&err)
	return yaml.UnmarshalWithOptions(data, v, opts...)
}

// Decode decodes the first document of data into v like yaml.NewDecoder(…).Decode: a document
// of comments alone is io.EOF.
func Decode(data []byte, v any, opts ...yaml.DecodeOption) (err error) {
	defer caught(&err)
	return yaml.NewDecoder(bytes.NewReader(data), opts...).Decode(v)
}

// ParseBytes is parser.ParseBytes: the syntax tree, for edits that keep comments and layout.
func ParseBytes(data []byte, mode parser.Mode) (f *ast.File, err error) {
	defer caught(&err)
	return parser.ParseBytes(data, mode)
}
