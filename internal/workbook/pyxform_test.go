package workbook_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/workbook"
)

// xform is what testdata/pyxform-src/convert.py reports of the XForm
// pyxform writes.
type xform struct {
	Title     string
	ID        string
	Languages []string
	Warnings  []string
	Binds     map[string]struct{ Type, Relevant, Constraint, Calculate, Required string }
	Controls  map[string]struct{ Tag, List, Filter string }
	Instances map[string][]string
}

// pyxformConvert converts form with pyxform 4.5.0 (testdata/pyxform-src),
// as KoboToolbox and ODK Central do when a form is uploaded.
func pyxformConvert(t *testing.T, form []byte) xform {
	t.Helper()
	python := "/usr/bin/python3"
	if exec.Command(python, "-c", "import openpyxl, xlrd, defusedxml, lark").Run() != nil {
		t.Skip("pyxform's modules are not installed: apt-get install python3-openpyxl python3-xlrd python3-defusedxml python3-lark")
	}
	path := filepath.Join(t.TempDir(), "form.xlsx")
	if err := os.WriteFile(path, form, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "testdata/pyxform-src/convert.py", path)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pyxform: %v\n%s", err, stderr.String())
	}
	var x xform
	if err := json.Unmarshal(out, &x); err != nil {
		t.Fatalf("convert.py: %v\n%s", err, out)
	}
	return x
}

// xformTypes are the XForm bind types of exchangeeval's question types.
var xformTypes = map[string]string{
	survey.TypeLikert: "string", survey.TypeSingle: "string", survey.TypeMulti: "string", survey.TypeText: "string",
	survey.TypeDate: "date", survey.TypeTime: "time", survey.TypeDateTime: "dateTime", survey.TypeCalculate: "string",
}

// TestPyxformConvertsExportedForms: the XLSForms exchangeeval writes — the
// shipped instrument, one wave's form of it, a form with ODK's
// constructs and a cascading one — convert in pyxform, KoboToolbox's and
// ODK's converter, without a warning, to the same questions with their
// types, conditions, constraints, calculations, choices, choice filters
// and languages.
func TestPyxformConvertsExportedForms(t *testing.T) {
	shipped := shippedInstrument(t)
	pre, err := shipped.OneWave("pre")
	if err != nil {
		t.Fatal(err)
	}
	odk, probs := importForm(xlsx(t, odkForm(), nil))
	if probs != nil {
		t.Fatal(probs)
	}
	cascading, probs := importForm(xlsx(t, cascadingForm(), nil))
	if probs != nil {
		t.Fatal(probs)
	}
	for _, in := range []*survey.Instrument{shipped, pre, odk, cascading} {
		var buf bytes.Buffer
		if err := workbook.WriteXLSForm(&buf, survey.ToXLSForm(in)); err != nil {
			t.Fatal(err)
		}
		x := pyxformConvert(t, buf.Bytes())
		if len(x.Warnings) > 0 {
			t.Errorf("%s: pyxform warns: %q", in.ID, x.Warnings)
		}
		if x.ID != in.ID || x.Title != in.Title[in.BaseLanguage()] {
			t.Errorf("%s: the XForm is %q, titled %q", in.ID, x.ID, x.Title)
		}
		for _, l := range in.Languages {
			if !slices.Contains(x.Languages, survey.LanguageName(l)+" ("+l+")") {
				t.Errorf("%s: language %s is not among the XForm's %q", in.ID, l, x.Languages)
			}
		}
		for _, q := range in.Questions() {
			b, ok := x.Binds[q.ID]
			if !ok {
				t.Errorf("%s: question %s is not in the XForm", in.ID, q.ID)
				continue
			}
			want := xformTypes[q.Type]
			if q.Type == survey.TypeNumber {
				want = map[bool]string{true: "int", false: "decimal"}[q.Integer]
			}
			if b.Type != want {
				t.Errorf("%s: %s is a %s in the XForm, not a %s", in.ID, q.ID, b.Type, want)
			}
			if (q.Relevant != "") != (b.Relevant != "") || (q.Calculation != "") != (b.Calculate != "") || q.Required != (b.Required == "true()") {
				t.Errorf("%s: %s's logic is not the XForm's: %+v", in.ID, q.ID, b)
			}
			if hasConstraint := q.Constraint != "" || q.Min != nil || q.Max != nil || q.MaxLength > 0; hasConstraint != (b.Constraint != "") {
				t.Errorf("%s: %s's constraint %q is not the XForm's %q", in.ID, q.ID, q.Constraint, b.Constraint)
			}
			if q.Type != survey.TypeSingle && q.Type != survey.TypeMulti {
				continue
			}
			c := x.Controls[q.ID]
			var codes []string
			for _, o := range q.Options {
				codes = append(codes, o.Code)
			}
			if !slices.Equal(x.Instances[c.List], codes) {
				t.Errorf("%s: %s's choices in the XForm are %q, not %q", in.ID, q.ID, x.Instances[c.List], codes)
			}
			if (q.ChoiceFilter != "") != (c.Filter != "") {
				t.Errorf("%s: %s's choice filter %q is %q in the XForm", in.ID, q.ID, q.ChoiceFilter, c.Filter)
			}
		}
	}
}
