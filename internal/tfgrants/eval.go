package tfgrants

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// evaluator evaluates expressions the way Terraform would, as far as the folder alone allows:
// var.* from defaults and tfvars, local.*, and attributes of the folder's other resources.
type evaluator struct {
	vars      map[string]cty.Value
	locals    map[string]cty.Value
	resources map[string]map[string]map[string]cty.Value // type → name → attribute → value
	funcs     map[string]function.Function
	src       map[string][]byte // file → source, for quoting expressions
}

// functions are Terraform's common string and collection functions (the ones grant files use),
// built per evaluation so the package does no work at process start.
func functions() map[string]function.Function {
	return map[string]function.Function{
		"upper": stdlib.UpperFunc, "lower": stdlib.LowerFunc, "format": stdlib.FormatFunc,
		"join": stdlib.JoinFunc, "split": stdlib.SplitFunc, "concat": stdlib.ConcatFunc,
		"replace": stdlib.ReplaceFunc, "trimspace": stdlib.TrimSpaceFunc, "merge": stdlib.MergeFunc,
		"flatten": stdlib.FlattenFunc, "distinct": stdlib.DistinctFunc, "setunion": stdlib.SetUnionFunc,
		"toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)), "tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)), "tostring": stdlib.MakeToFunc(cty.String),
	}
}

func newEvaluator(files []*parsed, tfvars []*hclsyntax.Body) *evaluator {
	ev := &evaluator{vars: map[string]cty.Value{}, locals: map[string]cty.Value{}, resources: map[string]map[string]map[string]cty.Value{}, funcs: functions(), src: map[string][]byte{}}
	for _, f := range files {
		ev.src[f.file] = f.src
	}
	for _, f := range files {
		for _, b := range f.body.Blocks {
			if b.Type == "variable" && len(b.Labels) == 1 {
				if a, ok := b.Body.Attributes["default"]; ok {
					if v, ok := ev.eval(a.Expr, nil); ok {
						ev.vars[b.Labels[0]] = v
					}
				}
			}
		}
	}
	for _, body := range tfvars {
		for name, a := range body.Attributes {
			if v, ok := ev.eval(a.Expr, nil); ok {
				ev.vars[name] = v
			}
		}
	}
	// Locals and resource attributes may refer to each other in any order: evaluate until
	// nothing new is learned (a few rounds in practice).
	for range 8 {
		learned := false
		for _, f := range files {
			for _, b := range f.body.Blocks {
				switch {
				case b.Type == "locals":
					for name, a := range b.Body.Attributes {
						if _, done := ev.locals[name]; done {
							continue
						}
						if v, ok := ev.eval(a.Expr, nil); ok {
							ev.locals[name], learned = v, true
						}
					}
				case b.Type == "resource" && len(b.Labels) == 2:
					if _, each := b.Body.Attributes["for_each"]; each {
						continue // its attributes are per instance: nothing to refer to by name
					}
					if _, count := b.Body.Attributes["count"]; count {
						continue
					}
					typ, name := b.Labels[0], b.Labels[1]
					if ev.resources[typ] == nil {
						ev.resources[typ] = map[string]map[string]cty.Value{}
					}
					attrs := ev.resources[typ][name]
					if attrs == nil {
						attrs = map[string]cty.Value{}
						ev.resources[typ][name] = attrs
					}
					for an, a := range b.Body.Attributes {
						if _, done := attrs[an]; done {
							continue
						}
						if v, ok := ev.eval(a.Expr, nil); ok {
							attrs[an], learned = v, true
						}
					}
				}
			}
		}
		if !learned {
			break
		}
	}
	return ev
}

// context is the evaluation context, with each.key/each.value when each is set.
func (ev *evaluator) context(each *cty.Value) *hcl.EvalContext {
	vars := map[string]cty.Value{
		"var":   cty.ObjectVal(ev.vars),
		"local": cty.ObjectVal(ev.locals),
	}
	for typ, byName := range ev.resources {
		objs := map[string]cty.Value{}
		for name, attrs := range byName {
			objs[name] = cty.ObjectVal(attrs)
		}
		vars[typ] = cty.ObjectVal(objs)
	}
	if each != nil {
		vars["each"] = *each
	}
	return &hcl.EvalContext{Variables: vars, Functions: ev.funcs}
}

// eval evaluates expr; ok only when the result is known without errors.
func (ev *evaluator) eval(expr hclsyntax.Expression, each *cty.Value) (v cty.Value, ok bool) {
	defer func() {
		if recover() != nil {
			v, ok = cty.NilVal, false
		}
	}()
	v, diags := expr.Value(ev.context(each))
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return cty.NilVal, false
	}
	return v, true
}

// instance is one instance of a resource (one per for_each element), read attribute by
// attribute; what cannot be evaluated is recorded in unknown.
type instance struct {
	ev      *evaluator
	body    *hclsyntax.Body
	each    *cty.Value
	unknown *[]string
}

func (in *instance) markUnknown(what string) { *in.unknown = append(*in.unknown, what) }

// unknowns are the expressions of the instance that could not be evaluated.
func (in *instance) unknowns() []string { return *in.unknown }

// instances expands a resource block by its for_each (a known map or set); a block without
// one is a single instance. An unknown for_each gives one instance marked unknown.
func (ev *evaluator) instances(b *hclsyntax.Block) []*instance {
	base := &instance{ev: ev, body: b.Body, unknown: new([]string)}
	fe, ok := b.Body.Attributes["for_each"]
	if !ok {
		return []*instance{base}
	}
	v, known := ev.eval(fe.Expr, nil)
	if !known || v.IsNull() || !v.CanIterateElements() {
		base.markUnknown("for_each = " + ev.exprText(fe.Expr))
		return []*instance{base}
	}
	var out []*instance
	isSet := v.Type().IsSetType() || v.Type().IsListType() || v.Type().IsTupleType()
	for it := v.ElementIterator(); it.Next(); {
		k, val := it.Element()
		if isSet {
			k = val
		}
		key, err := convert.Convert(k, cty.String)
		if err != nil {
			continue
		}
		each := cty.ObjectVal(map[string]cty.Value{"key": key, "value": val})
		out = append(out, &instance{ev: ev, body: b.Body, each: &each, unknown: new([]string)})
	}
	return out
}

// exprText is the source of an expression ("var.raw_database") for messages.
func (ev *evaluator) exprText(e hclsyntax.Expression) string {
	r := e.Range()
	b := ev.src[r.Filename]
	if r.Start.Byte < 0 || r.End.Byte > len(b) || r.Start.Byte > r.End.Byte {
		return "an expression"
	}
	t := strings.Join(strings.Fields(string(b[r.Start.Byte:r.End.Byte])), " ")
	if len(t) > 60 {
		t = t[:57] + "..."
	}
	return t
}

// value evaluates attribute name; present reports whether it is written at all.
func (in *instance) value(name string) (v cty.Value, present bool) {
	a, ok := in.body.Attributes[name]
	if !ok {
		return cty.NilVal, false
	}
	v, known := in.ev.eval(a.Expr, in.each)
	if !known {
		in.markUnknown(in.ev.exprText(a.Expr))
		return cty.NilVal, true
	}
	return v, true
}

func (in *instance) str(name string) (string, bool) {
	v, present := in.value(name)
	if !present || v == cty.NilVal {
		return "", false
	}
	if s, err := convert.Convert(v, cty.String); err == nil {
		return str(s)
	}
	return "", false
}

func (in *instance) strs(name string) []string {
	v, present := in.value(name)
	if !present || v == cty.NilVal || v.IsNull() || !v.CanIterateElements() {
		return nil
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if s, err := convert.Convert(e, cty.String); err == nil {
			if x, ok := str(s); ok {
				out = append(out, x)
			}
		}
	}
	return out
}

func (in *instance) boolean(name string) bool {
	v, present := in.value(name)
	if !present || v == cty.NilVal || v.IsNull() {
		return false
	}
	b, err := convert.Convert(v, cty.Bool)
	return err == nil && b.True()
}

// sub is the first nested block of that type, nil when there is none. It shares the
// instance's each and its list of unknowns.
func (in *instance) sub(typ string) *instance {
	for _, b := range in.body.Blocks {
		if b.Type == typ {
			return &instance{ev: in.ev, body: b.Body, each: in.each, unknown: in.unknown}
		}
	}
	return nil
}
