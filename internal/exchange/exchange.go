// Package exchange holds exchanges (cohorts of delegates), their participants
// and personal links, and the responses delegates give, with the rules that
// govern them. It knows neither the web framework nor the database.
package exchange

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/csci/exchangeeval/internal/survey"
)

// DateLayout is how exchange dates are written on the command line.
const DateLayout = "2006-01-02"

// Exchange is one cohort: a delegation from one city visiting another, asked
// the questionnaires of one instrument in waves that open and close.
type Exchange struct {
	ID   string `bson:"_id" json:"id"`
	Name string `bson:"name" json:"name"`
	// Names are the name's translations by language, for delegates and
	// staff who read another language than the instrument's base one.
	Names      map[string]string `bson:"names,omitempty" json:"names,omitempty"`
	Instrument string            `bson:"instrument" json:"instrument"`
	// InstrumentVersion is the version of the instrument the exchange was
	// created with, and keeps: changing a questionnaire between the pre and
	// post waves would break their comparison. 0 (exchanges created before
	// versions were kept) means the newest version.
	InstrumentVersion int                  `bson:"instrument_version,omitempty" json:"instrument_version,omitempty"`
	HostCity          string               `bson:"host_city" json:"host_city"`
	VisitingCity      string               `bson:"visiting_city" json:"visiting_city"`
	Start             time.Time            `bson:"start" json:"start"`
	End               time.Time            `bson:"end" json:"end"`
	Waves             map[string]WaveState `bson:"waves" json:"waves"`
	CreatedAt         time.Time            `bson:"created_at" json:"created_at"`
	// TimeZone is the host city's IANA time zone ("Europe/Paris"): the
	// times delegates and staff are shown for this exchange are in it.
	// "" (exchanges created before it) is UTC.
	TimeZone string `bson:"time_zone,omitempty" json:"time_zone,omitempty"`
	// RetentionMonths is how long after the last wave closes identifying
	// data is kept (retention.go); 0 is DefaultRetentionMonths.
	RetentionMonths int `bson:"retention_months,omitempty" json:"retention_months,omitempty"`
	// IdentitiesErasedAt is when the retention's erasure ran.
	IdentitiesErasedAt *time.Time `bson:"identities_erased_at,omitempty" json:"identities_erased_at,omitempty"`
}

// Location is the exchange's time zone; UTC when it has none.
func (x *Exchange) Location() *time.Location {
	if x.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(x.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// CheckTimeZone is nil for "" (UTC) and an IANA time zone such as
// "Europe/Paris" or "America/Mexico_City".
func CheckTimeZone(tz string) *FieldProblem {
	if tz == "" {
		return nil
	}
	if _, err := time.LoadLocation(tz); err != nil || strings.HasPrefix(tz, "/") || strings.Contains(tz, "..") {
		return &FieldProblem{Code: ProblemTimeZone, Args: []any{tz}}
	}
	return nil
}

// InstrumentIn returns the version of its instrument the exchange uses,
// from the loaded ones, or nil when that version is not loaded.
func (x *Exchange) InstrumentIn(s *survey.Set) *survey.Instrument {
	return s.Version(x.Instrument, x.InstrumentVersion)
}

// InstrumentMissing is the error for an exchange whose instrument version
// is neither stored nor in a definition file: a fault of the service's
// set-up, which no retry mends — not the database being out of reach.
func InstrumentMissing(x *Exchange) *Error {
	p := FieldProblem{Code: ProblemInstrumentMissing, Args: []any{x.ID, x.InstrumentName()}}
	return &Error{Code: EUNAVAILABLE, Message: p.English(), Coded: &p}
}

// IsInstrumentMissing reports whether err is InstrumentMissing's.
func IsInstrumentMissing(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Coded != nil && e.Coded.Code == ProblemInstrumentMissing
}

// IsStoreFull reports whether err is a write the store refused because its
// disk is full: a 503, like an outage, that ends when there is room.
func IsStoreFull(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Coded != nil && e.Coded.Code == ProblemStoreFull
}

// InstrumentName names the instrument version the exchange uses, for
// messages ("csci-social-services version 2").
func (x *Exchange) InstrumentName() string {
	if x.InstrumentVersion == 0 {
		return x.Instrument
	}
	return fmt.Sprintf("%s version %d", x.Instrument, x.InstrumentVersion)
}

// NameIn is the exchange's name in lang: its translation, else its name.
func (x *Exchange) NameIn(lang string) string {
	if n := x.Names[lang]; n != "" {
		return n
	}
	return x.Name
}

// WaveState says whether a wave is open and when it last opened or closed.
type WaveState struct {
	Open     bool       `bson:"open" json:"open"`
	OpenedAt *time.Time `bson:"opened_at,omitempty" json:"opened_at,omitempty"`
	ClosedAt *time.Time `bson:"closed_at,omitempty" json:"closed_at,omitempty"`
	// Opens is the day the wave is planned to open, told to delegates who
	// have answered the wave before it; the admin opens the wave.
	Opens *time.Time `bson:"opens,omitempty" json:"opens,omitempty"`
	// Closes is the day delegates are asked to answer by, shown on the
	// questionnaire and in messages; the admin closes the wave.
	Closes *time.Time `bson:"closes,omitempty" json:"closes,omitempty"`
	// RemindBefore, when set with Closes, sends one reminder to those who
	// have not answered that long before the closing day; RemindedAt says
	// it was sent.
	RemindBefore time.Duration `bson:"remind_before,omitempty" json:"remind_before,omitempty"`
	RemindedAt   *time.Time    `bson:"reminded_at,omitempty" json:"reminded_at,omitempty"`
}

// RemindAt is when a wave's automatic reminder is due; zero when it has
// none.
func (w WaveState) RemindAt() time.Time {
	if w.Closes == nil || w.RemindBefore <= 0 {
		return time.Time{}
	}
	return w.Closes.Add(-w.RemindBefore)
}

// OpenWaves lists the open waves in the instrument's order.
func (x *Exchange) OpenWaves(in *survey.Instrument) []string {
	var open []string
	for _, w := range in.WaveIDs() {
		if x.Waves[w].Open {
			open = append(open, w)
		}
	}
	return open
}

// CurrentWave is the wave a personal link opens: the requested one when it
// is open; otherwise the earliest open wave the delegate has not answered
// (a delegate who missed pre while post is already open is shown pre, so
// the pair is not lost), or, when every open wave is answered, the latest
// one; "" when no wave is open. answered says whether the delegate has
// answered a wave; nil means nothing is answered.
func (x *Exchange) CurrentWave(in *survey.Instrument, requested string, answered func(wave string) bool) string {
	open := x.OpenWaves(in)
	if requested != "" && slices.Contains(open, requested) {
		return requested
	}
	if len(open) == 0 {
		return ""
	}
	for _, w := range open {
		if answered == nil || !answered(w) {
			return w
		}
	}
	return open[len(open)-1]
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)

// NewExchange is what it takes to create an exchange.
type NewExchange struct {
	ID, Name, Instrument, HostCity, VisitingCity, Start, End string
	// TimeZone is the host city's IANA zone; "" for UTC.
	TimeZone string
	// RetentionMonths, as typed: "" for the default.
	RetentionMonths string
	// Names are the name's translations by language; empty ones are
	// dropped.
	Names map[string]string
}

// Build checks the input against the known instruments and returns the
// exchange, with every problem named by its flag.
func (n NewExchange) Build(instruments *survey.Set, now time.Time) (*Exchange, error) {
	problems := map[string]FieldProblem{}
	if !idPattern.MatchString(n.ID) {
		problems["id"] = FieldProblem{Code: ProblemID}
	}
	if instruments.Get(n.Instrument) == nil {
		problems["instrument"] = FieldProblem{Code: ProblemInstrument, Args: []any{n.Instrument, strings.Join(instruments.IDs(), ", ")}}
	}
	for k, v := range map[string]string{"name": n.Name, "host-city": n.HostCity, "visiting-city": n.VisitingCity} {
		max := MaxLabelLength
		if k == "name" {
			max = MaxNameLength
		}
		if strings.TrimSpace(v) == "" {
			problems[k] = FieldProblem{Code: ProblemRequired}
		} else if p := TextProblem(v, max); p != nil {
			problems[k] = *p
		}
	}
	names := map[string]string{}
	for lang, v := range n.Names {
		v = strings.TrimSpace(v)
		switch in := instruments.Get(n.Instrument); {
		case v == "":
			continue
		case in != nil && !in.HasLanguage(lang):
			problems["name-"+lang] = FieldProblem{Code: ProblemLanguage, Args: []any{lang, strings.Join(in.Languages, ", ")}}
		default:
			if p := TextProblem(v, MaxNameLength); p != nil {
				problems["name-"+lang] = *p
			}
		}
		names[lang] = v
	}
	if len(names) == 0 {
		names = nil
	}
	start, err := time.Parse(DateLayout, n.Start)
	if err != nil {
		problems["start"] = FieldProblem{Code: ProblemDate}
	}
	end, err := time.Parse(DateLayout, n.End)
	if err != nil {
		problems["end"] = FieldProblem{Code: ProblemDate}
	} else if _, bad := problems["start"]; !bad && end.Before(start) {
		problems["end"] = FieldProblem{Code: ProblemEndBeforeStart}
	}
	if p := CheckTimeZone(strings.TrimSpace(n.TimeZone)); p != nil {
		problems["time-zone"] = *p
	}
	retention, p := ParseRetention(n.RetentionMonths)
	if p != nil {
		problems["retention-months"] = *p
	}
	if len(problems) > 0 {
		fields := map[string]string{}
		for k, p := range problems {
			fields[k] = p.English()
		}
		e := invalidFields("exchange not created", fields)
		e.Problems = problems
		return nil, e
	}
	return &Exchange{
		ID: n.ID, Name: strings.TrimSpace(n.Name), Names: names, Instrument: n.Instrument, InstrumentVersion: instruments.Get(n.Instrument).Version,
		HostCity: strings.TrimSpace(n.HostCity), VisitingCity: strings.TrimSpace(n.VisitingCity),
		Start: start, End: end, Waves: map[string]WaveState{}, CreatedAt: now.UTC(), TimeZone: strings.TrimSpace(n.TimeZone),
		RetentionMonths: retention,
	}, nil
}

func invalidFields(msg string, fields map[string]string) *Error {
	e := &Error{Code: EINVALID, Message: msg, Fields: fields}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		flag := "--" + k
		if lang, ok := strings.CutPrefix(k, "name-"); ok {
			flag = "--name-in " + lang // a translation of the name
		}
		e.Details = append(e.Details, fmt.Sprintf("%s: %s", flag, fields[k]))
	}
	return e
}

// CheckWave returns an error unless wave is declared by the instrument.
func CheckWave(in *survey.Instrument, wave string) error {
	if in.Wave(wave) == nil {
		return Errorf(EINVALID, "instrument %s has no wave %q (waves: %s)", in.ID, wave, strings.Join(in.WaveIDs(), ", "))
	}
	return nil
}

// Participant is one delegate or host of an exchange. PID is the pseudonymous
// id used in every analytic output instead of the name; Token is the secret
// in the personal link.
type Participant struct {
	Exchange string `bson:"exchange" json:"exchange"`
	PID      string `bson:"pid" json:"pid"`
	Name     string `bson:"name" json:"-"`
	Email    string `bson:"email" json:"-"`
	City     string `bson:"city" json:"city"`
	Role     string `bson:"role" json:"role"`
	Language string `bson:"language" json:"language"`
	Side     string `bson:"side" json:"side"`
	// Token is never stored as it is: the store keeps it sealed, and
	// finds a link by its hash.
	Token     string    `bson:"-" json:"-"`
	CreatedAt time.Time `bson:"created_at" json:"-"`
}

// LinkHolder is whose a personal link is: all a delegate's request needs to
// know of them.
type LinkHolder struct {
	Exchange string
	PID      string
	Language string
}

// Delegation sides.
const (
	SideHost     = "host"
	SideVisiting = "visiting"
)

// PID formats the n-th pseudonymous id of an exchange: P0001, P0002, …
func PID(n int) string { return fmt.Sprintf("P%04d", n) }

// tokenBytes gives 256 bits of randomness, well above the 128 a guess would
// have to beat.
const tokenBytes = 32

// NewToken returns a random URL-safe token for a personal link.
func NewToken() string {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand never fails on supported platforms; a token that is
		// not random must never be issued.
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

var tokenPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// PlausibleToken reports whether s has the shape of a token, so malformed
// links are turned away without a database look-up.
func PlausibleToken(s string) bool { return tokenPattern.MatchString(s) }

// Response sources.
const (
	SourceWeb    = "web"
	SourceAPI    = "api"
	SourceImport = "import"
	SourceDemo   = "demo"
)

// Response is one participant's answers in one wave. Every submission is
// kept as a numbered Version; the response holds the answers of the newest,
// so resubmitting replaces Answers without losing anything.
type Response struct {
	Exchange          string         `bson:"exchange"`
	Participant       string         `bson:"participant"`
	Wave              string         `bson:"wave"`
	Instrument        string         `bson:"instrument"`
	InstrumentVersion int            `bson:"instrument_version"`
	Language          string         `bson:"language"`
	Answers           survey.Answers `bson:"answers"`
	Source            string         `bson:"source"`
	// Submission is the collector's own id of an imported submission
	// (KoboToolbox's _uuid, ODK's instanceID), kept in the history.
	Submission string `bson:"submission,omitempty"`
	// PrivacyNotice is the version of the privacy notice the delegate was
	// shown with the questionnaire ("" for answers imported from a file).
	PrivacyNotice    string    `bson:"privacy_notice,omitempty"`
	SubmittedAt      time.Time `bson:"submitted_at"`
	FirstSubmittedAt time.Time `bson:"first_submitted_at"`
	// Seq numbers the submission the answers come from: 1 for the first,
	// n for the n-th. Versions are numbered in the order they were stored,
	// and the newest always wins.
	Seq int `bson:"seq"`
	// History lists the stored versions, oldest first, when it was asked
	// for; it is kept in separate, insert-only version records.
	History []Version `bson:"-"`
	// RestoredFrom, on a submission that restores an earlier version,
	// is that version's number; it is recorded in the history only.
	RestoredFrom int `bson:"-"`
}

// Draft is what a delegate has answered in a wave without sending it yet
// ("save and finish later"): kept apart from responses and never analysed,
// replaced by the next draft and dropped once the questionnaire is sent.
type Draft struct {
	Answers  survey.Answers `bson:"answers" json:"answers"`
	Language string         `bson:"language" json:"language"`
	SavedAt  time.Time      `bson:"saved_at" json:"saved_at"`
}

// Version is one submission of a response, as it was sent.
type Version struct {
	Seq      int            `bson:"seq" json:"version"`
	Answers  survey.Answers `bson:"answers" json:"answers"`
	Language string         `bson:"language" json:"language"`
	Source   string         `bson:"source" json:"source"`
	// Submission is the collector's id of the submission it was
	// imported from (uuid:…), so it can be traced back there.
	Submission string `bson:"submission,omitempty" json:"submission,omitempty"`
	// PrivacyNotice is the version of the notice the delegate was shown.
	PrivacyNotice string    `bson:"privacy_notice,omitempty" json:"privacy_notice,omitempty"`
	SubmittedAt   time.Time `bson:"submitted_at" json:"submitted_at"`
	// RestoredFrom is the version this one restored, 0 for none.
	RestoredFrom int `bson:"restored_from,omitempty" json:"restored_from,omitempty"`
}

// Imported reports whether the response came from an import file rather
// than from the delegate's own link.
func (r *Response) Imported() bool { return r.Source == SourceImport }

// ExchangesByVersion lists, for each instrument version (by its Key), the
// exchanges run with it, in the order given.
func ExchangesByVersion(xs []*Exchange, set *survey.Set) map[string][]string {
	uses := map[string][]string{}
	for _, x := range xs {
		if in := x.InstrumentIn(set); in != nil {
			uses[in.Key()] = append(uses[in.Key()], x.ID)
		}
	}
	return uses
}
