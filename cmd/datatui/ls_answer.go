package main

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/redact"
)

// ls keeps its last listing of a manifest as an answer (dbt.Graph.NewAnswer) and prints it again
// when asked the same question of the same manifest: a warm `ls` then costs the checks of the
// manifest's stamp and the copy of the output, not a decode of the index and a print of every
// node (+200 ms at 108k nodes).
//
// The question is everything the listing depends on apart from the manifest, which the
// answer's header checks: the binary (path, size, modification time, version), the working
// folder, the manifest's path, the project folder, and every option once parsed (the DBT_
// variables ls reads are their defaults). Listings that depend on anything else are never
// kept: --state (another manifest and run results), a quick parse (the project's files),
// --log-format json (timestamps and an invocation id), options that change only a quick parse
// (ls warns about them).
//
// Only a listing that no cleaning changed is kept (see printLs), so the answer is the
// manifest's own text; and it is printed again only while no secret known now appears in it,
// otherwise ls lists from the index and cleans every line as usual. That makes the kept answer
// exactly what listing again would print.

// lsQuestion is the question a listing answers, or nil when its answer is not to be kept.
func lsQuestion(fl *lsFlags, src lsSource) []byte {
	if src.manifest == "" || src.cacheDir == "" || fl.state != "" || fl.logFormat == "json" || fl.parseFlags() {
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	st, err := os.Stat(exe)
	if err != nil {
		return nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil
	}
	manifest, err := filepath.Abs(src.manifest)
	if err != nil {
		return nil
	}
	v := currentVersion()
	q := []byte("datatui ls 1")
	field := func(s string) { q = append(binary.AppendUvarint(q, uint64(len(s))), s...) }
	list := func(l []string) {
		q = binary.AppendUvarint(q, uint64(len(l)))
		for _, s := range l {
			field(s)
		}
	}
	for _, s := range []string{exe, strconv.FormatInt(st.Size(), 10), strconv.FormatInt(st.ModTime().UnixNano(), 10), v.Version, v.Commit,
		wd, manifest, src.projectDir, fl.indirect, fl.output, fl.logFormat, strconv.FormatBool(fl.quiet)} {
		field(s)
	}
	for _, l := range [][]string{fl.selects, fl.models, fl.exclude, fl.resourceTypes, fl.exclTypes, fl.outputKeys} {
		list(l)
	}
	return q
}

// replayLs prints the answer kept for question, if there is one it can print. done reports
// that it did (err is then the write's).
func (a *app) replayLs(src lsSource, question []byte) (done bool, err error) {
	ans, ok := dbt.ReadAnswer(src.manifest, src.cacheDir, question)
	if !ok {
		return false, nil
	}
	defer ans.Release()
	if redact.ContainsKnown(ans.Output) {
		// Listed again below, cleaned; the answer is not kept then, and goes now.
		dbt.ForgetAnswer(src.manifest, src.cacheDir)
		return false, nil
	}
	_, err = redact.Unwrap(a.stdout).Write(ans.Output)
	return true, err
}
