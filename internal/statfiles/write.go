package statfiles

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
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
	title := fmt.Sprintf("exchangeeval %s — %s (%s), instrument %s version %d, generated %s", in.Version, strings.Join(in.Exchanges, " + "),
		t.of(in.Instrument.Title), in.Instrument.ID, in.Instrument.Version, in.GeneratedAt)
	switch format {
	case SPSS:
		err = writeSPSS(buf("responses.sps"), title+": responses, one row per participant and wave", "responses.csv", "responses.sav", responses)
		if err == nil {
			err = writeSPSS(buf("pairs.sps"), title+": scores, one row per participant", "pairs.csv", "pairs.sav", pairs)
		}
	case R:
		err = writeR(buf("exchangeeval.R"), title, in, responses, pairs)
	case Stata:
		err = writeStata(buf("responses.do"), title+": responses, one row per participant and wave", "responses.csv", "responses.dta", responses)
		if err == nil {
			err = writeStata(buf("pairs.do"), title+": scores, one row per participant", "pairs.csv", "pairs.dta", pairs)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	writeReadme(buf("README.txt"), format, title, responses, pairs, append(rn.renamed, pn.renamed...))
	var names []string
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	return files, names, nil
}

func writeReadme(b *bytes.Buffer, format, title string, responses, pairs *table, renamed []string) {
	fmt.Fprintf(b, "%s\n\n", title)
	fmt.Fprintf(b, "Files\n  responses.csv  the answers: one row per participant and wave (%d rows), UTF-8\n", responses.rows)
	fmt.Fprintf(b, "  pairs.csv      the scores: one row per participant (%d rows): each goal's score and each item's scored value per wave\n", pairs.rows)
	switch format {
	case SPSS:
		b.WriteString("  responses.sps, pairs.sps  read the CSV files, apply the labels, and write responses.sav and pairs.sav\n\n")
		b.WriteString("Run\n  In this folder: pspp responses.sps; pspp pairs.sps (or open them in SPSS and run all). Tested with GNU PSPP.\n")
	case R:
		b.WriteString("  exchangeeval.R  reads both files into data frames (base R only) and runs each goal's paired test\n\n")
		b.WriteString("Run\n  In R, with this folder as the working directory: d <- source(\"exchangeeval.R\")$value — d$responses, d$pairs.\n")
		b.WriteString("  From a shell: Rscript exchangeeval.R. Coded answers are factors (Likert scales ordered), every column has attr(x, \"label\").\n")
	case Stata:
		b.WriteString("  responses.do, pairs.do  read the CSV files, apply the labels, and write responses.dta and pairs.dta\n\n")
		b.WriteString("Run\n  In Stata, in this folder: do responses.do; do pairs.do.\n")
		b.WriteString("  Stata is not available where exchangeeval is tested: these files are checked by their content (every variable\n  labelled, every value label defined and applied, names within Stata's 32 characters), not run.\n")
	}
	b.WriteString("\nNotes\n  Participants are pseudonymous ids (P0001…): no names, e-mails or links.\n")
	b.WriteString("  Missing values: an empty cell is a question not answered; -1 (responses.csv) is a question the row's wave does not ask,\n")
	b.WriteString("  declared missing by the syntax (SPSS MISSING VALUES, R NA, Stata .a) and labelled \"not asked in this wave\";\n")
	b.WriteString("  -2 is a question whose condition (relevant) was false for that delegate (SPSS missing, R NA, Stata .b), \"not applicable\".\n")
	b.WriteString("  A multiple-choice question is one 0/1 variable per option. A single choice is numbered by its place in the list.\n")
	b.WriteString("  Line breaks in open answers are written as spaces (the CSV readers of SPSS and Stata take none); the workbook keeps them.\n")
	b.WriteString("  In pairs.csv reverse-scored items are turned so that a higher value is always towards the goal; responses.csv holds the answers as given.\n")
	if len(renamed) > 0 {
		b.WriteString("\nRenamed to be valid, and unique, names in this package (name ← id)\n")
		for _, r := range renamed {
			fmt.Fprintf(b, "  %s\n", r)
		}
	}
	for _, f := range []struct {
		name string
		t    *table
	}{{"responses.csv", responses}, {"pairs.csv", pairs}} {
		fmt.Fprintf(b, "\nCodebook of %s\n", f.name)
		for _, v := range f.t.vars {
			kind := "number"
			switch {
			case v.Text:
				kind = "text"
			case v.Date:
				kind = "date and time, UTC"
			}
			fmt.Fprintf(b, "  %s (%s, %s): %s\n", v.Name, kind, v.Level, oneLine.Replace(v.Label))
			for _, vl := range v.Values {
				fmt.Fprintf(b, "      %d = %s\n", vl.Code, oneLine.Replace(vl.Label))
			}
		}
	}
}
