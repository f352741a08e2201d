package onboard

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/datatui/datatui/internal/safeyaml"
)

// yamlText edits a block-style YAML file as lines of text. The parser only says where each
// key is; how far a key's value reaches is read from the indentation, as YAML defines it, and
// edits replace or insert whole lines. So nothing outside the edited keys is re-serialised.
type yamlText struct {
	lines []string // each with its own line ending
	eol   string   // the file's line ending, for new lines
	step  int      // the file's indentation step, for new nested keys
	root  *ast.MappingNode
	edits []lineEdit
}

// lineEdit replaces lines[from:to] with text (an insertion when from == to).
type lineEdit struct {
	from, to int
	text     []string
}

// entry is one key of a block mapping, located in the text.
type entry struct {
	node   *ast.MappingValueNode
	line   int // the key's line
	indent int // the key's column (spaces before it)
	end    int // the last line of its value
}

func parseYAMLText(body []byte) (*yamlText, error) {
	d := &yamlText{eol: "\n", step: 2}
	for rest := string(body); rest != ""; {
		i := strings.IndexByte(rest, '\n')
		if i < 0 {
			d.lines = append(d.lines, rest)
			break
		}
		d.lines = append(d.lines, rest[:i+1])
		rest = rest[i+1:]
	}
	crlf := bytes.Count(body, []byte("\r\n"))
	if crlf > bytes.Count(body, []byte("\n"))-crlf {
		d.eol = "\r\n"
	}
	if bytes.Count(body, []byte("\r")) != crlf {
		return nil, errors.New("the existing file ends lines with a lone CR, which datatui does not edit; nothing was written")
	}
	// The parser miscounts lines after a comment ended by CRLF; the lines are the same with LF.
	f, err := safeyaml.ParseBytes(bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n")), 0)
	if err != nil {
		return nil, fmt.Errorf("the existing file is not valid YAML (%s); nothing was written", firstLine(err.Error()))
	}
	if len(f.Docs) > 1 {
		return nil, errors.New("the existing file holds several YAML documents, which dbt does not read; nothing was written")
	}
	if len(f.Docs) == 1 {
		switch b := f.Docs[0].Body.(type) {
		case nil, *ast.CommentGroupNode:
		case *ast.MappingNode:
			if b.IsFlowStyle {
				return nil, errors.New("the existing file is written in flow style ({…}); datatui edits block-style YAML only, add the target by hand; nothing was written")
			}
			d.root = b
		default:
			return nil, errors.New("the existing file is not a mapping of profiles; fix or move it, nothing was written")
		}
	}
	d.step = d.detectStep()
	return d, nil
}

// detectStep is how far the file indents a nested key: the first nesting found (2 if none).
func (d *yamlText) detectStep() int {
	if d.root == nil {
		return 2
	}
	for _, v := range d.root.Values {
		if m := blockMapping(v.Value); m != nil && len(m.Values) > 0 {
			if s := column(m.Values[0].Key) - column(v.Key); s > 0 && s <= 8 {
				return s
			}
		}
	}
	return 2
}

func column(n ast.Node) int { return n.GetToken().Position.Column - 1 }

// blockMapping is n as a block mapping (through an anchor or a tag), or nil.
func blockMapping(n ast.Node) *ast.MappingNode {
	for {
		switch t := n.(type) {
		case *ast.AnchorNode:
			n = t.Value
		case *ast.TagNode:
			n = t.Value
		case *ast.MappingNode:
			if t.IsFlowStyle {
				return nil
			}
			return t
		default:
			return nil
		}
	}
}

// isNull reports whether n is an empty value (nothing, ~ or null).
func isNull(n ast.Node) bool {
	_, ok := n.(*ast.NullNode)
	return n == nil || ok
}

func keyText(n ast.Node) string {
	if tk := n.GetToken(); tk != nil {
		return tk.Value
	}
	return ""
}

// find returns the entry of key in mapping m (the last, as a decoder keeps the last).
func (d *yamlText) find(m *ast.MappingNode, key string) (*entry, error) {
	var found *ast.MappingValueNode
	for _, v := range m.Values {
		if keyText(v.Key) == key {
			found = v
		}
	}
	if found == nil {
		return nil, nil
	}
	return d.locate(found)
}

// locate finds where entry v is in the text. A key that does not start its own line (in a
// sequence item, after "? ") is a layout datatui does not edit.
func (d *yamlText) locate(v *ast.MappingValueNode) (*entry, error) {
	line := v.Key.GetToken().Position.Line - 1
	col := column(v.Key)
	if line < 0 || line >= len(d.lines) || indentOf(d.lines[line]) != col {
		return nil, fmt.Errorf("key %q is laid out in a way datatui does not edit", keyText(v.Key))
	}
	return &entry{node: v, line: line, indent: col, end: d.extent(line, col)}, nil
}

func indentOf(line string) int { return len(line) - len(strings.TrimLeft(line, " ")) }

func blank(line string) bool { return strings.TrimSpace(line) == "" }

// extent returns the last line of the value of the key at line, indented by indent: the value
// goes on while lines are indented deeper (or are "- " items at the key's own indentation, a
// sequence YAML lets sit under its key). Blank lines and comments at the key's indentation or
// less belong to it only when more of the value follows them.
func (d *yamlText) extent(line, indent int) int {
	last := line
	for i := line + 1; i < len(d.lines); i++ {
		l := strings.TrimRight(d.lines[i], "\r\n")
		if blank(l) {
			continue
		}
		in := indentOf(l)
		body := l[in:]
		switch {
		case in > indent, in == indent && (body == "-" || strings.HasPrefix(body, "- ")):
			last = i
		case strings.HasPrefix(body, "#"):
		default:
			return last
		}
	}
	return last
}

// keyLineOpen reports whether nothing but a comment follows the colon on e's key line, so
// new nested lines can go right below it.
func (d *yamlText) keyLineOpen(e *entry) bool {
	tk := e.node.GetToken() // the ":"
	if tk == nil || tk.Position.Line-1 != e.line {
		return false
	}
	runes := []rune(strings.TrimRight(d.lines[e.line], "\r\n"))
	if tk.Position.Column > len(runes) {
		return true
	}
	rest := strings.TrimSpace(string(runes[tk.Position.Column:]))
	return rest == "" || strings.HasPrefix(rest, "#")
}

// render writes v (a MapSlice) as lines indented by indent, in the file's style.
func (d *yamlText) render(indent int, v yaml.MapSlice) []string {
	b, err := yaml.MarshalWithOptions(v, yaml.Indent(d.step), yaml.IndentSequence(true))
	if err != nil {
		panic(err) // the values are strings and numbers from TargetSpec
	}
	pad := strings.Repeat(" ", indent)
	var out []string
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		out = append(out, pad+l+d.eol)
	}
	return out
}

func (d *yamlText) edit(from, to int, text []string) {
	d.edits = append(d.edits, lineEdit{from: from, to: to, text: text})
}

// insertAfter inserts text after line (at the end of the file when line is the last),
// ending the last line first when the file does not.
func (d *yamlText) insertAfter(line int, text []string) {
	at := line + 1
	if at == len(d.lines) && at > 0 && !strings.HasSuffix(d.lines[at-1], "\n") {
		d.lines[at-1] += d.eol
	}
	d.edit(at, at, text)
}

// apply returns the text with every edit made. Edits never overlap.
func (d *yamlText) apply() []byte {
	sort.SliceStable(d.edits, func(i, j int) bool { return d.edits[i].from > d.edits[j].from })
	lines := d.lines
	for _, e := range d.edits {
		lines = append(lines[:e.from:e.from], append(append([]string(nil), e.text...), lines[e.to:]...)...)
	}
	return []byte(strings.Join(lines, ""))
}

// planMerge plans the edits that put spec's target into the file. before is the file decoded.
func (d *yamlText) planMerge(before map[string]any, spec TargetSpec) error {
	target := spec.mapSlice()
	outputsWith := func() yaml.MapSlice { return yaml.MapSlice{{Key: spec.Target, Value: target}} }
	var prof *entry
	if d.root != nil {
		var err error
		if prof, err = d.find(d.root, spec.Profile); err != nil {
			return err
		}
	}
	profValue := yaml.MapSlice{{Key: "target", Value: spec.Target}, {Key: "outputs", Value: outputsWith()}}
	if prof == nil {
		// A new profile at the end: every byte before it stays.
		indent := 0
		if d.root != nil && len(d.root.Values) > 0 {
			indent = column(d.root.Values[0].Key)
		}
		d.insertAfter(len(d.lines)-1, d.render(indent, yaml.MapSlice{{Key: spec.Profile, Value: profValue}}))
		return nil
	}
	pm := blockMapping(prof.node.Value)
	if pm == nil {
		if !isNull(prof.node.Value) {
			return fmt.Errorf("profile %q is not a block mapping", spec.Profile)
		}
		d.fillNull(prof, profValue)
		return nil
	}
	childIndent := column(pm.Values[0].Key)
	profMap, _ := before[spec.Profile].(map[string]any)

	outputs, err := d.find(pm, "outputs")
	if err != nil {
		return err
	}
	// The default target, when the profile has none, goes before outputs as dbt's docs
	// write it (or with new outputs at the end of the profile).
	var targetLine []string
	if profMap["target"] == nil {
		targetLine = d.render(childIndent, yaml.MapSlice{{Key: "target", Value: spec.Target}})
		old, err := d.find(pm, "target")
		if err != nil {
			return err
		}
		switch {
		case old != nil:
			d.edit(old.line, old.end+1, targetLine)
			targetLine = nil
		case outputs != nil:
			d.edit(outputs.line, outputs.line, targetLine)
			targetLine = nil
		}
	}
	if outputs == nil {
		d.insertAfter(prof.end, append(targetLine, d.render(childIndent, yaml.MapSlice{{Key: "outputs", Value: outputsWith()}})...))
		return nil
	}
	om := blockMapping(outputs.node.Value)
	if om == nil {
		if !isNull(outputs.node.Value) {
			return fmt.Errorf("%s.outputs is not a block mapping", spec.Profile)
		}
		d.fillNull(outputs, outputsWith())
		return nil
	}
	tgt, err := d.find(om, spec.Target)
	if err != nil {
		return err
	}
	if tgt == nil {
		d.insertAfter(outputs.end, d.render(column(om.Values[0].Key), outputsWith()))
		return nil
	}
	old, _ := profMap["outputs"].(map[string]any)
	oldTarget, _ := old[spec.Target].(map[string]any)
	if tm := blockMapping(tgt.node.Value); tm != nil && oldTarget != nil && d.mergeFields(tm, oldTarget, spec) {
		return nil
	}
	// Another shape (flow style, an alias, merge keys, null): the target is written anew.
	d.edit(tgt.line, tgt.end+1, d.render(tgt.indent, outputsWith()))
	return nil
}

// fillNull gives the empty key e the mapping value: below the key line when it is open
// ("shop:" or "shop:  # comment"), else (an explicit "~" or "null") in place of the entry.
func (d *yamlText) fillNull(e *entry, value yaml.MapSlice) {
	if d.keyLineOpen(e) {
		d.insertAfter(e.end, d.render(e.indent+d.step, value))
		return
	}
	d.edit(e.line, e.end+1, d.render(e.indent, yaml.MapSlice{{Key: keyText(e.node.Key), Value: value}}))
}

// mergeFields edits the existing target tm key by key: keys already right stay as written
// (with their comments), changed ones are rewritten in place, keys the spec does not have are
// removed, and missing ones are added after the last. It reports false when the target has a
// shape that is not edited key by key (merge keys, keys that do not start their line).
func (d *yamlText) mergeFields(tm *ast.MappingNode, old map[string]any, spec TargetSpec) bool {
	want := map[string]any{}
	for _, kv := range spec.Fields {
		want[kv.Key] = kv.Value
	}
	var entries []*entry
	for _, v := range tm.Values {
		if _, merge := v.Key.(*ast.MergeKeyNode); merge {
			return false
		}
		e, err := d.locate(v)
		if err != nil {
			return false
		}
		entries = append(entries, e)
	}
	var edits []lineEdit
	have := map[string]bool{}
	for _, e := range entries {
		k := keyText(e.node.Key)
		have[k] = true
		v, keep := want[k]
		switch {
		case !keep:
			edits = append(edits, lineEdit{from: e.line, to: e.end + 1})
		case !reflect.DeepEqual(normalise(old[k]), normalise(v)):
			edits = append(edits, lineEdit{from: e.line, to: e.end + 1, text: d.render(e.indent, yaml.MapSlice{{Key: k, Value: v}})})
		}
	}
	var added []string
	for _, kv := range spec.Fields {
		if !have[kv.Key] {
			added = append(added, d.render(entries[0].indent, yaml.MapSlice{{Key: kv.Key, Value: kv.Value}})...)
		}
	}
	d.edits = append(d.edits, edits...)
	if len(added) > 0 {
		d.insertAfter(entries[len(entries)-1].end, added)
	}
	return true
}
