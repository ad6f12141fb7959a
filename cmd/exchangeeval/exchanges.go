package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
)

func runExchange(ctx context.Context, env *environment, args []string) error {
	return runGroup(ctx, env, "exchange", []subcommand{
		{"create", exchangeCreateSynopsis, runExchangeCreate},
		{"open-wave", "exchange open-wave --exchange ID WAVE [--closes YYYY-MM-DD] [--remind-before 3d]", func(ctx context.Context, env *environment, args []string) error {
			return runSetWave(ctx, env, args, true)
		}},
		{"close-wave", "exchange close-wave --exchange ID WAVE", func(ctx context.Context, env *environment, args []string) error {
			return runSetWave(ctx, env, args, false)
		}},
		{"list", "exchange list", runExchangeList},
	}, args)
}

const exchangeCreateSynopsis = "exchange create --id ID --instrument INSTRUMENT_ID --name NAME [--name-in LANG=NAME ...] --host-city CITY [--time-zone Europe/Paris] --visiting-city CITY --start YYYY-MM-DD --end YYYY-MM-DD"

func runExchangeCreate(ctx context.Context, env *environment, args []string) error {
	var (
		cfg config
		n   exchange.NewExchange
	)
	fs := newFlagSet(env, "exchange create", exchangeCreateSynopsis)
	cfg.bind(fs, env.getenv)
	fs.StringVar(&n.ID, "id", "", "exchange id, e.g. chicago-paris-2014")
	fs.StringVar(&n.Instrument, "instrument", "", "id of the instrument its questionnaires use")
	fs.StringVar(&n.Name, "name", "", "display name, in the instrument's base language")
	var translations listFlag
	fs.Var(&translations, "name-in", `the name in another language of the questionnaire, as LANG=NAME (e.g. fr="Délégation de Chicago à Paris 2027"; repeat for several)`)
	fs.StringVar(&n.HostCity, "host-city", "", "city that hosts the delegation")
	fs.StringVar(&n.TimeZone, "time-zone", "", "the host city's IANA time zone, e.g. Europe/Paris, America/Mexico_City, Asia/Amman: times are shown in it (default UTC)")
	fs.StringVar(&n.VisitingCity, "visiting-city", "", "city the delegation comes from")
	fs.StringVar(&n.Start, "start", "", "first day, YYYY-MM-DD")
	fs.StringVar(&n.End, "end", "", "last day, YYYY-MM-DD")
	fs.StringVar(&n.RetentionMonths, "retention-months", "", "months after the last wave closes that names, e-mails and links are kept, 1 to 120 (default 12)")
	if err := noPositional(fs, args); err != nil {
		return err
	}
	for _, t := range translations {
		lang, name, ok := strings.Cut(t, "=")
		if !ok || lang == "" {
			return errUsage(fmt.Sprintf("--name-in %q: give it as LANG=NAME, e.g. fr=\"Délégation de Chicago à Paris 2027\"", t))
		}
		if n.Names == nil {
			n.Names = map[string]string{}
		}
		n.Names[strings.ToLower(strings.TrimSpace(lang))] = name
	}
	// With the instruments admins uploaded: a new exchange takes the
	// newest version of its instrument, wherever it came from.
	s, err := cfg.open(ctx, env, "exchange create")
	if err != nil {
		return err
	}
	defer s.Close()
	x, err := n.Build(s.instruments, time.Now())
	if err != nil {
		return err
	}
	in := x.InstrumentIn(s.instruments)
	// Kept before the exchange exists: no exchange ever depends on a file
	// a later start may lack.
	if err := s.catalog.Keep(ctx, in, time.Now()); err != nil {
		return err
	}
	if err := s.store.CreateExchange(ctx, x); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "created exchange %s (%s → %s, %s to %s) on instrument %s; waves %s are closed — open one with: exchangeeval exchange open-wave --exchange %s %s\n",
		x.ID, x.VisitingCity, x.HostCity, n.Start, n.End, x.InstrumentName(), strings.Join(in.WaveIDs(), ", "), x.ID, in.WaveIDs()[0])
	return nil
}

func runSetWave(ctx context.Context, env *environment, args []string, open bool) error {
	var (
		cfg                            config
		exchangeID, closes, remindSpec string
	)
	verb := map[bool]string{true: "open-wave", false: "close-wave"}[open]
	synopsis := "exchange " + verb + " --exchange ID WAVE"
	if open {
		synopsis += " [--closes YYYY-MM-DD] [--remind-before 3d]"
	}
	fs := newFlagSet(env, "exchange "+verb, synopsis)
	cfg.bind(fs, env.getenv)
	fs.StringVar(&exchangeID, "exchange", "", "exchange id")
	if open {
		fs.StringVar(&closes, "closes", "", "the day delegates are asked to answer by (YYYY-MM-DD), shown on the questionnaire and in messages")
		fs.StringVar(&remindSpec, "remind-before", "", "send one reminder to those who have not answered this long before --closes: 3d, 36h")
	}
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if exchangeID == "" || len(rest) != 1 {
		return errUsage("usage: exchangeeval " + synopsis)
	}
	wave := rest[0]
	var closesAt *time.Time
	if closes != "" {
		t, err := time.Parse(exchange.DateLayout, closes)
		if err != nil {
			return errUsage(fmt.Sprintf("--closes %q: a date as YYYY-MM-DD", closes))
		}
		if t.Before(time.Now().UTC().Truncate(24 * time.Hour)) {
			return errUsage(fmt.Sprintf("--closes %s is in the past", closes))
		}
		closesAt = &t
	}
	remindBefore, err := parseDays(remindSpec)
	if err != nil {
		return errUsage(fmt.Sprintf("--remind-before %q: %v", remindSpec, err))
	}
	if remindBefore > 0 && closesAt == nil {
		return errUsage("--remind-before needs --closes: the reminder goes that long before the closing day")
	}
	sess, err := cfg.open(ctx, env, "exchange "+verb)
	if err != nil {
		return err
	}
	defer sess.Close()
	store := sess.store
	x, in, err := sess.exchange(ctx, exchangeID)
	if err != nil {
		return err
	}
	if err := exchange.CheckWave(in, wave); err != nil {
		return err
	}
	already := x.Waves[wave].Open == open
	x, err = store.SetWave(ctx, exchangeID, wave, open, time.Now())
	if err != nil {
		return err
	}
	state := map[bool]string{true: "open", false: "closed"}[open]
	if already {
		fmt.Fprintf(env.stdout, "wave %s of %s was already %s\n", wave, x.ID, state)
	} else {
		fmt.Fprintf(env.stdout, "wave %s of %s is now %s\n", wave, x.ID, state)
	}
	if closesAt != nil {
		if x, err = store.SetWaveSchedule(ctx, exchangeID, wave, x.Waves[wave].Opens, closesAt, remindBefore); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "delegates are asked to answer by %s", closesAt.Format(exchange.DateLayout))
		if remindBefore > 0 {
			fmt.Fprintf(env.stdout, "; a reminder goes to those who have not answered on %s", x.Waves[wave].RemindAt().Format(time.DateTime+" MST"))
		}
		fmt.Fprintln(env.stdout)
	}
	fmt.Fprintf(env.stdout, "open waves: %s\n", orNone(x.OpenWaves(in)))
	return nil
}

// parseDays reads a span as days ("3d") or as Go writes durations ("36h").
func parseDays(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var days int
		if _, err := fmt.Sscanf(n, "%d", &days); err != nil || days < 1 || fmt.Sprint(days) != n {
			return 0, fmt.Errorf("a number of days such as 3d, or hours such as 36h")
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("a number of days such as 3d, or hours such as 36h")
	}
	return d, nil
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func runExchangeList(ctx context.Context, env *environment, args []string) error {
	var cfg config
	fs := newFlagSet(env, "exchange list", "exchange list")
	cfg.bind(fs, env.getenv)
	if err := noPositional(fs, args); err != nil {
		return err
	}
	sess, err := cfg.open(ctx, env, "exchange list")
	if err != nil {
		return err
	}
	defer sess.Close()
	store, instruments := sess.store, sess.instruments
	xs, err := store.Exchanges(ctx)
	if err != nil {
		return err
	}
	if len(xs) == 0 {
		fmt.Fprintln(env.stdout, "no exchanges yet — create one with: exchangeeval exchange create --id … (see exchangeeval exchange create -h)")
		return nil
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tVISITING → HOST\tDATES\tINSTRUMENT\tOPEN WAVES\tPARTICIPANTS\tRESPONSES")
	for _, x := range xs {
		open := "?"
		if in := x.InstrumentIn(instruments); in != nil {
			open = orNone(x.OpenWaves(in))
		}
		ps, err := store.Participants(ctx, x.ID)
		if err != nil {
			return err
		}
		counts, err := store.CountResponses(ctx, x.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%s\t%s → %s\t%s – %s\t%s\t%s\t%d\t%s\n", x.ID, x.Name, x.VisitingCity, x.HostCity,
			x.Start.Format(exchange.DateLayout), x.End.Format(exchange.DateLayout), instrumentColumn(x), open, len(ps), countsText(counts))
	}
	return tw.Flush()
}

// instrumentColumn is the instrument and the version the exchange keeps.
func instrumentColumn(x *exchange.Exchange) string {
	if x.InstrumentVersion == 0 {
		return x.Instrument
	}
	return fmt.Sprintf("%s v%d", x.Instrument, x.InstrumentVersion)
}

func countsText(counts map[string]int) string {
	if len(counts) == 0 {
		return "0"
	}
	var parts []string
	for _, w := range []string{"pre", "post", "follow-up"} {
		if n, ok := counts[w]; ok {
			parts = append(parts, fmt.Sprintf("%s %d", w, n))
			delete(counts, w)
		}
	}
	for w, n := range counts {
		parts = append(parts, fmt.Sprintf("%s %d", w, n))
	}
	return strings.Join(parts, ", ")
}
