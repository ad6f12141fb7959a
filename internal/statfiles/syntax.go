package statfiles

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/csci/exchangeeval/internal/analysis"
)

// stataMissing is Stata's extended missing value for each missing code.
var stataMissing = map[int]string{notAsked: ".a", notApplicable: ".b"}

// missingCodes are the missing codes a variable may hold, labelled.
func missingCodes(v variable) []valueLabel {
	var out []valueLabel
	if v.NotAsked {
		out = append(out, valueLabel{notAsked, v.NotAskedLabel})
	}
	if v.Conditional {
		out = append(out, valueLabel{notApplicable, v.NotApplicableLabel})
	}
	return out
}

// Each package's limits on labels, in bytes (SPSS, PSPP) or characters
// (Stata): a longer label is cut, with the full text in a comment.
const (
	spssVarLabel   = 255
	spssValueLabel = 120
	stataVarLabel  = 80
	stataValLabel  = 32000
)

// cut shortens s to at most n bytes on a character boundary, marking the
// cut with an ellipsis.
func cut(s string, n int) (string, bool) {
	s = oneLine.Replace(s)
	if len(s) <= n {
		return s, false
	}
	end := n - len("…")
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end] + "…", true
}

// spssQuote is a string in SPSS syntax: single quotes, doubled inside.
func spssQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// writeSPSS writes the .sps that reads a CSV file, labels it and saves a
// .sav beside it.
func writeSPSS(w io.Writer, title, csvName, savName string, t *table) error {
	p := &printer{w: w}
	p.f("* %s.\n", oneLine.Replace(title))
	p.f("* Run from this folder, in PSPP (pspp %s) or SPSS: reads %s and writes %s.\n", strings.TrimSuffix(csvName, ".csv")+".sps", csvName, savName)
	p.f("GET DATA\n  /TYPE=TXT\n  /FILE=%s\n  /ENCODING='UTF-8'\n  /ARRANGEMENT=DELIMITED\n  /DELCASE=LINE\n  /FIRSTCASE=2\n  /DELIMITERS=\",\"\n  /QUALIFIER='\"'\n  /VARIABLES=\n", spssQuote(csvName))
	for i, v := range t.vars {
		switch {
		case v.Text:
			p.f("    %s A%d\n", v.Name, max(1, t.width[i]))
		case v.Date:
			p.f("    %s YMDHMS19\n", v.Name)
		case v.Level == scale:
			p.f("    %s F12.4\n", v.Name)
		default:
			p.f("    %s F4.0\n", v.Name)
		}
	}
	p.f(".\n")
	var full []string
	p.f("VARIABLE LABELS\n")
	for i, v := range t.vars {
		label, cutShort := cut(v.Label, spssVarLabel)
		if cutShort {
			full = append(full, fmt.Sprintf("* Full label of %s: %s .", v.Name, oneLine.Replace(v.Label)))
		}
		sep := "  /"
		if i == 0 {
			sep = "  "
		}
		p.f("%s%s %s\n", sep, v.Name, spssQuote(label))
	}
	p.f(".\n")
	for _, c := range full {
		p.f("%s\n", c)
	}
	first := true
	var missing []string
	for _, v := range t.vars {
		values := v.Values
		if v.Missing {
			missing = append(missing, v.Name)
			values = slices.Concat(values, missingCodes(v))
		}
		if len(values) == 0 {
			continue
		}
		if first {
			p.f("VALUE LABELS\n  ")
			first = false
		} else {
			p.f("  /")
		}
		p.f("%s", v.Name)
		for _, vl := range values {
			label, _ := cut(vl.Label, spssValueLabel)
			p.f(" %d %s", vl.Code, spssQuote(label))
		}
		p.f("\n")
	}
	if !first {
		p.f(".\n")
	}
	if len(missing) > 0 {
		p.f("MISSING VALUES %s (%d, %d).\n", strings.Join(missing, " "), notApplicable, notAsked)
	}
	levels := map[string][]string{}
	for _, v := range t.vars {
		levels[v.Level] = append(levels[v.Level], v.Name)
	}
	p.f("VARIABLE LEVEL")
	sep := " "
	for _, l := range []string{nominal, ordinal, scale} {
		if len(levels[l]) > 0 {
			p.f("%s%s (%s)", sep, strings.Join(levels[l], " "), strings.ToUpper(l))
			sep = "\n  /"
		}
	}
	p.f(".\n")
	p.f("* Empty cells are system-missing (not answered); %d is a question its wave does not ask and %d one whose condition was false, declared missing above.\n", notAsked, notApplicable)
	p.f("SAVE OUTFILE=%s.\n", spssQuote(savName))
	return p.err
}

// rString is a string in R syntax.
func rString(s string) string { return strconv.Quote(oneLine.Replace(s)) }

// writeR writes a base-R script that reads both files into data frames
// with factors and labels, and runs each goal's paired test.
func writeR(w io.Writer, title string, in Input, responses, pairs *table) error {
	p := &printer{w: w}
	p.f("# %s\n", oneLine.Replace(title))
	p.f("# Base R only. In R, from this folder: d <- source(\"exchangeeval.R\")$value gives d$responses and d$pairs;\n")
	p.f("# from a shell, Rscript exchangeeval.R prints each goal's paired test as the report computes it.\n\n")
	p.f("read_exchangeeval <- function(dir = \".\") {\n")
	for _, f := range []struct {
		name string
		t    *table
	}{{"responses", responses}, {"pairs", pairs}} {
		var classes []string
		for _, v := range f.t.vars {
			class := "numeric"
			if v.Text || v.Date {
				class = "character"
			}
			classes = append(classes, fmt.Sprintf("%s = %q", rString(v.Name), class))
		}
		p.f("  %s <- read.csv(file.path(dir, %q), fileEncoding = \"UTF-8\", na.strings = \"\", check.names = FALSE,\n    colClasses = c(%s))\n",
			f.name, f.name+".csv", strings.Join(classes, ", "))
		for _, v := range f.t.vars {
			col := fmt.Sprintf("%s[[%s]]", f.name, rString(v.Name))
			switch {
			case v.Date:
				p.f("  %s <- as.POSIXct(%s, tz = \"UTC\", format = \"%%Y-%%m-%%d %%H:%%M:%%S\")\n", col, col)
			case v.Missing && (len(v.Values) == 0 || v.Indicator):
				p.f("  %s[%s %%in%% c(%d, %d)] <- NA  # not asked in this wave, not applicable\n", col, col, notAsked, notApplicable)
			case len(v.Values) > 0 && !v.Indicator:
				var codes, labels []string
				for _, vl := range v.Values {
					codes = append(codes, strconv.Itoa(vl.Code))
					labels = append(labels, rString(vl.Label))
				}
				p.f("  %s <- factor(%s, levels = c(%s), labels = c(%s)%s)\n", col, col, strings.Join(codes, ", "), strings.Join(labels, ", "),
					map[bool]string{true: ", ordered = TRUE", false: ""}[v.Level == ordinal])
			}
			p.f("  attr(%s, \"label\") <- %s\n", col, rString(v.Label))
		}
	}
	p.f("  list(responses = responses, pairs = pairs)\n}\n\n")
	p.f("d <- read_exchangeeval()\n\n")
	p.f("# Each goal's paired test on its criterion, as the report computes it: later score minus earlier, over those with both.\n")
	names := map[string]string{}
	for _, v := range pairs.vars {
		names[v.Source] = v.Name
	}
	for _, g := range in.Report.Goals {
		c := g.Criterion
		later, earlier := names["goal/"+g.ID+"/"+c.To], names["goal/"+g.ID+"/"+c.From]
		if later == "" || earlier == "" {
			continue
		}
		report := "the report shows no test (too few pairs)"
		if pr := pairedOf(g, c.From, c.To); pr != nil && pr.T != nil && pr.P != nil && pr.MeanDiff != nil {
			report = fmt.Sprintf("the report: %d pairs, mean change %+.2f, t = %.2f, p = %.4g", pr.N, *pr.MeanDiff, *pr.T, *pr.P)
		}
		p.f("# %s (%s → %s): %s\n", oneLine.Replace(g.Title[in.Instrument.BaseLanguage()]), c.From, c.To, report)
		p.f("both <- complete.cases(d$pairs[[%s]], d$pairs[[%s]])\n", rString(later), rString(earlier))
		p.f("if (sum(both) >= 2) {\n  test <- t.test(d$pairs[[%s]][both], d$pairs[[%s]][both], paired = TRUE)\n", rString(later), rString(earlier))
		p.f("  cat(sprintf(\"goal %s %s->%s: n = %%d, mean change = %%.12g, t = %%.12g, p = %%.12g\\n\", sum(both), unname(test$estimate), unname(test$statistic), test$p.value))\n}\n", g.ID, c.From, c.To)
	}
	p.f("\ninvisible(d)\n")
	return p.err
}

func pairedOf(g analysis.GoalReport, from, to string) *analysis.Paired {
	for _, c := range g.Comparisons {
		if c.From == from && c.To == to && !c.Paired.Suppressed {
			return &c.Paired
		}
	}
	return nil
}

// stataString is a string in Stata syntax: compound quotes, with the
// macro characters ` and $ escaped.
func stataString(s string) string {
	s = strings.NewReplacer("`", "\\`", "$", "\\$").Replace(oneLine.Replace(s))
	return "`\"" + s + "\"'"
}

// writeStata writes a .do that reads a CSV file, labels it and saves a
// .dta beside it.
func writeStata(w io.Writer, title, csvName, dtaName string, t *table) error {
	p := &printer{w: w}
	p.f("* %s\n", oneLine.Replace(title))
	p.f("* Run from this folder in Stata: do %s — reads %s and writes %s.\n", strings.TrimSuffix(csvName, ".csv")+".do", csvName, dtaName)
	var text []string
	for i, v := range t.vars {
		if v.Text || v.Date {
			text = append(text, strconv.Itoa(i+1))
		}
	}
	p.f("import delimited using %q, clear varnames(1) case(preserve) encoding(\"utf-8\") bindquote(strict)", csvName)
	if len(text) > 0 {
		p.f(" stringcols(%s)", strings.Join(text, " "))
	}
	p.f("\n")
	for _, v := range t.vars {
		label, cutShort := cut(v.Label, stataVarLabel)
		if cutShort {
			p.f("* Full label of %s: %s\n", v.Name, stataComment(v.Label))
		}
		p.f("label variable %s %s\n", v.Name, stataString(label))
		if v.Date {
			p.f("generate double %s_t = clock(%s, \"YMDhms\")\nformat %s_t %%tc\ndrop %s\nrename %s_t %s\nlabel variable %s %s\n",
				tmpName(v.Name), v.Name, tmpName(v.Name), v.Name, tmpName(v.Name), v.Name, v.Name, stataString(label))
		}
		if v.Missing {
			var mv []string
			for _, m := range missingCodes(v) {
				mv = append(mv, fmt.Sprintf("%d=%s", m.Code, stataMissing[m.Code]))
			}
			p.f("mvdecode %s, mv(%s)\n", v.Name, strings.Join(mv, " \\ "))
		}
		if len(v.Values) > 0 || v.Missing {
			p.f("label define %s", v.Name)
			for _, vl := range v.Values {
				l, _ := cut(vl.Label, stataValLabel)
				p.f(" %d %s", vl.Code, stataString(l))
			}
			if v.NotAsked {
				p.f(" .a %s", stataString(v.NotAskedLabel))
			}
			if v.Conditional {
				p.f(" .b %s", stataString(v.NotApplicableLabel))
			}
			p.f(", replace\nlabel values %s %s\n", v.Name, v.Name)
		}
	}
	p.f("* Empty cells are missing (.): not answered; .a is a question its wave does not ask, .b one whose condition was false.\n")
	p.f("save %q, replace\n", dtaName)
	return p.err
}

// tmpName is the name of a date's converted copy: Stata names are at
// most 32 characters, and the copy adds two.
func tmpName(name string) string { return truncate(name, 30) }

func stataComment(s string) string { return strings.ReplaceAll(oneLine.Replace(s), "*/", "* /") }

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}
