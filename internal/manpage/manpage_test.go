package manpage

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

var header = Header{Title: "TOOL", Section: "1", Source: "tool 1.0", Manual: "tool manual"}

// tree is a small command tree with what pages must get right: text roff would read as
// requests or escapes, a hidden command, flags of each kind, an example.
func tree() *cobra.Command {
	root := &cobra.Command{Use: "tool", Short: "A tool", Long: "A tool that does things.\n\nSecond paragraph."}
	root.PersistentFlags().String("config", "", "the `file` to read")
	show := &cobra.Command{
		Use:   "show NAME",
		Short: "Show one thing",
		Long: "Shows NAME.\n" +
			".dotted line stays text\n" +
			"'quoted line stays text\n" +
			`a path C:\Users\x and \fBnot bold\fR` + "\n" +
			"café — naïve → done\n\n" +
			"  indented stays on its own line",
		Example: "  tool show --json orders",
		Run:     func(*cobra.Command, []string) {},
	}
	show.Flags().BoolP("json", "j", false, "print JSON")
	show.Flags().Int("limit", 20, "at most `N` rows")
	show.Flags().String("secret-flag", "", "hidden")
	show.Flags().MarkHidden("secret-flag")
	hidden := &cobra.Command{Use: "internal", Hidden: true, Run: func(*cobra.Command, []string) {}}
	root.AddCommand(show, hidden)
	root.InitDefaultHelpCmd()
	return root
}

func TestWriteTreeFiles(t *testing.T) {
	dir := t.TempDir()
	if err := WriteTree(tree(), header, dir); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"tool-show.1", "tool.1"}; !slices.Equal(names, want) {
		t.Fatalf("pages %v, want %v (no page for hidden commands or help)", names, want)
	}
}

func TestPageContent(t *testing.T) {
	var b bytes.Buffer
	show, _, _ := tree().Find([]string{"show"})
	if err := Write(&b, show, header); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		`.TH "TOOL" "1" "" "tool 1.0" "tool manual"`,
		`tool\-show \- Show one thing`,
		`\&.dotted line stays text`,
		`\&'quoted line stays text`,
		`C:\eUsers\ex and \efBnot bold\efR`,
		`caf\[u00E9] \[u2014] na\[u00EF]ve \[u2192] done`,
		".TP\n\\fB\\-j\\fR, \\fB\\-\\-json\\fR\nprint JSON",
		".TP\n\\fB\\-\\-limit\\fR \\fIN\\fR\nat most N rows (default 20)",
		".SH OPTIONS INHERITED FROM PARENT COMMANDS\n.TP\n\\fB\\-\\-config\\fR \\fIfile\\fR\nthe file to read",
		".EX\n  tool show \\-\\-json orders\n.EE",
		".SH SEE ALSO\n.BR tool (1)",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "secret") {
		t.Errorf("a hidden flag is on the page:\n%s", page)
	}
}

// TestPagesRenderAsWritten has groff, the formatter man uses, read every page: no warning, and
// the text a reader sees is the help's text, character for character.
func TestPagesRenderAsWritten(t *testing.T) {
	groff, err := exec.LookPath("groff")
	if err != nil {
		t.Skip("groff is not installed (CI installs it): cannot render the pages")
	}
	dir := t.TempDir()
	if err := WriteTree(tree(), header, dir); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(groff, "-man", "-Tutf8", "-ww", "-P", "-cbou", filepath.Join(dir, "tool-show.1"))
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	var out, warnings bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &warnings
	if err := cmd.Run(); err != nil || warnings.Len() > 0 {
		t.Fatalf("groff: %v\n%s", err, warnings.String())
	}
	text := strings.Join(strings.Fields(out.String()), " ")
	for _, want := range []string{
		"tool-show - Show one thing",
		".dotted line stays text",
		"'quoted line stays text",
		`a path C:\Users\x and \fBnot bold\fR`,
		"café — naïve → done",
		"-j, --json print JSON",
		"--limit N at most N rows (default 20)",
		"tool show --json orders",
	} {
		if !strings.Contains(strings.ReplaceAll(text, "−", "-"), want) {
			t.Errorf("rendered page lacks %q:\n%s", want, out.String())
		}
	}
}
