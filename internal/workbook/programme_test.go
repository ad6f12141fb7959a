package workbook_test

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/workbook"
)

// programmeWorkbook writes the workbook of a programme of four synthetic
// exchanges, one of them (3 delegates) too small to show, as export
// --programme does: the programme first, then the exchanges' sheets.
func programmeWorkbook(t *testing.T, labels string) (*analysis.ProgrammeReport, *excelize.File, []byte) {
	t.Helper()
	ctx := context.Background()
	in := instrument(t)
	var (
		xs     []*exchange.Exchange
		inputs []analysis.Input
		data   = map[string][]*exchange.Response{}
	)
	for i, n := range []int{30, 3, 20, 40} {
		x := &exchange.Exchange{ID: fmt.Sprintf("x%d", 2014+i), Name: fmt.Sprintf("Exchange %d", 2014+i), Instrument: in.ID, InstrumentVersion: in.Version,
			VisitingCity: "Chicago", HostCity: []string{"Paris", "Hamburg", "Durban", "Birmingham"}[i],
			Start: time.Date(2014+i, 3, 9, 0, 0, 0, 0, time.UTC), End: time.Date(2014+i, 3, 15, 0, 0, 0, 0, time.UTC)}
		ps, rs := analysis.Synthetic(in, x.ID, n)
		xs = append(xs, x)
		data[x.ID] = collect(rs)
		inputs = append(inputs, analysis.Input{Instrument: in, Exchange: x, Participants: ps, Responses: seq(data[x.ID])})
	}
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	p, err := analysis.ProgrammeOf(xs, survey.NewSet(in), func(x *exchange.Exchange, in *survey.Instrument) (*analysis.Report, error) {
		ps, _ := analysis.Synthetic(in, x.ID, len(data[x.ID])/len(in.Waves))
		return analysis.Analyze(ctx, analysis.Input{Instrument: in, Exchange: x, Participants: ps, Responses: seq(data[x.ID])}, analysis.Options{MinCell: 5})
	}, analysis.ProgrammeOptions{MinCell: 5, GeneratedAt: at, SoftwareVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	combined, err := analysis.Analyze(ctx, analysis.Combine(inputs), analysis.Options{MinCell: 5, GeneratedAt: at, SoftwareVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	err = workbook.Write(&buf, workbook.Export{Instrument: in, Exchanges: xs, Report: combined, Labels: labels, Programme: p,
		Responses: func() iter.Seq2[*exchange.Response, error] {
			var all []*exchange.Response
			for _, x := range xs {
				all = append(all, data[x.ID]...)
			}
			return seq(all)
		},
		GeneratedAt: at, Version: "test", Methods: workbook.PlainMethods()})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return p, f, buf.Bytes()
}

// TestProgrammeSheet: the Programme sheet comes first and holds, goal by
// goal, each exchange's figures and the pooled ones exactly as the
// programme analysis made them (the analysis is checked against metafor
// in internal/analysis); an exchange too small shows no figures and says
// why; each goal's chart has error bars reading the confidence
// intervals' ends from the sheet.
func TestProgrammeSheet(t *testing.T) {
	p, f, raw := programmeWorkbook(t, "")
	if got := f.GetSheetList(); strings.Join(got, ",") != workbook.SheetProgramme+","+strings.Join(workbook.Sheets, ",") {
		t.Fatalf("sheets %v", got)
	}
	rs := rows(t, f, workbook.SheetProgramme)
	text := func(r, c int) string {
		if r < len(rs) && c < len(rs[r]) {
			return rs[r][c]
		}
		return ""
	}
	num := func(r int, col string) float64 {
		return cellNumber(t, f, workbook.SheetProgramme, fmt.Sprintf("%s%d", col, r+1))
	}
	near := func(what string, got, want float64) {
		if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("%s: %v in the sheet, %v in the analysis", what, got, want)
		}
	}
	if len(p.Goals) != 3 {
		t.Fatalf("%d goals", len(p.Goals))
	}
	row := 0
	for gi, g := range p.Goals {
		// The goal's table starts under its title, after the previous one.
		for row < len(rs) && !strings.HasPrefix(text(row, 0), survey.Text(g.Title).In("en", "en")+" — change from") {
			row++
		}
		if row == len(rs) {
			t.Fatalf("no table for goal %s", g.ID)
		}
		if text(row+1, 0) != "Exchange" || text(row+1, 2) != "Change" || text(row+1, 13) != "CI below (chart)" {
			t.Fatalf("goal %s header %v", g.ID, rs[row+1])
		}
		first := row + 2
		for i, e := range g.Exchanges {
			r := first + i
			if want := "Chicago → " + []string{"Paris", "Hamburg", "Durban", "Birmingham"}[i] + fmt.Sprint(" ", 2014+i); text(r, 0) != want {
				t.Errorf("goal %s row %d names %q, want %q", g.ID, r+1, text(r, 0), want)
			}
			if !e.Pooled {
				if text(r, 2) != "" || text(r, 9) != "no: fewer than 5 pairs, so no figures" || e.Exchange != "x2015" {
					t.Errorf("goal %s: the exchange of 3 reads %v", g.ID, rs[r])
				}
				continue
			}
			near(g.ID+" "+e.Exchange+" change", num(r, "C"), *e.MeanDiff)
			near(g.ID+" "+e.Exchange+" SE", num(r, "D"), *e.SE)
			near(g.ID+" "+e.Exchange+" CI low", num(r, "E"), e.CI[0])
			near(g.ID+" "+e.Exchange+" weight", num(r, "I"), *e.Weight)
			near(g.ID+" "+e.Exchange+" below", num(r, "N"), *e.MeanDiff-e.CI[0])
			near(g.ID+" "+e.Exchange+" above", num(r, "O"), e.CI[1]-*e.MeanDiff)
		}
		re := first + len(g.Exchanges)
		if text(re, 0) != "Pooled: random effects" || text(re+1, 0) != "Pooled: fixed effect" {
			t.Fatalf("goal %s pooled rows %v %v", g.ID, rs[re], rs[re+1])
		}
		near(g.ID+" random effects", num(re, "C"), g.Random.Estimate)
		near(g.ID+" random SE", num(re, "D"), g.Random.SE)
		near(g.ID+" random z", num(re, "K"), g.Random.Z)
		near(g.ID+" random p", num(re, "L"), g.Random.P)
		near(g.ID+" fixed effect", num(re+1, "C"), g.Fixed.Estimate)
		if num(re, "M") != 3 {
			t.Errorf("goal %s pools %v exchanges, want 3", g.ID, num(re, "M"))
		}
		if text(re+2, 0) != "Heterogeneity" || text(re+2, 4) != "I²" {
			t.Fatalf("goal %s heterogeneity header %v", g.ID, rs[re+2])
		}
		near(g.ID+" Q", num(re+3, "B"), g.Heterogeneity.Q)
		near(g.ID+" I²", num(re+3, "E"), g.Heterogeneity.I2/100)
		near(g.ID+" τ²", num(re+3, "F"), g.Heterogeneity.Tau2)
		near(g.ID+" prediction low", num(re+3, "G"), g.Prediction[0])
		if text(re+5, 0) != "Chicago → Birmingham 2017" {
			t.Errorf("goal %s trend row %v", g.ID, rs[re+5])
		}
		near(g.ID+" trend difference", num(re+5, "D"), g.Trend.Difference)

		// The chart: its series is the change column through the pooled
		// row, with custom error bars from the two distance columns.
		chart := zipFile(t, raw, fmt.Sprintf("xl/charts/chart%d.xml", gi+1))
		ref := func(col string) string {
			return fmt.Sprintf("%s!$%s$%d:$%s$%d", workbook.SheetProgramme, col, first+1, col, re+1)
		}
		want := `<errBars><errDir val="y"/><errBarType val="both"/><errValType val="cust"/><noEndCap val="0"/><plus><numRef><f>` + ref("O") +
			`</f></numRef></plus><minus><numRef><f>` + ref("N") + `</f></numRef></minus>`
		if !strings.Contains(chart, want) || !strings.Contains(chart, "<val><numRef><f>"+ref("C")+"</f>") || !strings.Contains(chart, "<cat><strRef><f>"+ref("A")+"</f>") {
			t.Errorf("goal %s: chart %d lacks its series or error bars %s", g.ID, gi+1, want)
		}
		if strings.Index(chart, "<errBars>") > strings.Index(chart, "<cat>") {
			t.Errorf("goal %s: the error bars come after the categories, where Excel refuses them", g.ID)
		}
		row = re
	}
	// The themes by exchange and wave: the small exchange suppressed.
	th := find(rs, "Themes: share of respondents mentioning each, by exchange and wave")
	if th < 0 || text(th+1, 4) != "Share" || !slices.ContainsFunc(rs[th+2:], func(r []string) bool {
		return len(r) > 5 && r[1] == "Chicago → Hamburg 2015" && r[4] == "" && r[5] == "n<5"
	}) {
		t.Errorf("themes table at %d", th)
	}
}

// TestProgrammeSheetInFrench: with French labels the Programme sheet
// reads French.
func TestProgrammeSheetInFrench(t *testing.T) {
	_, f, _ := programmeWorkbook(t, "fr")
	all := strings.Join(flatten(rows(t, f, workbook.SheetProgramme)), "|")
	for _, want := range []string{"Programme — ", "Ensemble : effets aléatoires", "Hétérogénéité", "non : moins de 5 paires, donc aucun chiffre", "Regroupé", "Invités"} {
		if !strings.Contains(all, want) {
			t.Errorf("the French Programme sheet lacks %q", want)
		}
	}
	for _, english := range []string{"Pooled", "Heterogeneity", "fewer than"} {
		if strings.Contains(all, english) {
			t.Errorf("the French Programme sheet says %q", english)
		}
	}
}

// TestLibreOfficeKeepsTheProgrammeErrorBars: LibreOffice opens the
// programme workbook, reads the sheet, and, saving it again as XLSX,
// writes the charts' error bars back with their custom ranges — it
// understood them as error bars.
func TestLibreOfficeKeepsTheProgrammeErrorBars(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice not installed: apt-get install libreoffice-calc-nogui to run this check")
	}
	p, _, raw := programmeWorkbook(t, "")
	dir := t.TempDir()
	book := filepath.Join(dir, "programme.xlsx")
	if err := os.WriteFile(book, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", "xlsx", "--outdir", out, book)
	if o, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, o)
	}
	again, err := os.ReadFile(filepath.Join(out, "programme.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	bars := 0
	for i := 1; i <= 10; i++ {
		chart, ok := zipEntry(again, fmt.Sprintf("xl/charts/chart%d.xml", i))
		if !ok {
			break
		}
		if regexp.MustCompile(`<c:errBars>.*<c:errValType val="cust"/>.*<c:plus><c:numRef><c:f>Programme!\$O\$\d+:\$O\$\d+</c:f>.*<c:minus><c:numRef><c:f>Programme!\$N\$\d+:\$N\$\d+</c:f>`).MatchString(chart) {
			bars++
		}
	}
	if bars != len(p.Goals) {
		t.Errorf("LibreOffice wrote back %d charts with the error bars, want %d", bars, len(p.Goals))
	}
	f, err := excelize.OpenReader(bytes.NewReader(again))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v, _ := f.GetCellValue(workbook.SheetProgramme, "A1")
	if !strings.HasPrefix(v, "Programme — ") {
		t.Errorf("LibreOffice reads A1 as %q", v)
	}
}
