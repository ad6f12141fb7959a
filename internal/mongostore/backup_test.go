package mongostore

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/csci/exchangeeval"
	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/survey"
)

// loadedForBackup is an embedded store with exchange x1 of n delegates.
func loadedForBackup(t *testing.T, n int) (*Store, Config) {
	t.Helper()
	if os.Getenv("MONGODB_URI") != "" {
		t.Skip("MONGODB_URI is set: these tests back up an embedded store they open themselves")
	}
	cfg := Config{Database: "backup", DataDir: t.TempDir(), Secret: testSecret}
	s, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	createBareExchange(t, s)
	var rows []exchange.ParticipantRow
	for i := range n {
		rows = append(rows, exchange.ParticipantRow{Name: fmt.Sprintf("Delegate %d", i), Email: fmt.Sprintf("d%d@example.org", i), Language: "en", Side: "visiting"})
	}
	if _, err := s.ImportParticipants(context.Background(), "x1", rows, time.Now()); err != nil {
		t.Fatal(err)
	}
	return s, cfg
}

// restored opens a fresh embedded store and restores file into it.
func restored(t *testing.T, file string) *Store {
	t.Helper()
	s, err := Open(context.Background(), Config{Database: "backup", DataDir: t.TempDir(), Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	if _, err := s.Restore(context.Background(), file, false, nil); err != nil {
		t.Fatal(err)
	}
	return s
}

func analysisOf(t *testing.T, s *Store) string {
	t.Helper()
	ins, probs := survey.LoadFS(exchangeeval.Surveys, "surveys", "surveys/")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	in := survey.NewSet(ins...).Get("csci-social-services")
	x, err := s.Exchange(context.Background(), "x1")
	if err != nil {
		t.Fatal(err)
	}
	r, err := analysis.Analyze(context.Background(), s.AnalysisInput(context.Background(), x, in), analysis.Options{GeneratedAt: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(r)
	return string(b)
}

// TestABackupUnderLoadRestoresEveryAcknowledgedSubmission: 32 clients
// submit while a backup is taken; restored into a fresh store, it holds
// every submission acknowledged before the backup began, each response's
// history whole; a backup taken once they stop restores to the same
// analysis as the original's; Python's tarfile reads the archive with
// the manifest's counts and checksums; a damaged archive is refused
// before anything is written.
func TestABackupUnderLoadRestoresEveryAcknowledgedSubmission(t *testing.T) {
	const delegates, clients = 64, 32
	s, _ := loadedForBackup(t, delegates)
	ctx := context.Background()
	var (
		mu        sync.Mutex
		acked     = map[string]int{} // response → newest acknowledged version
		beforeRun map[string]int
		stop      atomic.Bool
		wg        sync.WaitGroup
	)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				pid := fmt.Sprintf("P%04d", (c*7+i)%delegates+1)
				r, err := s.SaveResponse(ctx, &exchange.Response{Exchange: "x1", Participant: pid, Wave: "pre", Instrument: "csci-social-services", InstrumentVersion: 1,
					Language: "en", Answers: survey.Answers{"fund_corporate": i%5 + 1}, Source: exchange.SourceWeb, SubmittedAt: time.Now()})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acked[pid] = max(acked[pid], r.Seq)
				mu.Unlock()
			}
		}()
	}
	// Until a few hundred submissions are acknowledged (a fixed wait found
	// none on a loaded machine under the race detector), for 60 s at most.
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := 0
		for _, v := range acked {
			n += v
		}
		mu.Unlock()
		if n >= 200 {
			break
		}
	}
	mu.Lock()
	beforeRun = map[string]int{}
	for k, v := range acked {
		beforeRun[k] = v
	}
	mu.Unlock()
	file := filepath.Join(t.TempDir(), "during.tar.gz")
	if _, err := s.Backup(ctx, file, "test", nil); err != nil {
		t.Fatal(err)
	}
	stop.Store(true)
	wg.Wait()
	if len(beforeRun) == 0 {
		t.Fatal("nothing was submitted before the backup")
	}

	during := restored(t, file)
	for pid, seq := range beforeRun {
		h, err := during.ResponseHistory(ctx, "x1", pid, "pre")
		if err != nil {
			t.Fatalf("%s: %v", pid, err)
		}
		if len(h.History) < seq || h.History[seq-1].Seq != seq {
			t.Errorf("%s: version %d was acknowledged before the backup; the restored history has %d", pid, seq, len(h.History))
		}
		if cur, err := during.Response(ctx, "x1", pid, "pre"); err != nil || cur.Seq < seq {
			t.Errorf("%s: the restored current answers are version %v, want at least %d (%v)", pid, cur.Seq, seq, err)
		}
	}

	// Quiet now: a backup restores to the same figures.
	quiet := filepath.Join(t.TempDir(), "quiet.tar.gz")
	m, err := s.Backup(ctx, quiet, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	again := restored(t, quiet)
	if a, b := analysisOf(t, s), analysisOf(t, again); a != b {
		t.Errorf("the restored store's analysis differs from the original's")
	}
	// A second reader: Python's tarfile, and the BSON documents' own
	// lengths, against the manifest.
	if _, err := exec.LookPath("python3"); err == nil {
		out, err := exec.Command("python3", "-c", pythonBackupReader, quiet).CombinedOutput()
		if err != nil {
			t.Fatalf("python: %v\n%s", err, out)
		}
		var got map[string][2]any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("python: %v\n%s", err, out)
		}
		for _, c := range m.Collections {
			if g := got[c.Name]; g[0] != float64(c.Documents) || g[1] != c.SHA256 {
				t.Errorf("python reads %s as %v, the manifest says %d %s", c.Name, g, c.Documents, c.SHA256)
			}
		}
		if len(got) != len(m.Collections) {
			t.Errorf("python read %d collections, the manifest lists %d", len(got), len(m.Collections))
		}
	}

	// One byte changed in the middle: refused, nothing written.
	raw, _ := os.ReadFile(quiet)
	raw[len(raw)/2] ^= 0x55
	damaged := filepath.Join(t.TempDir(), "damaged.tar.gz")
	if err := os.WriteFile(damaged, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	empty, err := Open(ctx, Config{Database: "backup", DataDir: t.TempDir(), Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close(ctx)
	if _, err := empty.Restore(ctx, damaged, false, nil); err == nil || !strings.Contains(err.Error(), "is not a whole exchangeeval backup") {
		t.Errorf("a damaged backup: %v", err)
	}
	if xs, _ := empty.Exchanges(ctx); len(xs) != 0 {
		t.Errorf("a damaged backup wrote %d exchanges", len(xs))
	}
	// A store that holds data is not restored into without --drop.
	if _, err := again.Restore(ctx, quiet, false, nil); exchange.ErrorCode(err) != exchange.ECONFLICT {
		t.Errorf("into a store that holds data: %v", err)
	}
	if _, err := again.Restore(ctx, quiet, true, nil); err != nil {
		t.Errorf("with --drop: %v", err)
	}
	if !reflect.DeepEqual(analysisOf(t, again), analysisOf(t, s)) {
		t.Errorf("after --drop, the analysis differs")
	}
}

// pythonBackupReader reads a backup with Python's tarfile and walks each
// collection's BSON documents by their length prefixes: name → [count,
// sha256].
const pythonBackupReader = `
import hashlib, json, struct, sys, tarfile
out = {}
with tarfile.open(sys.argv[1], "r:gz") as t:
    for m in t.getmembers():
        if not m.name.endswith(".bson"):
            continue
        data = t.extractfile(m).read()
        n, i = 0, 0
        while i < len(data):
            size = struct.unpack("<i", data[i:i+4])[0]
            assert data[i+size-1] == 0, "a document does not end with a NUL"
            i += size
            n += 1
        out[m.name.rsplit("/", 1)[1][:-5]] = [n, hashlib.sha256(data).hexdigest()]
print(json.dumps(out))
`

// TestABackupOrRestoreKilledHalfway: a backup killed with SIGKILL leaves
// no file under its name (only NAME.partial); a restore killed halfway is
// run again, without --drop, to the whole backup.
func TestABackupOrRestoreKilledHalfway(t *testing.T) {
	if os.Getenv("EXCHANGEEVAL_BACKUP_HELPER") != "" {
		backupHelper()
		return
	}
	s, _ := loadedForBackup(t, 200)
	ctx := context.Background()
	for i := range 200 {
		if _, err := s.SaveResponse(ctx, &exchange.Response{Exchange: "x1", Participant: fmt.Sprintf("P%04d", i+1), Wave: "pre", Instrument: "csci-social-services",
			InstrumentVersion: 1, Language: "en", Answers: survey.Answers{"fund_corporate": 3}, Source: exchange.SourceWeb, SubmittedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	uri, _ := s.Embedded()
	dir := t.TempDir()
	killed := func(what, arg string) {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestABackupOrRestoreKilledHalfway$")
		cmd.Stderr = os.Stderr
		cmd.Env = append(os.Environ(), "EXCHANGEEVAL_BACKUP_HELPER="+what, "HELPER_ARG="+arg, "HELPER_URI="+uri, "HELPER_DIR="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The helper says where it is by a file; it goes slowly from
		// there, so the kill lands halfway.
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			if _, err := os.Stat(filepath.Join(dir, what+".halfway")); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	file := filepath.Join(dir, "backup.tar.gz")
	killed("backup", file)
	if _, err := os.Stat(file); err == nil {
		t.Fatal("a backup killed halfway left a file under its name")
	}
	if _, err := os.Stat(file + ".partial"); err != nil {
		t.Errorf("the killed backup left no partial file (was it killed halfway?): %v", err)
	}
	if _, err := s.Backup(ctx, file, "test", nil); err != nil {
		t.Fatal(err)
	}

	target := filepath.Join(dir, "target")
	killed("restore", file)
	again, err := Open(ctx, Config{Database: "backup", DataDir: target, Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close(ctx)
	if names, _ := again.db.ListCollectionNames(ctx, map[string]any{}); !containsName(names, restoringColl) {
		t.Errorf("the killed restore left no mark (was it killed halfway?): %v", names)
	}
	if _, err := again.Restore(ctx, file, false, nil); err != nil {
		t.Fatalf("the restore run again: %v", err)
	}
	if a, b := analysisOf(t, again), analysisOf(t, s); a != b {
		t.Errorf("the restore run again gives another analysis")
	}
}

func containsName(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// backupHelper is the process TestABackupOrRestoreKilledHalfway kills.
func backupHelper() {
	ctx := context.Background()
	what, arg, dir := os.Getenv("EXCHANGEEVAL_BACKUP_HELPER"), os.Getenv("HELPER_ARG"), os.Getenv("HELPER_DIR")
	var once sync.Once
	halfway := func(coll string, done, total int) {
		if done >= total/2 {
			once.Do(func() {
				_ = os.WriteFile(filepath.Join(dir, what+".halfway"), nil, 0o600)
				time.Sleep(time.Minute)
			})
		}
	}
	var err error
	switch what {
	case "backup":
		var s *Store
		if s, err = Open(ctx, Config{URI: os.Getenv("HELPER_URI"), Database: "backup", Secret: testSecret}); err == nil {
			_, err = s.Backup(ctx, arg, "helper", halfway)
		}
	case "restore":
		var s *Store
		if s, err = Open(ctx, Config{Database: "backup", DataDir: filepath.Join(dir, "target"), Secret: testSecret}); err == nil {
			_, err = s.Restore(ctx, arg, false, halfway)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// FuzzReadBackup: whatever file is given as a backup, reading it ends
// with the backup or an error naming what is wrong — no panic, and no
// document over MongoDB's 16 MiB limit read into memory.
//
//	go test ./internal/mongostore -run '^$' -fuzz '^FuzzReadBackup$' -fuzztime 1m -fuzzminimizetime 1s
func FuzzReadBackup(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x1f\x8b\x08\x00\x00\x00\x00\x00"))
	if os.Getenv("MONGODB_URI") == "" {
		// A real backup, small, as the seed the fuzzer mutates.
		dir := f.TempDir()
		s, err := Open(context.Background(), Config{Database: "fuzz", DataDir: dir, Secret: testSecret})
		if err != nil {
			f.Fatal(err)
		}
		file := filepath.Join(dir, "seed.tar.gz")
		if _, err := s.Backup(context.Background(), file, "fuzz", nil); err != nil {
			f.Fatal(err)
		}
		_ = s.Close(context.Background())
		raw, _ := os.ReadFile(file)
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		file := filepath.Join(t.TempDir(), "b.tar.gz")
		if err := os.WriteFile(file, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		m, err := readBackup(file, func(string, bson.Raw) error { return nil })
		if (m == nil) == (err == nil) {
			t.Fatalf("backup %v, error %v", m != nil, err)
		}
	})
}

// TestARestoreKeepsLaterErasures: a delegate erased after a backup was
// taken (one identity only, one with answers) stays erased when that
// backup is restored over the store with --drop: the restore applies the
// erasure log it replaces again, and says how many it applied; restored
// again, nothing more.
func TestARestoreKeepsLaterErasures(t *testing.T) {
	s, cfg := loadedForBackup(t, 4)
	ctx := context.Background()
	for i := range 4 {
		if _, err := s.SaveResponse(ctx, submission(fmt.Sprintf("P%04d", i+1), i+1)); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(t.TempDir(), "before.tar.gz")
	if _, err := s.Backup(ctx, file, "test", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EraseParticipant(ctx, "x1", "P0002", false, "dpo@example.org", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EraseParticipant(ctx, "x1", "P0003", true, "dpo@example.org", time.Now()); err != nil {
		t.Fatal(err)
	}
	// As the restore command does: a store opened for the restore alone,
	// with nothing of this one's still being written.
	restore := func() *BackupManifest {
		t.Helper()
		if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
		var err error
		if s, err = Open(ctx, cfg); err != nil {
			t.Fatal(err)
		}
		m, err := s.Restore(ctx, file, true, nil)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	m := restore()
	defer func() { _ = s.Close(ctx) }()
	if m.Reapplied != 2 {
		t.Errorf("erasures applied again: %d, want 2", m.Reapplied)
	}
	ps, _ := s.Participants(ctx, "x1")
	for _, p := range ps {
		erased := p.PID == "P0002" || p.PID == "P0003"
		if erased != (p.Email == "") {
			t.Errorf("%s after the restore: %q", p.PID, p.Email)
		}
	}
	if _, err := s.Response(ctx, "x1", "P0002", "pre"); err != nil {
		t.Errorf("answers of the delegate erased without them: %v", err)
	}
	if _, err := s.Response(ctx, "x1", "P0003", "pre"); exchange.ErrorCode(err) != exchange.ENOTFOUND {
		t.Errorf("answers of the delegate erased with them: %v", err)
	}
	if log, _ := s.Erasures(ctx, "x1"); len(log) != 2 {
		t.Errorf("the erasure log after the restore: %d entries", len(log))
	}
	if m := restore(); m.Reapplied != 2 {
		// The backup holds neither erasure: each restore over the store
		// applies both again.
		t.Errorf("restored again: %d applied again", m.Reapplied)
	}
}
