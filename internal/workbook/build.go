package workbook

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/coding"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// Source is where a workbook's data comes from: the store.
type Source interface {
	Exchange(ctx context.Context, id string) (*exchange.Exchange, error)
	AnalysisInput(ctx context.Context, x *exchange.Exchange, in *survey.Instrument) analysis.Input
	StreamResponses(ctx context.Context, exchangeID string) iter.Seq2[*exchange.Response, error]
}

// Options tune an export.
type Options struct {
	Labels      string
	MinCell     int
	Version     string
	GeneratedAt time.Time
	// Programme, when set, is the programme of the exchanges exported,
	// made already; the workbook then begins with it.
	Programme *analysis.ProgrammeReport
	// Report, when set, is the analysis of the one exchange exported, made
	// already (the service keeps one while the data is unchanged); it must
	// have been made with MinCell.
	Report *analysis.Report
}

// Build analyses the exchanges (one, or several that share an instrument)
// and returns the export, ready to Write; its data sheets will read the
// store again through fresh cursors.
func Build(ctx context.Context, src Source, instruments *survey.Set, exchangeIDs []string, opts Options) (*Export, error) {
	if len(exchangeIDs) == 0 {
		return nil, exchange.Errorf(exchange.EINVALID, "name at least one exchange")
	}
	var (
		xs       []*exchange.Exchange
		versions []*survey.Instrument
	)
	for _, id := range exchangeIDs {
		x, err := src.Exchange(ctx, id)
		if err != nil {
			return nil, err
		}
		if len(xs) > 0 && x.Instrument != xs[0].Instrument {
			return nil, exchange.Errorf(exchange.EINVALID, "exchanges %s and %s use different instruments (%s, %s); one workbook holds exchanges of one instrument",
				xs[0].ID, x.ID, xs[0].Instrument, x.Instrument)
		}
		v := x.InstrumentIn(instruments)
		if v == nil {
			return nil, exchange.InstrumentMissing(x)
		}
		xs = append(xs, x)
		if !slices.Contains(versions, v) {
			versions = append(versions, v)
		}
	}
	// Exchanges run with different versions of the instrument are analysed
	// together on what the versions have in common.
	in, differences := survey.Compare(versions)
	inputs := make([]analysis.Input, len(xs))
	for i, x := range xs {
		inputs[i] = src.AnalysisInput(ctx, x, in)
	}
	// One exchange is coded with its own codebook once evaluators changed
	// the instrument's; exchanges analysed together, with the instrument's.
	if len(xs) == 1 && inputs[0].Codebook != nil {
		cb, err := inputs[0].Codebook()
		if err != nil {
			return nil, err
		}
		in = coding.Apply(in, cb)
		inputs[0].Instrument = in
	} else {
		for i := range inputs {
			inputs[i].Codebook = nil
		}
	}
	if opts.Labels != "" && !in.HasLanguage(opts.Labels) {
		return nil, exchange.Errorf(exchange.EINVALID, "--labels %s: the instrument's languages are %s", opts.Labels, strings.Join(in.Languages, ", "))
	}
	report := opts.Report
	if report == nil || len(xs) != 1 {
		var err error
		report, err = analysis.Analyze(ctx, analysis.Combine(inputs),
			analysis.Options{MinCell: opts.MinCell, GeneratedAt: opts.GeneratedAt, SoftwareVersion: opts.Version})
		if err != nil {
			return nil, fmt.Errorf("analyse: %w", err)
		}
	}
	return &Export{
		Instrument: in, Differences: differences, Exchanges: xs, Report: report, Programme: opts.Programme, Labels: opts.Labels,
		GeneratedAt: opts.GeneratedAt, Version: opts.Version, Methods: PlainMethodsIn(textLanguage(opts.Labels)),
		Responses: func() iter.Seq2[*exchange.Response, error] {
			return chain(xs, func(id string) iter.Seq2[*exchange.Response, error] { return src.StreamResponses(ctx, id) })
		},
	}, nil
}

func chain[T any](xs []*exchange.Exchange, open func(string) iter.Seq2[T, error]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, x := range xs {
			for v, err := range open(x.ID) {
				if !yield(v, err) {
					return
				}
			}
		}
	}
}

// ProgrammeFileName is a sensible name for a programme's workbook.
func ProgrammeFileName(instrument string, at time.Time) string {
	return fmt.Sprintf("%s-programme-%s.xlsx", instrument, at.UTC().Format("2006-01-02"))
}

// FileName is a sensible name for the workbook of these exchanges.
func FileName(exchangeIDs []string, at time.Time) string {
	return fmt.Sprintf("%s-evaluation-%s.xlsx", strings.Join(exchangeIDs, "+"), at.UTC().Format("2006-01-02"))
}
