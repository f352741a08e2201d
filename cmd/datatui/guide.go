package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/charmbracelet/colorprofile"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/datatui/datatui/guides"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/ui/markdown"
)

// library loads the handbook: the embedded guides plus the folders the team's datatui.yml
// lists. Without a usable workspace the embedded guides still work (with a warning).
// The second result is the repository root, for showing team files' paths relative to it.
func (a *app) library() (*guides.Library, string) {
	ws, err := a.workspace()
	if ws == nil {
		fmt.Fprintf(a.stderr, "datatui: warning: %v; showing the built-in guides only\n", err)
		return guides.Embedded(), ""
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "datatui: warning: %v\n", err)
	}
	if ws.Config == nil || len(ws.Config.Guides) == 0 {
		return guides.Embedded(), ws.Root
	}
	return guides.Load(ws.Root, ws.Config.Guides), ws.Root
}

// relPath shows p relative to root when it is inside it.
func relPath(root, p string) string {
	if root != "" {
		if rel, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return p
}

func newGuideCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "guide",
		Aliases: []string{"guides"},
		Short:   "Read the team's handbook: list, show and search guides",
		Long: `The handbook answers contributors' questions: how the team works, setting up, your sandbox,
writing models, getting changes into prod, getting data in and out, and where to get help.

It holds the guides built into datatui plus the team's own, from the folders listed under
guides: in datatui.yml (a team guide with the same slug replaces the built-in one).
The TUI's Guides screen (datatui --screen guides) has the same guides with a reader.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newGuideListCmd(a), newGuideShowCmd(a), newGuideSearchCmd(a))
	return cmd
}

// guideJSON is one guide in `datatui guide list --json`.
type guideJSON struct {
	Slug     string   `json:"slug"`
	Title    string   `json:"title"`
	Section  string   `json:"section"`
	Order    int      `json:"order"`
	Summary  string   `json:"summary"`
	Tags     []string `json:"tags"`
	Aliases  []string `json:"aliases"`
	Origin   string   `json:"origin"`
	Warnings []string `json:"warnings"`
}

func newGuideListCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the guides by section",
		Long: `List every guide of the handbook, by section, with its slug (what 'datatui guide show'
takes) and summary. Team guides are marked with where they come from. Problems with guide files
(missing front matter, a guides folder that does not exist) are reported on stderr.

JSON (--json): an array of {slug, title, section, order, summary, tags[], aliases[], origin,
warnings[]}; origin is "embedded" or the team file's path.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lib, root := a.library()
			for _, w := range lib.Warnings() {
				fmt.Fprintln(a.stderr, "datatui: warning: "+w)
			}
			if asJSON {
				out := make([]guideJSON, 0, lib.Len())
				for _, g := range lib.Guides() {
					out = append(out, newGuideJSON(g))
				}
				return a.writeJSON(out)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			for i, s := range lib.Sections() {
				if i > 0 {
					fmt.Fprintln(tw)
				}
				fmt.Fprintln(tw, s.Name)
				for _, g := range s.Guides {
					title := g.Title
					if g.Team() {
						title += " [team: " + relPath(root, g.Origin) + "]"
					}
					fmt.Fprintf(tw, "  %s\t%s\t%s\n", g.Slug, title, g.Summary)
				}
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newGuideJSON(g *guides.Guide) guideJSON {
	return guideJSON{Slug: g.Slug, Title: g.Title, Section: g.Section, Order: g.Order,
		Summary: g.Summary, Tags: guideList(g.Tags), Aliases: guideList(g.Aliases), Origin: g.Origin, Warnings: guideList(g.Warnings)}
}

// guideShowJSON is `datatui guide show SLUG --json`: the guide's fields as in guide list,
// its markdown without the front matter, and its headings (the table of contents).
type guideShowJSON struct {
	guideJSON
	Headings []guideHeadingJSON `json:"headings"`
	Markdown string             `json:"markdown"`
}

type guideHeadingJSON struct {
	Level  int    `json:"level"`
	Text   string `json:"text"`
	Anchor string `json:"anchor"`
	Line   int    `json:"line"`
}

func guideList(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func newGuideShowCmd(a *app) *cobra.Command {
	var raw, render, asJSON bool
	var width int
	cmd := &cobra.Command{
		Use:   "show SLUG",
		Short: "Print a guide (rendered in a terminal, markdown when piped)",
		Long: `Print the guide SLUG (as listed by 'datatui guide list'; "slug.md" and the guide's aliases work
too). In a terminal it is rendered for reading (respecting NO_COLOR); piped, or with --raw, it
is the guide's plain markdown without the front matter. --render renders even when piped
(for 'less -R'). An unknown SLUG exits with status 1 and lists the closest guides.

JSON (--json): {slug, title, section, order, summary, tags[], aliases[], origin, warnings[]}
as in 'guide list --json', plus headings[] ({level, text, anchor, line}) and markdown.`,
		Args: cobra.ExactArgs(1),
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []string
			lib, _ := a.library()
			for _, g := range lib.Guides() {
				out = append(out, g.Slug+"\t"+g.Title)
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			lib, _ := a.library()
			g, ok := lib.Get(args[0])
			if !ok {
				return unknownGuide(a, lib, args[0])
			}
			if asJSON {
				out := guideShowJSON{guideJSON: newGuideJSON(g), Headings: []guideHeadingJSON{}, Markdown: g.Body}
				for _, h := range g.Headings {
					out.Headings = append(out.Headings, guideHeadingJSON{Level: h.Level, Text: h.Text, Anchor: h.Anchor, Line: h.Line})
				}
				return a.writeJSON(out)
			}
			for _, w := range g.Warnings {
				fmt.Fprintf(a.stderr, "datatui: warning: %s: %s\n", g.File(), w)
			}
			tty := isTerminal(a.stdout)
			if raw || (!tty && !render) {
				body := g.Body
				if !strings.HasSuffix(body, "\n") {
					body += "\n"
				}
				_, err := io.WriteString(a.stdout, body)
				return err
			}
			if width <= 0 {
				width = terminalWidth(a.stdout)
			}
			_, noColor := os.LookupEnv("NO_COLOR")
			opt := markdown.Options{Style: markdown.Style(true, noColor), Width: width, Link: func(dest string) string {
				// Links between guides print as the command that opens them.
				if t, err := lib.Resolve(g, dest); err == nil && !t.External() {
					return "datatui guide show " + t.Slug
				}
				return dest
			}}
			doc, err := markdown.NewRenderer().RenderDoc(g.Body, opt, 0, nil)
			if err != nil {
				return err
			}
			out := doc.String()
			// Colours are written for what this terminal supports (24-bit, 256, 16 or none).
			// (Detected on the terminal itself; written through the redaction net.)
			cw := &colorprofile.Writer{Forward: a.styled, Profile: colorprofile.Detect(redact.Unwrap(a.stdout), os.Environ())}
			_, err = fmt.Fprintln(cw, out)
			return err
		},
	}
	cmd.Flags().BoolVar(&raw, "raw", false, "print the markdown, never rendered")
	cmd.Flags().BoolVar(&render, "render", false, "render even when stdout is not a terminal")
	cmd.Flags().IntVar(&width, "width", 0, "wrap rendered text at this many columns (default: the terminal's width, at most 120)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the guide as JSON (fields in the help above)")
	cmd.MarkFlagsMutuallyExclusive("json", "raw")
	cmd.MarkFlagsMutuallyExclusive("json", "render")
	return cmd
}

// unknownGuide prints the closest slugs and exits 1.
func unknownGuide(a *app, lib *guides.Library, slug string) error {
	fmt.Fprintf(a.stderr, "datatui: there is no guide %q.\n", slug)
	if s := lib.Suggest(slug, 3); len(s) > 0 {
		fmt.Fprintln(a.stderr, "Closest guides:")
		for _, slug := range s {
			g, _ := lib.Get(slug)
			fmt.Fprintf(a.stderr, "  %s  (%s)\n", slug, g.Title)
		}
	}
	fmt.Fprintln(a.stderr, "Run 'datatui guide list' to see every guide, or 'datatui guide search WORDS' to search them.")
	return silentExit(1)
}

func newGuideSearchCmd(a *app) *cobra.Command {
	var asJSON bool
	var limit int
	cmd := &cobra.Command{
		Use:   "search QUERY...",
		Short: "Search the text of every guide",
		Long: `Search every guide for all the words of QUERY (a guide must contain each word somewhere).
Results are ranked: matches in a guide's title, aliases and tags count more than the body, whole
words more than parts of words, and the exact phrase more than scattered words. Each result
shows the best matching line with its line number and the heading it sits under.
Exits with status 1 when nothing matches.

JSON (--json): an array of {slug, title, score, snippet, line, heading, anchor, matches};
line is the snippet's line in the guide's file (0 when the snippet is the guide's summary).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lib, _ := a.library()
			query := strings.Join(args, " ")
			if len(guides.Terms(query)) == 0 {
				return withCode(2, fmt.Errorf("the query %q has no words to search for", query))
			}
			rs := lib.Search(query, limit)
			if asJSON {
				if rs == nil {
					rs = []guides.Result{}
				}
				if err := a.writeJSON(rs); err != nil {
					return err
				}
			} else {
				for _, r := range rs {
					fmt.Fprintf(a.stdout, "%s  %s  (score %d)\n", r.Slug, r.Title, r.Score)
					where := ""
					if r.Heading != "" {
						where = "  [" + r.Heading + "]"
					}
					if r.Line > 0 {
						fmt.Fprintf(a.stdout, "  %d: %s%s\n", r.Line, r.Snippet, where)
					} else if r.Snippet != "" {
						fmt.Fprintf(a.stdout, "  %s\n", r.Snippet)
					}
				}
			}
			if len(rs) == 0 {
				fmt.Fprintf(a.stderr, "datatui: no guide contains all of: %s\n", strings.Join(guides.Terms(query), ", "))
				return silentExit(1)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().IntVarP(&limit, "limit", "n", 10, "show at most this many results (0 = all)")
	return cmd
}

// isTerminal reports whether w is a terminal (so output is for a person, not a pipe).
func isTerminal(w io.Writer) bool {
	f, ok := redact.Unwrap(w).(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// terminalWidth is w's width, capped at 120 columns for readable lines (80 when unknown).
func terminalWidth(w io.Writer) int {
	if f, ok := redact.Unwrap(w).(*os.File); ok {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			return min(cols, 120)
		}
	}
	return 80
}
