package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/demo"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mailing"
	"github.com/csci/exchangeeval/internal/metrics"
	"github.com/csci/exchangeeval/internal/mongostore"
	"github.com/csci/exchangeeval/internal/smtpsend"
	"github.com/csci/exchangeeval/internal/staff"
	"github.com/csci/exchangeeval/internal/web"
)

// shutdownGrace is how long in-flight requests may take to finish after a
// stop signal.
const shutdownGrace = 20 * time.Second

func runServe(ctx context.Context, env *environment, args []string) error {
	var (
		cfg          config
		addr         string
		baseURL      string
		seed         bool
		minCell      int
		proxies      string
		metricsToken string
		backupEvery  time.Duration
		backupKeep   int
		backupDir    string
	)
	fs := newFlagSet(env, "serve", "serve [--addr :8080] [--demo] [--base-url URL]")
	cfg.bind(fs, env.getenv)
	fs.StringVar(&addr, "addr", envOr(env.getenv, "EXCHANGEEVAL_ADDR", ":8080"), "address to listen on (env EXCHANGEEVAL_ADDR)")
	fs.StringVar(&baseURL, "base-url", env.getenv("EXCHANGEEVAL_BASE_URL"), "public address of the service, for printed links (env EXCHANGEEVAL_BASE_URL; default from --addr)")
	fs.StringVar(&proxies, "trusted-proxies", env.getenv("EXCHANGEEVAL_TRUSTED_PROXIES"), "addresses or CIDRs of the reverse proxies in front of the service, comma-separated: only theirs is X-Forwarded-For believed (env EXCHANGEEVAL_TRUSTED_PROXIES)")
	fs.StringVar(&metricsToken, "metrics-token", env.getenv("EXCHANGEEVAL_METRICS_TOKEN"), "bearer token /metrics asks for; without it only clients on this machine, not through a proxy, read it (env EXCHANGEEVAL_METRICS_TOKEN)")
	fs.IntVar(&minCell, "min-cell", envInt(env.getenv, "EXCHANGEEVAL_MIN_CELL", analysis.DefaultMinCell), "smallest group any analytic output shows (env EXCHANGEEVAL_MIN_CELL)")
	maxRows := maxRowsFlag(fs, env.getenv)
	var mf mailFlags
	mf.bind(fs, env.getenv)
	mf.bindRate(fs, env.getenv)
	fs.DurationVar(&backupEvery, "backup-every", 0, "take a backup this often, e.g. 24h (0: never); with --backup-dir")
	fs.IntVar(&backupKeep, "backup-keep", 14, "how many of those backups to keep, the newest")
	fs.StringVar(&backupDir, "backup-dir", env.getenv("EXCHANGEEVAL_BACKUP_DIR"), "directory of the backups --backup-every takes (env EXCHANGEEVAL_BACKUP_DIR)")
	fs.BoolVar(&seed, "demo", false, "seed two demo exchanges (idempotent) and print the open questionnaire's links")
	if rest, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return errUsage(fmt.Sprintf("serve takes no arguments, got %q", rest))
	}
	if backupEvery < 0 || backupEvery > 0 && (backupDir == "" || backupKeep < 1) {
		return errUsage("--backup-every takes a positive duration, with --backup-dir DIR and --backup-keep N (at least 1)")
	}
	var mailSettings *mailing.Settings
	if mf.url != "" {
		if err := mf.checkRate(); err != nil {
			return err
		}
		s, err := mf.settings()
		if err != nil {
			return err
		}
		mailSettings = s
	}
	log := cfg.logger(env)
	instruments, err := cfg.instruments()
	if err != nil {
		return err
	}
	store, err := cfg.openStore(ctx, "serve", log)
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	catalog := catalogOf(instruments, store)
	if _, err := catalog.Reload(ctx); err != nil {
		return err
	}
	instruments = catalog.Set()
	for _, in := range instruments.All() {
		for _, note := range languageNotes(in) {
			log.Warn(fmt.Sprintf("instrument %s version %d: %s", in.ID, in.Version, note))
		}
	}
	// A process killed between a write and recording it leaves other
	// service instances' analyses looking current: a new start says the
	// data may have changed.
	if err := store.TouchAll(ctx); err != nil {
		return err
	}
	maintain, stopMaintaining := context.WithCancel(ctx)
	defer stopMaintaining()
	go store.Maintain(maintain)
	if backupEvery > 0 {
		go backUpEvery(maintain, store, backupEvery, backupDir, backupKeep, log)
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return exchange.Errorf(exchange.EUNAVAILABLE, "cannot listen on %s: %v", addr, err)
	}
	defer ln.Close()
	if baseURL == "" {
		baseURL = urlOf(ln.Addr())
	} else if stored, err := store.BaseURL(ctx); err != nil || stored != baseURL {
		// Given: kept, so that the commands that print or mail links use
		// it without being told (a failure costs only that).
		if err := store.SetBaseURL(ctx, baseURL); err != nil {
			log.Warn("could not store the base URL", "err", err)
		}
	}
	if seed {
		res, err := demo.Seed(ctx, store, instruments, time.Now())
		if err != nil {
			return fmt.Errorf("seed demo data: %w", err)
		}
		printDemo(env, baseURL, res)
	}
	keepUsed(ctx, catalog, store, func(msg string, args ...any) { log.Error(fmt.Sprintf(msg, args...)) })
	setupCode, err := firstAdminCode(ctx, store)
	if err != nil {
		return err
	}
	metrics.SetBuild(Version())
	metrics.SetMailQueue(store.MailQueueLength)
	var staffMail web.MailSender
	if mailSettings != nil {
		staffMail = smtpsend.New(*mailSettings)
	}
	handler, err := web.NewServer(store, instruments, exchangeeval.Templates, log, web.Config{SetupCode: setupCode, MetricsToken: metricsToken, StaffMail: staffMail,
		Secret: store.Secret(), Secure: strings.HasPrefix(baseURL, "https://"), BaseURL: baseURL, TrustedProxies: splitList(proxies),
		MinCell: minCell, Version: Version(), MaxImportRows: *maxRows, Mail: mailSettings, Catalog: catalog})
	if err != nil {
		return err
	}
	go keepRetention(maintain, store, catalog, log)
	if mailSettings != nil {
		mailer := &mailing.Service{Store: store, Instruments: catalog, BaseURL: baseURL, Log: log,
			Worker: &mailing.Worker{Outbox: store, Sender: smtpsend.New(*mailSettings), Rate: mf.rate, Log: log},
			Reminded: func(ctx context.Context, x *exchange.Exchange, wave string, out *mailing.Outcome) {
				store.Audit(ctx, staff.Event{At: time.Now(), Actor: "exchangeeval", Action: staff.AuditAdminister, Exchange: x.ID,
					Detail: fmt.Sprintf("automatic reminders of wave %s: %d queued", wave, len(out.Queued)), Note: "mail-reminder",
					Args: []string{wave, fmt.Sprint(len(out.Queued)), fmt.Sprint(out.Already), fmt.Sprint(len(out.Skipped))}})
			}}
		go mailer.Run(maintain)
		log.Info("sending e-mail", "smtp", mailSettings.String(), "rate", mf.rate)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	storeNote := "MongoDB at MONGODB_URI"
	if uri, ok := store.Embedded(); ok {
		storeNote = fmt.Sprintf("embedded store in %s (other commands: MONGODB_URI=%s)", cfg.DataDir, uri)
	}
	log.Info("serving", "url", baseURL, "listen", ln.Addr().String(), "store", storeNote)
	where := baseURL
	if listening := urlOf(ln.Addr()); listening != baseURL {
		// Behind a proxy, or in a container: where it listens too.
		where += " (listening on " + listening + ")"
	}
	fmt.Fprintf(env.stdout, "exchangeeval is serving on %s — %s. Stop with Ctrl-C.\n", where, storeNote)
	if setupCode != "" {
		cli := "exchangeeval"
		if uri, ok := store.Embedded(); ok {
			cli = "MONGODB_URI=" + uri + " exchangeeval"
		}
		fmt.Fprintf(env.stdout, "No admin account yet. Create the first at %s/setup with the code %s (it works until an admin exists),\n"+
			"or from another terminal: %s users add --email you@example.org --role admin --name \"Your Name\"\n", baseURL, setupCode, cli)
	}

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("stopping: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

// splitList reads a comma-separated list, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// secretKey reads EXCHANGEEVAL_SECRET (64 hex digits): it seals the
// personal links in the store and keys the forms' CSRF tokens. Without it
// the embedded store keeps a secret of its own in the data dir; MongoDB
// given by MONGODB_URI needs it.
func secretKey(v string) ([]byte, error) {
	if v == "" {
		return nil, nil
	}
	b, err := hex.DecodeString(v)
	if err != nil || len(b) != 32 {
		return nil, exchange.Errorf(exchange.EINVALID, "EXCHANGEEVAL_SECRET must be 64 hexadecimal digits (32 bytes), e.g. from: openssl rand -hex 32")
	}
	return b, nil
}

// urlOf turns a listening address into a URL a person can open.
func urlOf(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String()
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func printDemo(env *environment, baseURL string, res *demo.Result) {
	w := env.stdout
	fmt.Fprintf(w, "Demo data: %s (completed, waves closed); %s and %s (pre-exchange questionnaire open; the second in Spanish and German).\n",
		demo.CompletedID, demo.UpcomingID, demo.MultilingualID)
	fmt.Fprintf(w, "Seeding created %d exchange(s) and %d response(s) (0 means it was already there).\n", res.ExchangesCreated, res.ResponsesAdded)
	for _, x := range res.Open {
		fmt.Fprintf(w, "Personal links for %s — open one to answer:\n", x.ID)
		for _, p := range x.Participants {
			fmt.Fprintf(w, "  %s  %-8s %-2s  %s\n", p.PID, p.Side, p.Language, exchange.LinkURL(baseURL, p.Token))
		}
	}
	fmt.Fprintf(w, "Staff sign-in at %s/login (demo accounts — demo data only):\n", baseURL)
	for _, a := range demo.Accounts {
		fmt.Fprintf(w, "  %-10s %-28s password %s\n", a.Role, a.Email, a.Password)
	}
	fmt.Fprintln(w, strings.Repeat("-", 20))
}

// firstAdminCode is the one-time code for creating the first admin in the
// browser, while the store has no admin account; "" once it has one.
func firstAdminCode(ctx context.Context, store *mongostore.Store) (string, error) {
	users, err := store.Users(ctx)
	if err != nil || staff.AnyAdmin(users) {
		return "", err
	}
	return staff.NewReadableCode(), nil
}

// backUpEvery takes a backup into dir every interval, keeping the newest
// keep, until ctx ends; a failed one is logged and the next tried.
func backUpEvery(ctx context.Context, store *mongostore.Store, every time.Duration, dir string, keep int, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		start := time.Now()
		if out, err := store.BackupInto(ctx, dir, keep, Version()); err != nil {
			log.Error("backup failed", "dir", dir, "err", err)
		} else {
			log.Info("backup taken", "file", out, "took_ms", time.Since(start).Milliseconds(), "kept", keep)
		}
	}
}
