// Package manpage writes a man page (roff, section 1) for every command of a cobra tree, from
// the same text `--help` prints.
//
// cobra's own generator converts the help through a Markdown library whose package init every
// datatui process would pay for (0.6 ms of a 15 ms start) although only the release build
// writes man pages. The help is plain text, so it needs no Markdown: paragraphs, flags and the
// related commands are all a page has.
package manpage

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Header is what every page's title line says.
type Header struct {
	Title   string // DATATUI
	Section string // 1
	Source  string // datatui 1.4.0
	Manual  string // datatui manual
}

// WriteTree writes one page per available command under root (hidden commands and help topics
// have none) into dir, named like `datatui-sandbox-status.1`.
func WriteTree(root *cobra.Command, h Header, dir string) error {
	for _, c := range root.Commands() {
		if !available(c) {
			continue
		}
		if err := WriteTree(c, h, dir); err != nil {
			return err
		}
	}
	f, err := os.Create(filepath.Join(dir, FileName(root, h.Section)))
	if err != nil {
		return err
	}
	if err := Write(f, root, h); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// FileName is the page's file name: the command path with dashes, then the section.
func FileName(c *cobra.Command, section string) string {
	return strings.ReplaceAll(c.CommandPath(), " ", "-") + "." + section
}

func available(c *cobra.Command) bool {
	return c.IsAvailableCommand() && !c.IsAdditionalHelpTopicCommand()
}

// Write writes c's page.
func Write(w io.Writer, c *cobra.Command, h Header) error {
	c.InitDefaultHelpFlag() // cobra adds -h to the command it runs only; every page lists it
	var b strings.Builder
	name := strings.ReplaceAll(c.CommandPath(), " ", "-")
	// No date: the same help gives the same page whatever the day.
	fmt.Fprintf(&b, ".TH %s %s \"\" %s %s\n", quoted(h.Title), quoted(h.Section), quoted(h.Source), quoted(h.Manual))
	b.WriteString(".nh\n.ad l\n")
	fmt.Fprintf(&b, ".SH NAME\n%s \\- %s\n", escape(name), escape(c.Short))
	fmt.Fprintf(&b, ".SH SYNOPSIS\n.B %s\n", escape(c.UseLine()))
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(&b, ".br\n.B %s [command]\n", escape(c.CommandPath()))
	}
	b.WriteString(".SH DESCRIPTION\n")
	long := c.Long
	if long == "" {
		long = c.Short
	}
	paragraphs(&b, long)
	flags(&b, "OPTIONS", c.NonInheritedFlags())
	flags(&b, "OPTIONS INHERITED FROM PARENT COMMANDS", c.InheritedFlags())
	if c.Example != "" {
		b.WriteString(".SH EXAMPLES\n.EX\n")
		for _, line := range strings.Split(strings.TrimRight(c.Example, "\n"), "\n") {
			b.WriteString(escape(line) + "\n")
		}
		b.WriteString(".EE\n")
	}
	seeAlso(&b, c, h.Section)
	_, err := io.WriteString(w, b.String())
	return err
}

// paragraphs writes text as roff paragraphs: a blank line starts a new one and an indented
// line keeps its own line, as the help shows it.
func paragraphs(b *strings.Builder, text string) {
	for i, p := range strings.Split(strings.TrimSpace(text), "\n\n") {
		if i > 0 {
			b.WriteString(".PP\n")
		}
		for _, line := range strings.Split(strings.Trim(p, "\n"), "\n") {
			if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
				b.WriteString(".br\n")
			}
			b.WriteString(escape(line) + "\n")
		}
	}
}

func flags(b *strings.Builder, title string, fs *pflag.FlagSet) {
	var rows []string
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		varname, usage := pflag.UnquoteUsage(f)
		term := `\fB\-\-` + escape(f.Name) + `\fR`
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			term = `\fB\-` + escape(f.Shorthand) + `\fR, ` + term
		}
		if varname != "" {
			term += ` \fI` + escape(varname) + `\fR`
		}
		if varname != "" && !zeroDefault(f.DefValue) {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		rows = append(rows, ".TP\n"+term+"\n"+escape(usage)+"\n")
	})
	if len(rows) == 0 {
		return
	}
	b.WriteString(".SH " + title + "\n")
	for _, r := range rows {
		b.WriteString(r)
	}
}

func seeAlso(b *strings.Builder, c *cobra.Command, section string) {
	var refs []string
	if c.HasParent() {
		refs = append(refs, c.Parent().CommandPath())
	}
	var children []string
	for _, s := range c.Commands() {
		if available(s) {
			children = append(children, s.CommandPath())
		}
	}
	sort.Strings(children)
	refs = append(refs, children...)
	if len(refs) == 0 {
		return
	}
	b.WriteString(".SH SEE ALSO\n")
	for i, r := range refs {
		sep := ","
		if i == len(refs)-1 {
			sep = ""
		}
		fmt.Fprintf(b, ".BR %s (%s)%s\n", escape(strings.ReplaceAll(r, " ", "-")), section, sep)
	}
}

// zeroDefault reports a default not worth saying, as `--help` leaves it out.
func zeroDefault(v string) bool {
	switch v {
	case "", "0", "false", "[]", "0s":
		return true
	}
	return false
}

// escape makes text literal in roff: a backslash is roff's escape character, a line that starts
// with a dot or an apostrophe would be read as a request, and a hyphen must stay the ASCII one
// so that a flag copied from the page works. Other characters than ASCII are named by their
// code point, so the page reads the same whatever input encoding the formatter assumes.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\e`)
		case r == '-':
			b.WriteString(`\-`)
		case r > 0x7e:
			fmt.Fprintf(&b, `\[u%04X]`, r)
		default:
			b.WriteRune(r)
		}
	}
	s = b.String()
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// quoted is a roff macro argument: in double quotes, a double quote inside doubled.
func quoted(s string) string {
	return `"` + strings.ReplaceAll(escape(s), `"`, `""`) + `"`
}
