package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/analysis"
	"github.com/csci/exchangeeval/internal/exchange"
	"github.com/csci/exchangeeval/internal/mongostore"
	"github.com/csci/exchangeeval/internal/peakrss"
	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/web/apitest"
)

// The tests here run exchangeeval as its own process — the test binary
// started again with childEnv set, running run() as main does — so that it
// can be killed with SIGKILL halfway through its work.
const childEnv = "EXCHANGEEVAL_TEST_CHILD_ARGS"

// peakEnv asks a child to print its peak resident memory as it ends.
const peakEnv = "EXCHANGEEVAL_TEST_PEAK"

// runChildIfAsked makes this test binary behave as the exchangeeval command
// when started by startChild. It returns only when not asked.
func runChildIfAsked() {
	args := os.Getenv(childEnv)
	if args == "" {
		return
	}
	main2(strings.Split(args, "\x1f"))
}

// main2 is main with its arguments given.
func main2(args []string) {
	ctx, stop := signalContext()
	err := run(ctx, args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	// The child's own high-water mark, for the tests that bound memory: a
	// parent cannot read it once the child has gone, and the rusage it
	// gets back holds the parent's own peak, inherited across exec.
	if os.Getenv(peakEnv) != "" {
		if mb, ok := peakrss.MiB(); ok {
			fmt.Fprintf(os.Stderr, "peak-rss-mib: %.1f\n", mb)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "exchangeeval:", userMessage(err))
		os.Exit(exitCode(err))
	}
	os.Exit(0)
}

// child is exchangeeval running in a process of its own.
type child struct {
	cmd    *exec.Cmd
	stdout *syncBuffer
	stderr *syncBuffer
	done   chan error
}

func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	c := &child{stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan error, 1)}
	c.cmd = exec.Command(os.Args[0], "-test.run=^$")
	c.cmd.Env = append(os.Environ(), childEnv+"="+strings.Join(args, "\x1f"), "MONGODB_URI=")
	c.cmd.Stdout, c.cmd.Stderr = c.stdout, c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.done <- c.cmd.Wait() }()
	t.Cleanup(func() {
		_ = c.cmd.Process.Kill()
		<-c.done
	})
	return c
}

// serving waits until a child serve prints its address and returns it.
func (c *child) serving(t *testing.T) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if out := c.stdout.String(); strings.Contains(out, "is serving on ") {
			rest := out[strings.Index(out, "is serving on ")+len("is serving on "):]
			return strings.Fields(rest)[0]
		}
		select {
		case err := <-c.done:
			t.Fatalf("serve ended: %v\n%s", err, c.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start:\n%s", c.stderr)
	return ""
}

func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-c.done
	c.done <- nil // for the cleanup's wait
}

// seedDataDir makes an exchange with n participants in an embedded store's
// data dir, its pre wave open, and returns their personal tokens.
func seedDataDir(t *testing.T, dataDir string, n int) []string {
	t.Helper()
	c := &cli{t: t, env: map[string]string{}, dataDir: dataDir}
	c.mustRun("exchange", "create", "--id", "load", "--instrument", "csci-social-services", "--name", "Load", "--host-city", "Chicago",
		"--visiting-city", "Paris", "--start", "2027-04-11", "--end", "2027-04-17")
	c.mustRun("exchange", "open-wave", "--exchange", "load", "pre")
	var b strings.Builder
	b.WriteString("name,email,city,role,language,side\n")
	for i := range n {
		fmt.Fprintf(&b, "Delegate %d,d%d@example.org,Paris,practitioner,%s,visiting\n", i, i, []string{"en", "fr"}[i%2])
	}
	out := c.mustRun("participants", "import", "--exchange", "load", writeFile(t, "people.csv", b.String()))
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string
	for _, r := range rows[1:] {
		tokens = append(tokens, r[5][strings.LastIndex(r[5], "/")+1:])
	}
	return tokens
}

// fullAnswers answers every question of the pre wave, varied by k.
func fullAnswers(in *survey.Instrument, k int) map[string]any {
	return analysis.CompleteAnswers(in, "pre", k)
}

// acked is a submission the service said it saved.
type acked struct {
	token   string
	seq     int
	answers map[string]any
}

// submitUntilGone has clients submit to random links until the service stops
// answering, and returns what it acknowledged; acks counts them as they come.
// apiProblems are the responses of submitUntilGone's clients that the
// OpenAPI document does not allow; the test that runs them reports them.
var (
	apiProblemsMu sync.Mutex
	apiProblems   []string
)

func apiProblem(err error) {
	if err != nil {
		apiProblemsMu.Lock()
		apiProblems = append(apiProblems, err.Error())
		apiProblemsMu.Unlock()
	}
}

func submitUntilGone(base string, tokens []string, in *survey.Instrument, clients int, stopAfter time.Duration, acks *atomic.Int64) []acked {
	var (
		mu   sync.Mutex
		done []acked
		wg   sync.WaitGroup
	)
	deadline := time.Now().Add(stopAfter)
	hc := &http.Client{Timeout: 30 * time.Second}
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), 7))
			for k := 0; time.Now().Before(deadline); k++ {
				tok := tokens[rng.IntN(len(tokens))]
				answers := fullAnswers(in, c*1000+k)
				body, _ := json.Marshal(map[string]any{"answers": answers})
				resp, err := hc.Post(base+"/api/v1/responses/"+tok, "application/json", bytes.NewReader(body))
				if err != nil {
					return // the service is gone
				}
				var r struct {
					Versions int `json:"versions"`
				}
				raw, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err == nil {
					apiProblem(apitest.Check(resp.Request, resp.StatusCode, resp.Header, raw))
					err = json.Unmarshal(raw, &r)
				}
				if err != nil || resp.StatusCode != http.StatusOK {
					continue
				}
				mu.Lock()
				done = append(done, acked{token: tok, seq: r.Versions, answers: answers})
				mu.Unlock()
				acks.Add(1)
			}
		}()
	}
	wg.Wait()
	return done
}

// TestKill9DuringLoadLosesNothingAcknowledged starts the service on an
// embedded store five times, has 32 clients submit, and kills it with
// SIGKILL while they do. Every submission it acknowledged must be stored
// with its exact answers under the number it was given, and each
// response's current answers must be its newest version.
func TestKill9DuringLoadLosesNothingAcknowledged(t *testing.T) {
	dataDir := t.TempDir()
	tokens := seedDataDir(t, dataDir, 60)
	in := loadInstruments(t).Get("csci-social-services")
	var all []acked
	for round := range 5 {
		c := startChild(t, "serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--log-level", "warn")
		base := c.serving(t)
		ackc := make(chan []acked, 1)
		var acks atomic.Int64
		go func() { ackc <- submitUntilGone(base, tokens, in, 32, time.Minute, &acks) }()
		// Killed while busy: once answers flow, at a different moment
		// each round.
		for deadline := time.Now().Add(time.Minute); acks.Load() < 20 && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(time.Duration(100+150*round) * time.Millisecond)
		c.kill(t)
		got := <-ackc
		if len(got) == 0 {
			t.Fatalf("round %d: nothing was acknowledged before the kill:\n%s", round, c.stderr)
		}
		all = append(all, got...)
	}
	apiProblemsMu.Lock()
	for _, p := range apiProblems[:min(len(apiProblems), 5)] {
		t.Errorf("%s", p)
	}
	apiProblemsMu.Unlock()
	n := checkAcknowledged(t, dataDir, tokens, all)
	t.Logf("%d acknowledged submissions over 5 kills, all stored; %d responses", len(all), n)
}

// checkAcknowledged opens the embedded store in dataDir and checks that
// every acknowledged submission to exchange "load" is stored with its exact
// answers under the number it was given, and that each response's current
// answers are its newest version. It returns how many responses it read.
func checkAcknowledged(t *testing.T, dataDir string, tokens []string, all []acked) int {
	t.Helper()
	ctx := context.Background()
	s, err := mongostore.Open(ctx, mongostore.Config{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	owner := map[string]string{}
	for _, tok := range tokens {
		p, err := s.ParticipantByToken(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		owner[tok] = p.PID
	}
	current := map[string]*exchange.Response{}
	for r, err := range s.StreamResponses(ctx, "load") {
		if err != nil {
			t.Fatal(err)
		}
		current[r.Participant] = r
	}
	histories := map[string]*exchange.Response{}
	for _, a := range all {
		pid := owner[a.token]
		h := histories[pid]
		if h == nil {
			if h, err = s.ResponseHistory(ctx, "load", pid, "pre"); err != nil {
				t.Fatal(err)
			}
			histories[pid] = h
		}
		var v *exchange.Version
		for i := range h.History {
			if h.History[i].Seq == a.seq {
				v = &h.History[i]
			}
		}
		if v == nil {
			t.Fatalf("%s: acknowledged version %d is missing", pid, a.seq)
		}
		if !sameAnswers(v.Answers, a.answers) {
			t.Fatalf("%s version %d: stored %v, sent %v", pid, a.seq, v.Answers, a.answers)
		}
	}
	for pid, h := range histories {
		newest := h.History[len(h.History)-1]
		cur := current[pid]
		if cur == nil || cur.Seq != newest.Seq || !sameAnswers(cur.Answers, newest.Answers) {
			t.Errorf("%s: current answers are version %d, newest is %d", pid, cur.Seq, newest.Seq)
		}
	}
	return len(histories)
}

// sameAnswers compares stored answers with those sent as JSON.
func sameAnswers(stored survey.Answers, sent map[string]any) bool {
	a, _ := json.Marshal(stored)
	b, _ := json.Marshal(sent)
	var x, y any
	_ = json.Unmarshal(a, &x)
	_ = json.Unmarshal(b, &y)
	return reflect.DeepEqual(x, y)
}

func loadInstruments(t *testing.T) *survey.Set {
	t.Helper()
	var c config
	set, err := c.instruments()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// storeAddress reads the address of the embedded store a running process
// holds, from its lock file.
func storeAddress(t *testing.T, dataDir string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(filepath.Join(dataDir, "exchangeeval.lock"))
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "uri="); ok {
				return v
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no store address in the lock file")
	return ""
}

// TestKill9DuringAnImportLeavesNothingOfIt kills a participants import and a
// responses import with SIGKILL while they write; the next start removes
// what they had written.
func TestKill9DuringAnImportLeavesNothingOfIt(t *testing.T) {
	dataDir := t.TempDir()
	seedDataDir(t, dataDir, 3)
	ctx := context.Background()
	sizes := func() map[string]int {
		s, err := mongostore.Open(ctx, mongostore.Config{DataDir: dataDir})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close(ctx)
		m, err := s.CollectionSizes(ctx, "load")
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	before := sizes()

	// Kill each import once it has written part of its batch: watched
	// through the store's address while it holds the data dir.
	killMidway := func(kind string, file string, args ...string) {
		c := startChild(t, append(args, "--data-dir", dataDir, file)...)
		watcher, err := mongostore.Open(ctx, mongostore.Config{URI: storeAddress(t, dataDir)})
		if err != nil {
			t.Fatal(err)
		}
		defer watcher.Close(ctx)
		deadline := time.Now().Add(2 * time.Minute)
		for {
			m, err := watcher.CollectionSizes(ctx, "load")
			if err == nil && m[kind] > before[kind]+500 {
				break
			}
			select {
			case err := <-c.done:
				c.done <- err
				t.Fatalf("the %s import ended before it was killed: %v\n%s%s", kind, err, c.stdout, c.stderr)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("the %s import wrote nothing", kind)
			}
			time.Sleep(10 * time.Millisecond)
		}
		c.kill(t)
	}
	var b strings.Builder
	b.WriteString("name,email,city,role,language,side\n")
	for i := range 30000 {
		fmt.Fprintf(&b, "Person %d,p%d@example.org,Paris,lawyer,fr,host\n", i, i)
	}
	killMidway("participants", writeFile(t, "many.csv", b.String()), "participants", "import", "--exchange", "load")
	after := sizes()
	if !reflect.DeepEqual(after, before) {
		t.Fatalf("after a killed participants import: %v, before %v", after, before)
	}

	b.Reset()
	b.WriteString("participant,wave,fund_corporate,expectations\n")
	for i := range 3 {
		fmt.Fprintf(&b, "P%04d,pre,%d,paper form\n", i+1, i+2)
	}
	c := &cli{t: t, env: map[string]string{}, dataDir: dataDir}
	c.mustRun("responses", "import", "--exchange", "load", writeFile(t, "few.csv", b.String()))
	// Many rows need many people: one row per person and wave. (The
	// killed import took P0004 to P30003 for good: ids are never reused.)
	var people strings.Builder
	people.WriteString("name,email,city,role,language,side\n")
	for i := range 3000 {
		fmt.Fprintf(&people, "Person %d,q%d@example.org,Paris,lawyer,fr,host\n", i, i)
	}
	c.mustRun("participants", "import", "--exchange", "load", writeFile(t, "more.csv", people.String()))
	before = sizes()
	b.Reset()
	b.WriteString("participant,wave,fund_corporate\n")
	for i := range 3000 {
		for _, w := range []string{"pre", "post", "follow-up"} {
			fmt.Fprintf(&b, "q%d@example.org,%s,%d\n", i, w, 1+i%5)
		}
	}
	killMidway("versions", writeFile(t, "answers.csv", b.String()), "responses", "import", "--exchange", "load")
	after = sizes()
	if !reflect.DeepEqual(after, before) {
		t.Fatalf("after a killed responses import: %v, before %v", after, before)
	}
	out := c.mustRun("analyze", "--exchange", "load", "--json")
	var report struct {
		Participation struct {
			Waves []struct {
				Wave      string `json:"wave"`
				Responded int    `json:"responded"`
			} `json:"waves"`
		} `json:"participation"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatal(err)
	}
	if report.Participation.Waves[0].Responded != 3 || report.Participation.Waves[1].Responded != 0 {
		t.Errorf("the analysis sees %+v", report.Participation.Waves)
	}
}

// TestTheServiceSurvivesAStoreOutage runs the service against a store it
// reaches by address, stops the store, and starts it again: while it is
// down, requests are refused within 3 s with 503 and Retry-After (the
// delegate's form comes back with their answers); once it is back, they
// succeed within 5 s, with the service never restarted.
func TestTheServiceSurvivesAStoreOutage(t *testing.T) {
	dataDir := t.TempDir()
	ctx := context.Background()
	tokens := seedDataDir(t, dataDir, 2)
	store, err := mongostore.Open(ctx, mongostore.Config{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	uri, _ := store.Embedded()
	stdout := &syncBuffer{}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- run(sctx, []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string {
			return map[string]string{"MONGODB_URI": uri, "EXCHANGEEVAL_LOG_LEVEL": "error"}[k]
		}, strings.NewReader(""), stdout, io.Discard)
	}()
	defer func() {
		cancel()
		<-done
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stdout.String(), "is serving on ") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	base := strings.Fields(stdout.String()[strings.Index(stdout.String(), "is serving on ")+len("is serving on "):])[0]
	in := loadInstruments(t).Get("csci-social-services")
	post := func() *http.Response {
		body, _ := json.Marshal(map[string]any{"answers": fullAnswers(in, 1)})
		resp, err := http.Post(base+"/api/v1/responses/"+tokens[0], "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err := apitest.Check(resp.Request, resp.StatusCode, resp.Header, raw); err != nil {
			t.Errorf("%v", err)
		}
		return resp
	}
	if resp := post(); resp.StatusCode != http.StatusOK {
		t.Fatalf("before the outage: %d", resp.StatusCode)
	}
	// The second delegate opens their form before the outage.
	if resp, err := http.Get(base + "/s/" + tokens[1]); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the form: %v %v", err, resp)
	} else {
		resp.Body.Close()
	}
	if err := store.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for _, try := range []struct {
		name string
		do   func() *http.Response
	}{
		{"JSON submission", post},
		{"form submission", func() *http.Response {
			form := url.Values{"wave": {"pre"}, "expectations": {"Mon texte à garder"}}
			for id, v := range fullAnswers(in, 2) {
				switch v := v.(type) {
				case []string:
					form[id] = v
				default:
					if in.Question(id).Type != survey.TypeText {
						form.Set(id, fmt.Sprint(v))
					}
				}
			}
			form.Set("fund_corporate", "4")
			resp, err := http.PostForm(base+"/s/"+tokens[1], form)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusServiceUnavailable &&
				(!strings.Contains(string(body), "Mon texte à garder") || !strings.Contains(string(body), `value="4" checked`) || !strings.Contains(string(body), "pas encore enregistrées")) {
				t.Errorf("the form did not come back with the answers:\n%s", body)
			}
			return resp
		}},
		{"readiness", func() *http.Response {
			resp, err := http.Get(base + "/readyz")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp
		}},
	} {
		start := time.Now()
		resp := try.do()
		took := time.Since(start)
		if resp.StatusCode != http.StatusServiceUnavailable || took > 3*time.Second {
			t.Errorf("%s with the store down: %d after %v", try.name, resp.StatusCode, took)
		}
		if try.name != "readiness" && resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s: no Retry-After", try.name)
		}
	}
	store, err = mongostore.Open(ctx, mongostore.Config{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(ctx)
	if again, _ := store.Embedded(); again != uri {
		t.Fatalf("the store came back at %s, not %s", again, uri)
	}
	back := time.Now()
	for {
		resp := post()
		if resp.StatusCode == http.StatusOK {
			break
		}
		if time.Since(back) > 5*time.Second {
			t.Fatalf("still %d 5 s after the store came back", resp.StatusCode)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("submissions succeed again %v after the store came back", time.Since(back).Round(time.Millisecond))
}
