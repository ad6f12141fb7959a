package statfiles

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/csci/exchangeeval/internal/exchange"
)

// Write writes the export for format into dir, which must be empty or
// not yet exist: the data files, the syntax and README.txt. It returns
// the files' names. Nothing is left in dir when it fails.
func Write(dir, format string, in Input) ([]string, error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, exchange.Errorf(exchange.EINVALID, "--out %s is a folder with files in it; name a new or empty folder", dir)
	}
	files, names, err := build(format, in)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, exchange.Errorf(exchange.EINVALID, "cannot make the folder %s: %v", dir, err)
	}
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(dir, name), files[name].Bytes(), 0o644); err != nil {
			for _, n := range names {
				os.Remove(filepath.Join(dir, n))
			}
			return nil, fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
		}
	}
	return names, nil
}

// WriteZip writes the export for format as a zip archive of one folder,
// named folder, for a download.
func WriteZip(w io.Writer, folder, format string, in Input) error {
	files, names, err := build(format, in)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	for _, name := range names {
		f, err := zw.Create(folder + "/" + name)
		if err != nil {
			return err
		}
		if _, err := f.Write(files[name].Bytes()); err != nil {
			return err
		}
	}
	for _, a := range in.Attachments {
		f, err := zw.Create(folder + "/" + a.Name)
		if err != nil {
			return err
		}
		if _, err := f.Write(a.Data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// build makes the export's files in memory, and their names in order.
func build(format string, in Input) (map[string]*bytes.Buffer, []string, error) {
	if !slices.Contains(Formats, format) {
		return nil, nil, exchange.Errorf(exchange.EINVALID, "--format %s: choose one of %s", format, strings.Join(Formats, ", "))
	}
	lang := in.Labels
	if lang == "" {
		lang = in.Instrument.BaseLanguage()
	}
	t := texts{in: in.Instrument, lang: lang, base: in.Instrument.BaseLanguage()}
	multi := len(in.Exchanges) > 1
	rn, pn := newNamer(format), newNamer(format)
	files := map[string]*bytes.Buffer{}
	buf := func(name string) *bytes.Buffer {
		files[name] = &bytes.Buffer{}
		return files[name]
	}
	responses, err := writeResponses(buf("responses.csv"), in, responseVariables(in.Instrument, t, rn, multi))
	if err != nil {
		return nil, nil, err
	}
	pairs, err := writePairs(buf("pairs.csv"), in, pairVariables(in.Instrument, t, pn, multi))
	if err != nil {
		return nil, nil, err
	}
	title := t.t("title", in.Version, strings.Join(in.Exchanges, " + "), t.of(in.Instrument.Title), in.Instrument.ID,
		strconv.Itoa(in.Instrument.Version), in.GeneratedAt)
	switch format {
	case SPSS:
		err = writeSPSS(buf("responses.sps"), t.t("title.responses", title), "responses.csv", "responses.sav", responses)
		if err == nil {
			err = writeSPSS(buf("pairs.sps"), t.t("title.pairs", title), "pairs.csv", "pairs.sav", pairs)
		}
	case R:
		err = writeR(buf("exchangeeval.R"), title, in, responses, pairs)
	case Stata:
		err = writeStata(buf("responses.do"), t.t("title.responses", title), "responses.csv", "responses.dta", responses)
		if err == nil {
			err = writeStata(buf("pairs.do"), t.t("title.pairs", title), "pairs.csv", "pairs.dta", pairs)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	writeReadme(buf("README.txt"), t, format, title, responses, pairs, append(rn.renamed, pn.renamed...))
	var names []string
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	return files, names, nil
}

// writeReadme writes README.txt in the export's language: what each
// file is, how to run it, what the codes mean, and the codebook. File
// names, commands and the measurement levels (nominal, ordinal, scale)
// stay as the packages spell them.
func writeReadme(b *bytes.Buffer, t texts, format, title string, responses, pairs *table, renamed []string) {
	line := func(key string, args ...any) { fmt.Fprintf(b, "  %s\n", t.t("readme."+key, args...)) }
	file := func(name, key string, args ...any) {
		fmt.Fprintf(b, "  %s — %s\n", name, t.t("readme."+key, args...))
	}
	fmt.Fprintf(b, "%s\n\n%s\n", title, t.t("readme.files"))
	file("responses.csv", "responses_csv", strconv.Itoa(responses.rows))
	file("pairs.csv", "pairs_csv", strconv.Itoa(pairs.rows))
	switch format {
	case SPSS:
		file("responses.sps, pairs.sps", "spss_files")
		fmt.Fprintf(b, "\n%s\n", t.t("readme.run"))
		line("spss_run")
	case R:
		file("exchangeeval.R", "r_files")
		fmt.Fprintf(b, "\n%s\n", t.t("readme.run"))
		line("r_run")
		line("r_shell")
	case Stata:
		file("responses.do, pairs.do", "stata_files")
		fmt.Fprintf(b, "\n%s\n", t.t("readme.run"))
		line("stata_run")
		line("stata_untested")
	}
	fmt.Fprintf(b, "\n%s\n", t.t("readme.notes"))
	line("pseudonymous")
	line("not_asked", t.t("not_asked"))
	line("not_applicable", t.t("not_applicable"))
	line("multi")
	line("breaks")
	line("reverse")
	if len(renamed) > 0 {
		fmt.Fprintf(b, "\n%s\n", t.t("readme.renamed"))
		for _, r := range renamed {
			fmt.Fprintf(b, "  %s\n", r)
		}
	}
	for _, f := range []struct {
		name string
		t    *table
	}{{"responses.csv", responses}, {"pairs.csv", pairs}} {
		fmt.Fprintf(b, "\n%s\n", t.t("readme.codebook", f.name))
		for _, v := range f.t.vars {
			kind := t.t("readme.number")
			switch {
			case v.Text:
				kind = t.t("readme.text")
			case v.Date:
				kind = t.t("readme.datetime")
			}
			fmt.Fprintf(b, "  %s (%s, %s): %s\n", v.Name, kind, v.Level, oneLine.Replace(v.Label))
			for _, vl := range v.Values {
				fmt.Fprintf(b, "      %d = %s\n", vl.Code, oneLine.Replace(vl.Label))
			}
		}
	}
}
