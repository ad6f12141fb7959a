package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mailing"
	"github.com/csci/exchangeeval/internal/smtpsend"
	"github.com/csci/exchangeeval/internal/staff"
)

// mailFlags are the e-mail settings, from the environment or flags.
type mailFlags struct {
	url, from string
	rate      float64
	rateErr   error
}

func (m *mailFlags) bind(fs *flagSet, getenv func(string) string) {
	fs.StringVar(&m.url, "smtp-url", getenv("EXCHANGEEVAL_SMTP_URL"), "SMTP server: smtp://user:pass@host:587 (STARTTLS), smtps://… (TLS), smtp://host:25?tls=none (env EXCHANGEEVAL_SMTP_URL)")
	fs.StringVar(&m.from, "mail-from", getenv("EXCHANGEEVAL_MAIL_FROM"), "sender of invitations, e.g. \"Evaluation <eval@example.org>\" (env EXCHANGEEVAL_MAIL_FROM)")
}

func (m *mailFlags) bindRate(fs *flagSet, getenv func(string) string) {
	rate := float64(mailing.DefaultRate)
	if v := getenv("EXCHANGEEVAL_MAIL_RATE"); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil {
			m.rateErr = fmt.Errorf("EXCHANGEEVAL_MAIL_RATE=%q is not a number of messages per second", v)
		}
		rate = r
	}
	fs.Float64Var(&m.rate, "rate", rate, "messages per second at most; 0 for no limit (env EXCHANGEEVAL_MAIL_RATE)")
}

// checkRate says what is wrong with the rate given, if anything.
func (m *mailFlags) checkRate() error {
	switch {
	case m.rateErr != nil:
		return errUsage(m.rateErr.Error())
	case m.rate < 0:
		return errUsage("--rate must be 0 (no limit) or more")
	}
	return nil
}

// settings reads the SMTP settings; without them, nothing may be queued.
func (m *mailFlags) settings() (*mailing.Settings, error) {
	if m.url == "" {
		return nil, mailing.ErrNotConfigured
	}
	return mailing.ParseSettings(m.url, m.from)
}

func runInvite(ctx context.Context, env *environment, args []string) error {
	return runQueue(ctx, env, args, mailing.Invitation)
}

func runRemind(ctx context.Context, env *environment, args []string) error {
	return runQueue(ctx, env, args, mailing.Reminder)
}

// runQueue is invite and remind: write each participant's message and put
// it in the outbox, or with --dry-run say who would get what.
func runQueue(ctx context.Context, env *environment, args []string, kind string) error {
	var (
		cfg                    config
		mf                     mailFlags
		exchangeID, wave, base string
		dryRun, allowLocal     bool
	)
	verb := map[string]string{mailing.Invitation: "invite", mailing.Reminder: "remind"}[kind]
	usage := verb + " --exchange ID --wave WAVE [--dry-run]"
	fs := newFlagSet(env, verb, usage)
	cfg.bind(fs, env.getenv)
	mf.bind(fs, env.getenv)
	fs.StringVar(&exchangeID, "exchange", "", "exchange id")
	fs.StringVar(&wave, "wave", "", "the wave: pre, post, follow-up")
	fs.BoolVar(&dryRun, "dry-run", false, "say who would get which message, in which language; queue nothing")
	fs.StringVar(&base, "base-url", env.getenv("EXCHANGEEVAL_BASE_URL"), "public address of the service, for the links (env EXCHANGEEVAL_BASE_URL; default: the one serve was given)")
	fs.BoolVar(&allowLocal, "allow-localhost", false, "queue links to localhost (for a trial on this machine)")
	if err := noPositional(fs, args); err != nil {
		return err
	}
	if exchangeID == "" || wave == "" {
		return errUsage("usage: exchangeeval " + usage)
	}
	sess, r, err := mailRequest(ctx, env, &cfg, mf, verb, exchangeID, wave, base, allowLocal, dryRun)
	if err != nil {
		return err
	}
	defer sess.Close()
	r.Kind = kind
	x := r.Exchange
	out, err := mailing.Queue(ctx, sess.store, r, dryRun, time.Now())
	if err != nil {
		return err
	}
	for _, s := range out.Skipped {
		fmt.Fprintf(env.stderr, "skipped %s: %s\n", s.PID, s.Reason)
	}
	if dryRun {
		tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PID\tLANGUAGE\tTO\tSUBJECT")
		for _, m := range out.Planned {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.Participant, m.Language, m.To, m.Subject)
		}
		tw.Flush()
		fmt.Fprintf(env.stderr, "dry run: %d message(s) would be queued, %d participant(s) skipped; nothing was queued\n", len(out.Planned), len(out.Skipped))
		return nil
	}
	what := map[string]string{mailing.Invitation: "invitation", mailing.Reminder: "reminder"}[kind]
	sess.store.Audit(ctx, staff.Event{At: time.Now(), Actor: "cli", Action: staff.AuditAdminister, Exchange: x.ID,
		Detail: fmt.Sprintf("%ss to wave %s: %d queued, %d already had one, %d skipped", what, wave, len(out.Queued), out.Already, len(out.Skipped)),
		Note:   "mail-" + kind, Args: []string{wave, fmt.Sprint(len(out.Queued)), fmt.Sprint(out.Already), fmt.Sprint(len(out.Skipped))}})
	fmt.Fprintf(env.stdout, "queued %d %s(s) for wave %s of %s; %d participant(s) already had one; %d skipped\n", len(out.Queued), what, wave, x.ID, out.Already, len(out.Skipped))
	if len(out.Queued) > 0 {
		fmt.Fprintln(env.stderr, "a running exchangeeval serve sends them; without one, run: exchangeeval mail send")
	}
	return nil
}

func runMail(ctx context.Context, env *environment, args []string) error {
	return runGroup(ctx, env, "mail", []subcommand{
		{"list", "mail list --exchange ID [--status queued|sent|failed]", runMailList},
		{"send", "mail send [--rate N]", runMailSend},
		{"retry", "mail retry --exchange ID", runMailRetry},
		{"resend", mailResendSynopsis, runMailResend},
	}, args)
}

// mailRequest is what invite, remind and mail resend share before they
// write: e-mail configured (unless a dry run), the store opened, the
// exchange and its wave found, and the base URL the links take (see
// session.linkBase). The caller closes the session.
func mailRequest(ctx context.Context, env *environment, cfg *config, mf mailFlags, command, exchangeID, wave, base string, allowLocal, dryRun bool) (*session, mailing.Request, error) {
	if !dryRun {
		if _, err := mf.settings(); err != nil {
			return nil, mailing.Request{}, err
		}
	}
	sess, err := cfg.open(ctx, env, command)
	if err != nil {
		return nil, mailing.Request{}, err
	}
	x, in, err := sess.exchange(ctx, exchangeID)
	if err == nil {
		err = exchange.CheckWave(in, wave)
	}
	if err == nil {
		base, err = sess.linkBase(ctx, base, allowLocal)
	}
	if err != nil {
		sess.Close()
		return nil, mailing.Request{}, err
	}
	return sess, mailing.Request{Instrument: in, Exchange: x, Wave: wave, BaseURL: base}, nil
}

const mailResendSynopsis = "mail resend --exchange ID --wave WAVE [--base-url URL] [--dry-run]"

// runMailResend writes a wave's invitations again with links under the
// base URL now known, to everyone who was invited: the mend for
// invitations that went out with a wrong address.
func runMailResend(ctx context.Context, env *environment, args []string) error {
	var (
		cfg                    config
		mf                     mailFlags
		exchangeID, wave, base string
		dryRun, allowLocal     bool
	)
	fs := newFlagSet(env, "mail resend", mailResendSynopsis)
	cfg.bind(fs, env.getenv)
	mf.bind(fs, env.getenv)
	fs.StringVar(&exchangeID, "exchange", "", "exchange id")
	fs.StringVar(&wave, "wave", "", "the wave whose invitations are sent again")
	fs.StringVar(&base, "base-url", env.getenv("EXCHANGEEVAL_BASE_URL"), "public address of the service, for the links (env EXCHANGEEVAL_BASE_URL; default: the one serve was given)")
	fs.BoolVar(&allowLocal, "allow-localhost", false, "queue links to localhost (for a trial on this machine)")
	fs.BoolVar(&dryRun, "dry-run", false, "say who would get the invitation again; queue nothing")
	if err := noPositional(fs, args); err != nil {
		return err
	}
	if exchangeID == "" || wave == "" {
		return errUsage("usage: exchangeeval " + mailResendSynopsis)
	}
	sess, r, err := mailRequest(ctx, env, &cfg, mf, "mail resend", exchangeID, wave, base, allowLocal, dryRun)
	if err != nil {
		return err
	}
	defer sess.Close()
	x, base := r.Exchange, r.BaseURL
	sent, err := sess.store.Mail(ctx, exchangeID)
	if err != nil {
		return err
	}
	out, err := mailing.Resend(ctx, sess.store, sent, r, dryRun, time.Now())
	if err != nil {
		return err
	}
	for _, s := range out.Skipped {
		fmt.Fprintf(env.stderr, "skipped %s: %s\n", s.PID, s.Reason)
	}
	if dryRun {
		fmt.Fprintf(env.stdout, "would send %d invitation(s) to “%s” again, with links under %s\n", len(out.Planned), wave, base)
		return nil
	}
	sess.store.Audit(ctx, staff.Event{At: time.Now(), Actor: "exchangeeval", Action: staff.AuditAdminister, Exchange: x.ID,
		Detail: fmt.Sprintf("invitations of wave %s sent again with links under %s: %d queued", wave, base, len(out.Queued)), Note: "mail-resend",
		Args: []string{wave, base, fmt.Sprint(len(out.Queued))}})
	fmt.Fprintf(env.stdout, "queued %d invitation(s) to “%s” again, with links under %s\n", len(out.Queued), wave, base)
	return nil
}

func runMailList(ctx context.Context, env *environment, args []string) error {
	var (
		cfg                config
		exchangeID, status string
	)
	fs := newFlagSet(env, "mail list", "mail list --exchange ID [--status queued|sent|failed]")
	cfg.bind(fs, env.getenv)
	fs.StringVar(&exchangeID, "exchange", "", "exchange id")
	fs.StringVar(&status, "status", "", "only messages in this state: queued, sent or failed")
	if err := noPositional(fs, args); err != nil {
		return err
	}
	if exchangeID == "" {
		return errUsage("usage: exchangeeval mail list --exchange ID [--status queued|sent|failed]")
	}
	if status != "" && status != mailing.Queued && status != mailing.Sent && status != mailing.Failed {
		return errUsage(fmt.Sprintf("--status %q: use queued, sent or failed", status))
	}
	store, err := cfg.openStore(ctx, "mail list", cfg.quietLogger(env))
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	if _, err := store.Exchange(ctx, exchangeID); err != nil {
		return err
	}
	all, err := store.Mail(ctx, exchangeID)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PID\tWAVE\tKIND\tNO\tLANGUAGE\tTO\tSTATUS\tATTEMPTS\tWHEN\tERROR")
	for _, m := range all {
		if status != "" && m.Status != status {
			continue
		}
		when := m.QueuedAt
		if m.SentAt != nil {
			when = *m.SentAt
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%d\t%s\t%s\n", m.Participant, m.Wave, m.Kind, m.Seq, m.Language, m.To, m.Status, m.Attempts,
			when.Local().Format(time.DateTime), strings.ReplaceAll(m.LastError, "\n", " "))
	}
	return tw.Flush()
}

// runMailSend sends what is queued and due, once, and says what happened.
func runMailSend(ctx context.Context, env *environment, args []string) error {
	var (
		cfg config
		mf  mailFlags
	)
	fs := newFlagSet(env, "mail send", "mail send [--rate N]")
	cfg.bind(fs, env.getenv)
	mf.bind(fs, env.getenv)
	mf.bindRate(fs, env.getenv)
	if err := noPositional(fs, args); err != nil {
		return err
	}
	settings, err := mf.settings()
	if err != nil {
		return err
	}
	if err := mf.checkRate(); err != nil {
		return err
	}
	store, err := cfg.openStore(ctx, "mail send", cfg.quietLogger(env))
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	w := &mailing.Worker{Outbox: store, Sender: smtpsend.New(*settings), Rate: mf.rate, Log: cfg.quietLogger(env)}
	res, err := w.SendDue(ctx)
	fmt.Fprintf(env.stdout, "sent %d; %d to try again later; %d failed (exchangeeval mail list --status failed says why)\n", res.Sent, res.Retried, res.Failed)
	return err
}

func runMailRetry(ctx context.Context, env *environment, args []string) error {
	var (
		cfg        config
		exchangeID string
	)
	fs := newFlagSet(env, "mail retry", "mail retry --exchange ID")
	cfg.bind(fs, env.getenv)
	fs.StringVar(&exchangeID, "exchange", "", "exchange id")
	if err := noPositional(fs, args); err != nil {
		return err
	}
	if exchangeID == "" {
		return errUsage("usage: exchangeeval mail retry --exchange ID")
	}
	store, err := cfg.openStore(ctx, "mail retry", cfg.quietLogger(env))
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	if _, err := store.Exchange(ctx, exchangeID); err != nil {
		return err
	}
	n, err := store.RetryFailedMail(ctx, exchangeID, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "queued %d failed message(s) of %s again\n", n, exchangeID)
	return nil
}
