package mongostore

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mailing"
)

// testSecret is the secret of the stores these tests open by URI.
var testSecret = bytes.Repeat([]byte{7}, 32)

// TestLinksStoredInTheClearAreSealedByTheUpgrade writes participants and
// messages as the releases before sealing did — the token and the body,
// with its link, in the clear — on the embedded store, restarts it, and
// looks for the tokens in every file of the data dir: after the upgrade
// none holds one, while the links still open, the admin still gets each
// delegate's token, and the messages their text.
func TestLinksStoredInTheClearAreSealedByTheUpgrade(t *testing.T) {
	if os.Getenv("MONGODB_URI") != "" {
		t.Skip("reads the embedded store's files: not used when MONGODB_URI is set")
	}
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	createBareExchange(t, s)
	tokens := []string{exchange.NewToken(), exchange.NewToken(), exchange.NewToken()}
	link := func(tok string) string { return "https://survey.example.org/s/" + tok }
	for i, tok := range tokens {
		pid := exchange.PID(i + 1)
		old := bson.D{{Key: "_id", Value: pid}, {Key: "exchange", Value: "x1"}, {Key: "pid", Value: pid}, {Key: "name", Value: "Delegate " + pid},
			{Key: "email", Value: pid + "@example.org"}, {Key: "language", Value: "fr"}, {Key: "token", Value: tok}}
		if _, err := s.coll("x1", kindParticipants).InsertOne(ctx, old); err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.Collection(collLinks).InsertOne(ctx, linkDoc{ID: linkID(tok), Exchange: "x1", PID: pid, Language: "fr"}); err != nil {
			t.Fatal(err)
		}
		msg := bson.D{{Key: "_id", Value: pid + "/pre/invitation/1"}, {Key: "exchange", Value: "x1"}, {Key: "participant", Value: pid},
			{Key: "wave", Value: "pre"}, {Key: "kind", Value: mailing.Invitation}, {Key: "seq", Value: 1}, {Key: "status", Value: mailing.Queued},
			{Key: "text", Value: "Votre lien : " + link(tok)}, {Key: "html", Value: `<a href="` + link(tok) + `">lien</a>`},
			{Key: "queued_at", Value: time.Now().UTC()}, {Key: "next_attempt_at", Value: time.Now().UTC()}}
		if _, err := s.coll("x1", kindMail).InsertOne(ctx, msg); err != nil {
			t.Fatal(err)
		}
		msg[0].Value = "x1/" + pid + "/pre/invitation/1"
		if _, err := s.db.Collection(collMailQueue).InsertOne(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.reserve(ctx, "pid:x1", len(tokens)); err != nil {
		t.Fatal(err)
	}
	// As a release before sealing left the database.
	if _, err := s.db.Collection(collMeta).DeleteOne(ctx, byID(sealMeta)); err != nil {
		t.Fatal(err)
	}
	if found := filesHolding(t, dir, tokens); len(found) == 0 {
		t.Fatal("the tokens written in the clear are in no file: the test cannot see what it looks for")
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}

	s, err = Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatalf("start after the upgrade: %v", err)
	}
	defer s.Close(ctx)
	if found := filesHolding(t, dir, tokens); len(found) > 0 {
		t.Errorf("after the upgrade, tokens in the clear in: %s", strings.Join(found, ", "))
	}
	ps, err := s.Participants(ctx, "x1")
	if err != nil || len(ps) != len(tokens) {
		t.Fatalf("participants after the upgrade: %d, %v", len(ps), err)
	}
	for i, p := range ps {
		if p.Token != tokens[i] {
			t.Errorf("%s: token %q after the upgrade, want %q", p.PID, p.Token, tokens[i])
		}
		if h, err := s.LinkHolder(ctx, tokens[i]); err != nil || h.PID != p.PID {
			t.Errorf("%s's link after the upgrade: %+v %v", p.PID, h, err)
		}
	}
	ms, err := s.Mail(ctx, "x1")
	if err != nil || len(ms) != len(tokens) {
		t.Fatalf("messages after the upgrade: %d, %v", len(ms), err)
	}
	for i, m := range ms {
		if !strings.Contains(m.Text, link(tokens[i])) || !strings.Contains(m.HTML, link(tokens[i])) {
			t.Errorf("message %s after the upgrade: %q / %q", m.Key(), m.Text, m.HTML)
		}
	}
	due, err := s.DueMail(ctx, time.Now().Add(time.Minute), 10)
	if err != nil || len(due) != len(tokens) || !strings.Contains(due[0].Text, "/s/") {
		t.Errorf("queued messages after the upgrade: %d, %v", len(due), err)
	}

	// What is written now is sealed from the start.
	rows := []exchange.ParticipantRow{{Name: "New", Email: "new@example.org", Language: "en", Side: exchange.SideVisiting}}
	res, err := s.ImportParticipants(ctx, "x1", rows, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	fresh := res.Participants[0].Token
	if _, _, err := s.QueueMail(ctx, "x1", []*mailing.Mail{{Participant: res.Participants[0].PID, Wave: "pre", Kind: mailing.Invitation,
		To: "new@example.org", Text: link(fresh), HTML: link(fresh)}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.sqlite.vacuum(ctx, s.db.Name()); err != nil { // the file, not the log, is what is searched
		t.Fatal(err)
	}
	if found := filesHolding(t, dir, []string{fresh}); len(found) > 0 {
		t.Errorf("a new participant's token in the clear in: %s", strings.Join(found, ", "))
	}
}

// filesHolding lists the files under dir that contain any of the strings.
func filesHolding(t *testing.T, dir string, secrets []string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Type()&fs.ModeSocket != 0 {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, sec := range secrets {
			if bytes.Contains(b, []byte(sec)) {
				found = append(found, filepath.Base(path))
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// TestAnotherSecretIsRefusedAtStart: seals made with one secret cannot be
// opened with another, so a start with another is refused, saying what to
// do, before any request could fail on a link; the data dir's own secret is
// private to its user.
func TestAnotherSecretIsRefusedAtStart(t *testing.T) {
	if os.Getenv("MONGODB_URI") != "" {
		t.Skip("opens the embedded store of a data dir: not used when MONGODB_URI is set")
	}
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close(ctx)
	fi, err := os.Stat(filepath.Join(dir, secretName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the data dir's secret: %v %v", fi, err)
	}
	_, err = Open(ctx, Config{DataDir: dir, Secret: testSecret})
	if err == nil || exchange.ErrorCode(err) != exchange.EINVALID || !strings.Contains(err.Error(), "sealed with another secret") {
		t.Fatalf("a start with another secret: %v", err)
	}
	// Without one, the data dir's own opens them again.
	s, err = Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatalf("a start with the data dir's secret: %v", err)
	}
	_ = s.Close(ctx)
	if err := os.WriteFile(filepath.Join(dir, secretName), []byte("not hex\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, Config{DataDir: dir}); err == nil || !strings.Contains(err.Error(), "changed or damaged") {
		t.Fatalf("a damaged secret file: %v", err)
	}
}

// TestMongoDBWithoutASecretIsRefused: a MongoDB named by URI has no data
// dir to keep a secret in, so the store says what to set before it
// connects.
func TestMongoDBWithoutASecretIsRefused(t *testing.T) {
	_, err := Open(context.Background(), Config{URI: "mongodb://127.0.0.1:1/"})
	if err == nil || !strings.Contains(err.Error(), "EXCHANGEEVAL_SECRET is not set") || !strings.Contains(err.Error(), "openssl rand -hex 32") {
		t.Fatalf("MongoDB without a secret: %v", err)
	}
}
