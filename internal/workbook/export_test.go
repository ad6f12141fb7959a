package workbook_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"iter"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/workbook"
)

func instrument(t testing.TB) *survey.Instrument {
	t.Helper()
	ins, probs := survey.LoadFS(exchangeeval.Surveys, "surveys", "surveys/")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	return survey.NewSet(ins...).Get("csci-social-services")
}

func seq[T any](xs []T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, x := range xs {
			if !yield(x, nil) {
				return
			}
		}
	}
}

func collect[T any](s iter.Seq2[T, error]) []T {
	var out []T
	for v := range s {
		out = append(out, v)
	}
	return out
}

var x1 = &exchange.Exchange{ID: "chicago-paris-2014", Name: "Chicago–Paris 2014", HostCity: "Chicago", VisitingCity: "Paris",
	Start: time.Date(2014, 3, 9, 0, 0, 0, 0, time.UTC), End: time.Date(2014, 3, 15, 0, 0, 0, 0, time.UTC), Instrument: "csci-social-services"}

// export analyses the participants and responses and writes the workbook.
func export(t testing.TB, ps []*exchange.Participant, rs []*exchange.Response, labels string) (*analysis.Report, *excelize.File, []byte) {
	t.Helper()
	in := instrument(t)
	report, err := analysis.Analyze(context.Background(), analysis.Input{Instrument: in, Exchange: x1, Participants: seq(ps), Responses: seq(rs)},
		analysis.Options{GeneratedAt: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), SoftwareVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	err = workbook.Write(&buf, workbook.Export{Instrument: in, Exchanges: []*exchange.Exchange{x1}, Report: report, Labels: labels,
		Responses:   func() iter.Seq2[*exchange.Response, error] { return seq(rs) },
		GeneratedAt: report.GeneratedAt, Version: "test", Methods: workbook.PlainMethods()})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return report, f, buf.Bytes()
}

func synthetic(t testing.TB, n int) ([]*exchange.Participant, []*exchange.Response) {
	pSeq, rSeq := analysis.Synthetic(instrument(t), x1.ID, n)
	ps, rs := collect(pSeq), collect(rSeq)
	for i, p := range ps {
		p.Name, p.Email, p.Token = "Secret Person "+strconv.Itoa(i), "secret"+strconv.Itoa(i)+"@example.org", exchange.NewToken()
	}
	return ps, rs
}

func rows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	r, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func cellNumber(t *testing.T, f *excelize.File, sheet, cell string) float64 {
	t.Helper()
	v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil {
		t.Fatalf("%s!%s = %q is not a number", sheet, cell, v)
	}
	return n
}

func find(rows [][]string, first string) int {
	for i, r := range rows {
		if len(r) > 0 && r[0] == first {
			return i
		}
	}
	return -1
}

func TestWorkbookSheets(t *testing.T) {
	ps, rs := synthetic(t, 40)
	report, f, raw := export(t, ps, rs, "")
	if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(workbook.Sheets, ",") {
		t.Fatalf("sheets %v", got)
	}

	// Summary: the goal-attainment table, numbers as numbers, verdicts coloured.
	sum := rows(t, f, workbook.SheetSummary)
	head := find(sum, "Goal")
	if head < 0 || sum[head][11] != "Verdict" {
		t.Fatalf("no goal table in Summary: %v", sum)
	}
	g := report.Goals[0]
	if sum[head+1][0] != g.Title["en"] || sum[head+1][11] != g.Verdict || sum[head+1][12] != g.VerdictReason {
		t.Errorf("goal row %v", sum[head+1])
	}
	cell := "D" + strconv.Itoa(head+2)
	if got := cellNumber(t, f, workbook.SheetSummary, cell); math.Abs(got-*g.Comparisons[0].Paired.MeanFrom) > 1e-12 {
		t.Errorf("Summary %s = %v, want %v", cell, got, *g.Comparisons[0].Paired.MeanFrom)
	}
	style, _ := f.GetCellStyle(workbook.SheetSummary, "L"+strconv.Itoa(head+2))
	if st, _ := f.GetStyle(style); st == nil || len(st.Fill.Color) == 0 {
		t.Errorf("verdict cell not coloured")
	}
	zr, _ := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	charts := 0
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			charts++
		}
	}
	if charts != 2 {
		t.Errorf("%d native charts, want 2 (Summary, Themes)", charts)
	}

	// Goals: one row per goal and comparison, with every statistic.
	goals := rows(t, f, workbook.SheetGoals)
	want := 0
	for _, g := range report.Goals {
		want += len(g.Comparisons)
	}
	if len(goals) != want+1 || goals[0][12] != "p" || goals[0][13] != "p (Holm)" {
		t.Fatalf("Goals: %d rows, header %v", len(goals), goals[0])
	}
	if got := cellNumber(t, f, workbook.SheetGoals, "K2"); math.Abs(got-*report.Goals[0].Comparisons[0].Paired.T) > 1e-9 {
		t.Errorf("Goals t = %v", got)
	}

	// Items: n, no answer and not applicable apart, the distribution per
	// scale point.
	items := rows(t, f, workbook.SheetItems)
	it := report.Items[0]
	if items[1][0] != it.ID || items[1][3] != it.Waves[0].Wave || items[0][5] != "No answer" || items[0][6] != "Not applicable" ||
		items[1][5] != strconv.Itoa(*it.Waves[0].NoAnswer) || items[1][6] != strconv.Itoa(*it.Waves[0].NotApplicable) {
		t.Fatalf("Items row %v", items[1])
	}
	for p := range it.Points {
		if items[1][12+p] != strconv.Itoa(it.Waves[0].Distribution[p]) {
			t.Errorf("distribution %v vs %v", items[1][12:17], it.Waves[0].Distribution)
		}
	}

	// Responses: header, one row per response, dates as dates, codes as numbers.
	resp := rows(t, f, workbook.SheetResponses)
	if len(resp) != len(rs)+1 || strings.Join(resp[0][:9], ",") != strings.Join(workbook.ResponseColumns, ",") {
		t.Fatalf("Responses: %d rows, header %v", len(resp), resp[0])
	}
	if resp[1][0] != rs[0].Exchange {
		t.Errorf("exchange shown as %q", resp[1][0])
	}
	if resp[1][7] != rs[0].SubmittedAt.Format("2006-01-02 15:04") {
		t.Errorf("submitted_at shown as %q", resp[1][7])
	}
	if n := cellNumber(t, f, workbook.SheetResponses, "H2"); n < 41000 || n > 42000 {
		t.Errorf("submitted_at is not a date serial: %v", n)
	}
	col := map[string]int{}
	for i, h := range resp[0] {
		col[h] = i
	}
	if resp[1][col["fund_corporate"]] != strconv.Itoa(rs[0].Answers["fund_corporate"].(int)) {
		t.Errorf("Likert code %q", resp[1][col["fund_corporate"]])
	}
	name, _ := excelize.CoordinatesToCellName(col["fund_corporate"]+1, 2)
	if typ, _ := f.GetCellType(workbook.SheetResponses, name); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("a Likert code is text, not a number")
	}
	if tables, _ := f.GetTables(workbook.SheetResponses); len(tables) != 1 {
		t.Errorf("Responses is not an Excel table: %v", tables)
	}
	if panes, _ := f.GetPanes(workbook.SheetResponses); !panes.Freeze {
		t.Errorf("Responses header not frozen")
	}

	// Pairs: one row per participant, goal scores side by side.
	pairs := rows(t, f, workbook.SheetPairs)
	if len(pairs) != len(ps)+1 || pairs[0][5] != "funding_pre" || pairs[0][6] != "funding_post" || pairs[0][7] != "funding_follow_up" {
		t.Fatalf("Pairs: %d rows, header %v", len(pairs), pairs[0][:8])
	}

	// Codebook and About.
	cb := rows(t, f, workbook.SheetCodebook)
	if find(cb, "fund_little_place") < 0 || find(cb, "empowerment") < 0 {
		t.Errorf("codebook lacks items or themes")
	}
	// Each condition is in the codebook, under "Asked only if".
	if i, head := find(cb, "core_immersion"), find(cb, "Question"); i < 0 || head < 0 || cb[head][5] != "Asked only if" || cb[i][5] != "${immersion_done} = 'yes'" {
		t.Errorf("codebook does not show core_immersion's condition")
	}
	about := rows(t, f, workbook.SheetAbout)
	if i := find(about, "Instrument content hash (SHA-256)"); i < 0 || about[i][1] != instrument(t).Hash {
		t.Errorf("About lacks the instrument hash")
	}
	if find(about, "Methods in plain words") < 0 || !strings.Contains(strings.Join(about[len(about)-1], ""), ".") {
		t.Errorf("About lacks the methods")
	}

	// Nothing that identifies anyone.
	for _, sheet := range workbook.Sheets {
		for _, r := range rows(t, f, sheet) {
			line := strings.Join(r, "|")
			if strings.Contains(line, "Secret Person") || strings.Contains(line, "@example.org") || strings.Contains(line, ps[0].Token) {
				t.Fatalf("%s carries an identity: %s", sheet, line)
			}
		}
	}
}

func TestWorkbookSuppressesLikeTheAnalysis(t *testing.T) {
	ps, rs := synthetic(t, 24) // six roles of four people each
	report, f, _ := export(t, ps, rs, "")
	suppressed := 0
	for _, b := range report.Breakdowns {
		for _, g := range b.Groups {
			for _, s := range g.Goals {
				if s.Suppressed {
					suppressed++
				}
			}
		}
	}
	// A withheld figure is an empty cell (the column stays numeric), and
	// the row's Suppressed column says why.
	shown := 0
	table := rows(t, f, workbook.SheetBreakdowns)
	col := slices.Index(table[0], "Suppressed")
	for _, r := range table[1:] {
		if r[2] == "goal score" && col > 0 && len(r) > col && r[col] == "n<5" {
			shown++
			if r[5] != "" || r[6] != "" {
				t.Errorf("a withheld row holds figures: %q", r)
			}
		}
	}
	if suppressed == 0 || shown != suppressed {
		t.Errorf("%d suppressed goal cells in the analysis, %d marked n<5 in the Suppressed column (%d)", suppressed, shown, col)
	}
}

func TestWorkbookEdgeCases(t *testing.T) {
	t.Run("no responses yet", func(t *testing.T) {
		ps, _ := synthetic(t, 3)
		report, f, _ := export(t, ps, nil, "")
		if report.Goals[0].Verdict != analysis.InsufficientData {
			t.Fatal(report.Goals[0].Verdict)
		}
		for _, sheet := range []string{workbook.SheetResponses, workbook.SheetPairs} {
			r := rows(t, f, sheet)
			if len(r) != 2 || !strings.HasPrefix(r[1][0], "no data") {
				t.Errorf("%s: %v", sheet, r)
			}
		}
		if find(rows(t, f, workbook.SheetGoals), "no data: no goal is measured in two waves") != -1 {
			// Goals has rows (comparisons exist, all suppressed): fine either way.
		}
	})
	t.Run("one respondent in a wave", func(t *testing.T) {
		ps, rs := synthetic(t, 12)
		report, f, _ := export(t, ps, oneFollowUp(rs), "")
		if w := report.Goals[0].Waves[2]; !w.Suppressed {
			t.Errorf("a one-person wave shown: %+v", w)
		}
		items := rows(t, f, workbook.SheetItems)
		col := slices.Index(items[0], "Suppressed")
		for _, r := range items[1:] {
			if r[3] == "follow-up" && (r[4] != "" || col < 0 || len(r) <= col || r[col] != "n<5") {
				t.Errorf("follow-up item row shows n=%s, not withheld: %q", r[4], r)
			}
		}
	})
	t.Run("formula-like text stays text", func(t *testing.T) {
		ps, rs := synthetic(t, 12)
		evil := []string{`=HYPERLINK("http://evil.example","click")`, "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"}
		for i, r := range rs[:4] {
			r.Answers["expectations"] = evil[i]
			r.Answers["takeaways"] = evil[i]
			r.Answers["fu_description"] = evil[i]
		}
		_, f, _ := export(t, ps, rs, "")
		resp := rows(t, f, workbook.SheetResponses)
		seen := 0
		for ri, r := range resp {
			for ci, v := range r {
				for _, e := range evil {
					if v == e {
						name, _ := excelize.CoordinatesToCellName(ci+1, ri+1)
						if formula, _ := f.GetCellFormula(workbook.SheetResponses, name); formula != "" {
							t.Errorf("%s became a formula: %s", name, formula)
						}
						seen++
					}
				}
			}
		}
		if seen < 4 {
			t.Errorf("formula-like answers not found as text (%d)", seen)
		}
	})
	t.Run("labels instead of codes", func(t *testing.T) {
		ps, rs := synthetic(t, 6)
		_, f, _ := export(t, ps, rs, "fr")
		resp := rows(t, f, workbook.SheetResponses)
		col := -1
		for i, h := range resp[0] {
			if h == "fund_corporate" {
				col = i
			}
		}
		labels := strings.Join(instrument(t).Scales["agree5"].Labels["fr"], "|")
		if col < 0 || !strings.Contains(labels, resp[1][col]) {
			t.Errorf("fund_corporate written as %q, want a French label", resp[1][col])
		}
	})
}

// TestPlainMethodsAreTheDocuments: the English methods the workbook and
// the dashboard show are docs/methods.md's "In plain words" paragraphs,
// each under its section's heading, word for word; every shipped language
// has every section; a language without them gets the English and says
// so (MethodsLanguage).
func TestPlainMethodsAreTheDocuments(t *testing.T) {
	doc, err := os.ReadFile("../../docs/methods.md")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	heading := ""
	for _, block := range strings.Split(string(doc), "\n\n") {
		block = strings.TrimSpace(block)
		switch {
		case strings.HasPrefix(block, "## "):
			heading = strings.TrimPrefix(block, "## ")
		case strings.HasPrefix(block, "*In plain words.*"):
			want = append(want, heading+". "+strings.Join(strings.Fields(strings.TrimPrefix(block, "*In plain words.*")), " "))
		}
	}
	en := strings.Split(workbook.PlainMethods(), "\n\n")
	if len(want) < 9 || !slices.Equal(en, want) {
		t.Errorf("the catalogue's English methods differ from docs/methods.md:\n doc: %q\n cat: %q", want, en)
	}
	for _, lang := range []string{"fr", "es", "de", "pt", "ar", "zh"} {
		text := workbook.PlainMethodsIn(lang)
		paras := strings.Split(text, "\n\n")
		if workbook.MethodsLanguage(lang) != lang || len(paras) != len(want) {
			t.Errorf("%s: methods in %s, %d sections of %d", lang, workbook.MethodsLanguage(lang), len(paras), len(want))
		}
		for i, p := range paras {
			if i < len(en) && (p == en[i] || strings.Contains(p, "Each goal")) {
				t.Errorf("%s section %d is English: %q", lang, i+1, p)
			}
		}
	}
	if fr := workbook.PlainMethodsIn("fr"); !strings.Contains(fr, "Confidentialité : petits groupes. Aucun chiffre") {
		t.Errorf("French methods: %s", fr)
	}
	if zh := workbook.PlainMethodsIn("zh"); !strings.HasPrefix(zh, "得分。每个目标") {
		t.Errorf("Chinese methods do not join title and text the Chinese way: %.40s", zh)
	}
	if workbook.MethodsLanguage("pl") != "en" || workbook.PlainMethodsIn("pl") != workbook.PlainMethods() {
		t.Error("a language without the methods does not get the English")
	}
}

// TestWorkbookReadsAsItShould: what a reader sees in a spreadsheet program
// and on paper — p-values as "<0.001" (the exact value kept in the cell),
// a verdict only on the row of the goal's criterion, a score axis from 1,
// wave titles, rows tall enough for their wrapped text, header rows
// repeated on every printed page.
func TestWorkbookReadsAsItShould(t *testing.T) {
	ps, rs := synthetic(t, 400)
	report, f, raw := export(t, ps, rs, "")
	in := instrument(t)

	goals := rows(t, f, workbook.SheetGoals)
	col := map[string]int{}
	for i, h := range goals[0] {
		col[h] = i
	}
	tiny := false
	for r, row := range goals[1:] {
		g := report.Goals[0]
		for _, gg := range report.Goals {
			if gg.ID == row[0] {
				g = gg
			}
		}
		verdict := row[col["Verdict"]]
		if row[col["From"]] == g.Criterion.From && row[col["To"]] == g.Criterion.To {
			if verdict != g.Verdict {
				t.Errorf("Goals row %d: verdict %q, want %q", r+2, verdict, g.Verdict)
			}
		} else if verdict == g.Verdict {
			t.Errorf("Goals row %d (%s → %s): the goal's verdict on a row that is not its criterion", r+2, row[col["From"]], row[col["To"]])
		}
		// excelize's own renderer ignores a format's condition; what
		// LibreOffice shows is checked in TestLibreOfficeReadsEverySheet.
		for _, name := range []string{"p", "p (Holm)", "Wilcoxon p", "Welch p"} {
			cell, _ := excelize.CoordinatesToCellName(col[name]+1, r+2)
			if v := cellNumber(t, f, workbook.SheetGoals, cell); v < 0.001 {
				tiny = true
			}
			style, _ := f.GetCellStyle(workbook.SheetGoals, cell)
			if st, _ := f.GetStyle(style); st == nil || st.CustomNumFmt == nil || !strings.HasPrefix(*st.CustomNumFmt, "[<0.001]") {
				t.Errorf("Goals!%s (%s) is not formatted as a p-value", cell, name)
			}
		}
	}
	if !tiny {
		t.Error("no p-value below 0.001 in 400 synthetic delegates: the test proves nothing")
	}

	sum := rows(t, f, workbook.SheetSummary)
	pre := in.Wave("pre").Title.In(in.BaseLanguage(), "")
	if find(sum, pre) < 0 {
		t.Errorf("Summary does not name the pre wave by its title %q", pre)
	}
	chart := zipFile(t, raw, "xl/charts/chart1.xml")
	if !strings.Contains(chart, `<max val="5"></max><min val="1"></min>`) {
		t.Errorf("the score chart's axis is not 1 to 5")
	}
	for _, sheet := range []string{workbook.SheetGoals, workbook.SheetItems, workbook.SheetBreakdowns} {
		if got := definedName(f, "_xlnm.Print_Titles", sheet); !strings.Contains(got, "$1:$1") {
			t.Errorf("%s repeats no header row when printed (%q)", sheet, got)
		}
	}
	about := rows(t, f, workbook.SheetAbout)
	for i, row := range about {
		if len(row) == 1 && len(row[0]) > 400 {
			if h, _ := f.GetRowHeight(workbook.SheetAbout, i+1); h < 45 {
				t.Errorf("About row %d holds %d characters in a row %.0f points high", i+1, len(row[0]), h)
			}
		}
	}
}

func definedName(f *excelize.File, name, scope string) string {
	for _, d := range f.GetDefinedName() {
		if d.Name == name && d.Scope == scope {
			return d.RefersTo
		}
	}
	return ""
}

// zipFile is one file of the workbook's archive, as text.
func zipFile(t *testing.T, raw []byte, name string) string {
	t.Helper()
	s, ok := zipEntry(raw, name)
	if !ok {
		t.Fatalf("no %s in the workbook", name)
	}
	return s
}

// zipEntry reads a part of an archive; false when it has none by that
// name (or cannot be read).
func zipEntry(raw []byte, name string) (string, bool) {
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return "", false
	}
	for _, zf := range zr.File {
		if zf.Name == name {
			rc, err := zf.Open()
			if err != nil {
				return "", false
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			return string(b), err == nil
		}
	}
	return "", false
}

// TestSheetTextsFollowTheLabels: with labels in French, what a reader
// meets — the Summary, the About sheet, chart titles, verdicts and their
// reasons, goal and wave titles — is French, while the data sheets keep
// the English column headers scripts read them by. The themes chart is
// drawn as columns, so that its legend and its bars go in the same order,
// first wave first.
func TestSheetTextsFollowTheLabels(t *testing.T) {
	ps, rs := synthetic(t, 60)
	in := instrument(t)
	report, err := analysis.Analyze(context.Background(), analysis.Input{Instrument: in, Exchange: x1, Participants: seq(ps), Responses: seq(rs)},
		analysis.Options{GeneratedAt: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), SoftwareVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	fr := *x1
	fr.Names = map[string]string{"fr": "Échange Chicago–Paris 2014"}
	var buf bytes.Buffer
	err = workbook.Write(&buf, workbook.Export{Instrument: in, Exchanges: []*exchange.Exchange{&fr}, Report: report, Labels: "fr",
		Responses:   func() iter.Seq2[*exchange.Response, error] { return seq(rs) },
		GeneratedAt: report.GeneratedAt, Version: "test", Methods: workbook.PlainMethodsIn("fr")})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	text := func(sheet string) string {
		var b strings.Builder
		for _, r := range rows(t, f, sheet) {
			b.WriteString(strings.Join(r, "|") + "\n")
		}
		return b.String()
	}
	summary := text(workbook.SheetSummary)
	for _, want := range []string{"Évaluation — Échange Chicago–Paris 2014", "Atteinte des objectifs", "Objectif|De|À|Moyenne avant", "Avant l'échange",
		"Financement par les partenariats avec les entreprises", "Taille minimale des groupes"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the French Summary lacks %q:\n%s", want, summary)
		}
	}
	for _, g := range report.Goals {
		if !strings.Contains(summary, g.ReasonIn("fr")) || strings.Contains(summary, g.VerdictReason) {
			t.Errorf("goal %s's reason is not the French one", g.ID)
		}
	}
	for _, english := range []string{"Goal attainment", "Mean before", "Before the exchange", "|attained|", "invited"} {
		if strings.Contains(summary, english) {
			t.Errorf("the French Summary carries %q", english)
		}
	}
	about := text(workbook.SheetAbout)
	for _, want := range []string{"À propos de ce classeur", "Comment citer", "Les méthodes en termes simples", "Scores. Chaque objectif est mesuré", "Identifiants"} {
		if !strings.Contains(about, want) {
			t.Errorf("the French About sheet lacks %q", want)
		}
	}
	if goals := rows(t, f, workbook.SheetGoals); goals[0][0] != "Goal" || !strings.Contains(strings.Join(goals[0], "|"), "Mean change") {
		t.Errorf("the data sheets' headers changed with the labels: %v", goals[0])
	}
	var chart string
	for i := 1; i < 5; i++ {
		if c := zipFile(t, buf.Bytes(), fmt.Sprintf("xl/charts/chart%d.xml", i)); strings.Contains(c, "Part des répondants évoquant chaque thème") {
			chart = c
			break
		}
	}
	if chart == "" {
		t.Fatal("no French themes chart")
	}
	first, second := strings.Index(chart, workbook.SheetThemes+"!$B$"), strings.Index(chart, workbook.SheetThemes+"!$C$")
	if !strings.Contains(chart, `barDir val="col"`) || first < 0 || second < 0 || first > second {
		t.Errorf("the themes chart is not columns with the first wave first")
	}
}

// oneFollowUp keeps every answer but the follow-up ones of all
// participants but P0001: a wave answered by one person.
func oneFollowUp(rs []*exchange.Response) []*exchange.Response {
	var kept []*exchange.Response
	for _, r := range rs {
		if r.Wave != "follow-up" || r.Participant == "P0001" {
			kept = append(kept, r)
		}
	}
	return kept
}
