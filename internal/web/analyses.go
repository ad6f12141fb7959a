package web

import (
	"context"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/metrics"
	"github.com/csci/exchangeeval/internal/survey"
)

// analyses keeps each exchange's latest analysis while its data is
// unchanged: the dashboard, the report API and the workbook all start from
// it, so ten committee members opening a dashboard cost one analysis.
// Whether the data changed is asked of the store (ChangeMark), which works
// across several service instances sharing one database; requests that
// arrive together while an analysis runs wait for that one.
type analyses struct {
	store   Store
	version string
	now     func() time.Time
	max     int

	flight singleflight.Group
	mu     sync.Mutex
	cached map[string]*cachedAnalysis
	order  []string // keys, least recently made first
	runs   int      // analyses made: what the tests count
}

type cachedAnalysis struct {
	mark   string
	report *analysis.Report
}

// maxCachedAnalyses bounds the memory analyses hold: a report keeps each
// participant's scores for the wide table.
const maxCachedAnalyses = 32

func newAnalyses(store Store, version string, now func() time.Time) *analyses {
	return &analyses{store: store, version: version, now: now, max: maxCachedAnalyses, cached: map[string]*cachedAnalysis{}}
}

// get returns the analysis of x at minCell as its data now is. The report
// is shared: callers must not change it.
func (c *analyses) get(ctx context.Context, x *exchange.Exchange, in *survey.Instrument, minCell int) (*analysis.Report, error) {
	mark, err := c.store.ChangeMark(ctx, x.ID)
	if err != nil {
		return nil, err
	}
	// The instrument's hash is in the key: a changed definition is a
	// different analysis even when no answer changed; so are the
	// exchange's details the report carries.
	key := x.ID + "\x00" + strconv.Itoa(minCell) + "\x00" + in.Hash + "\x00" + x.Name + "\x00" + x.HostCity + "\x00" + x.VisitingCity +
		"\x00" + x.Start.String() + "\x00" + x.End.String()
	c.mu.Lock()
	if e, ok := c.cached[key]; ok && e.mark == mark {
		c.mu.Unlock()
		metrics.Analysis(true)
		return e.report, nil
	}
	c.mu.Unlock()
	metrics.Analysis(false)
	v, err, _ := c.flight.Do(key+"\x00"+mark, func() (any, error) {
		// Detached from the first caller: the others waiting for this
		// analysis must not lose it because that one gave up.
		actx := context.WithoutCancel(ctx)
		r, err := analysis.Analyze(actx, c.store.AnalysisInput(actx, x, in),
			analysis.Options{MinCell: minCell, GeneratedAt: c.now(), SoftwareVersion: c.version})
		if err != nil {
			return nil, err
		}
		c.put(key, &cachedAnalysis{mark: mark, report: r})
		return r, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*analysis.Report), nil
}

func (c *analyses) put(key string, e *cachedAnalysis) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.runs++
	if _, ok := c.cached[key]; !ok {
		c.order = append(c.order, key)
	}
	c.cached[key] = e
	for len(c.order) > c.max {
		delete(c.cached, c.order[0])
		c.order = c.order[1:]
	}
}

// made is how many analyses have been made.
func (c *analyses) made() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.runs
}
