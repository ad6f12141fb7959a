package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// smallDisk mounts a tmpfs of size bytes for the test (CI runs as root),
// or skips when mounting is unavailable here.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("a tmpfs mount is unavailable here (%v: %s)", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fill writes a file until the disk has no room left, and returns a
// function that removes it.
func fill(t *testing.T, dir string) func() {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	// The last bytes: a write of a page at a time, until none fits.
	for {
		if _, err := f.Write(chunk[:4096]); err != nil {
			break
		}
	}
	f.Close()
	return func() {
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
	}
}

// get answers a GET with its status, Retry-After and body.
func get(t *testing.T, u string) (int, string, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), string(b)
}

// TestAFullDisk: the store's data dir on a small disk, filled while 32
// clients submit. While it is full, submissions answer 503 with
// Retry-After, a delegate's form comes back with their answers, and
// /readyz says "disk full"; the log says so once. When room returns the
// service recovers without a restart. Killed while full, it starts again on
// the full disk, serving pages and refusing writes. Every acknowledged
// answer is kept.
func TestAFullDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("short: the disk test takes half a minute")
	}
	disk := smallDisk(t, "40m")
	dataDir := filepath.Join(disk, "data")
	tokens := seedDataDir(t, dataDir, 40)
	in := loadInstruments(t).Get("csci-social-services")
	srv := startChild(t, "serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--log-level", "warn")
	base := srv.serving(t)

	// Answers flow; then the disk fills under them.
	var acks atomic.Int64
	done := make(chan []acked, 1)
	go func() { done <- submitUntilGone(base, tokens, in, 32, 12*time.Second, &acks) }()
	for deadline := time.Now().Add(time.Minute); acks.Load() < 50 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	free := fill(t, disk)
	all := <-done
	if len(all) < 50 {
		t.Fatalf("only %d submissions acknowledged", len(all))
	}

	// Full: the JSON API, the form and readiness say so.
	full := func() {
		t.Helper()
		var status int
		var retry, body string
		for range 400 { // until a write meets the full disk
			b, _ := json.Marshal(map[string]any{"answers": fullAnswers(in, 7)})
			resp, err := http.Post(base+"/api/v1/responses/"+tokens[0], "application/json", bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			status, retry, body = resp.StatusCode, resp.Header.Get("Retry-After"), string(raw)
			if status != http.StatusOK {
				break
			}
		}
		if status != http.StatusServiceUnavailable || retry == "" || !strings.Contains(body, "cannot store anything at the moment") {
			t.Fatalf("a submission on the full disk: %d, Retry-After %q: %s", status, retry, body)
		}
		if status, retry, body := get(t, base+"/readyz"); status != http.StatusServiceUnavailable || retry == "" || !strings.Contains(body, "disk full") {
			t.Errorf("readyz on the full disk: %d %q %s", status, retry, body)
		}
		form := url.Values{"wave": {"pre"}, "lang": {"en"}}
		for id, v := range fullAnswers(in, 3) {
			switch v := v.(type) {
			case []string:
				form[id] = v
			case []any:
				for _, e := range v {
					form.Add(id, fmt.Sprint(e))
				}
			default:
				form.Set(id, fmt.Sprint(v))
			}
		}
		form.Set("expectations", "Kept through a full disk")
		resp, err := http.PostForm(base+"/s/"+tokens[1], form)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(page), "Kept through a full disk") {
			t.Errorf("the delegate's form on the full disk: %d, answers kept: %v", resp.StatusCode, strings.Contains(string(page), "Kept through a full disk"))
		}
		if status, _, _ := get(t, base+"/s/"+tokens[2]); status != http.StatusOK {
			t.Errorf("a questionnaire page on the full disk: %d", status)
		}
	}
	full()
	if n := strings.Count(srv.stderr.String(), "disk full: the store cannot write"); n != 1 {
		t.Errorf("the log says disk full %d times, want once:\n%s", n, srv.stderr)
	}

	// Room again: ready again, without a restart, and answers are taken.
	free()
	recovered := false
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && !recovered; time.Sleep(100 * time.Millisecond) {
		status, _, _ := get(t, base+"/readyz")
		recovered = status == http.StatusOK
	}
	if !recovered {
		t.Fatalf("not ready again after room returned:\n%s", srv.stderr)
	}
	b, _ := json.Marshal(map[string]any{"answers": fullAnswers(in, 11)})
	if resp, err := http.Post(base+"/api/v1/responses/"+tokens[0], "application/json", bytes.NewReader(b)); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("a submission once room returned: %v %v", err, resp)
	}

	// Full again, killed, and started on the full disk: read-only.
	free = fill(t, disk)
	srv.kill(t)
	srv = startChild(t, "serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--log-level", "warn")
	base = srv.serving(t)
	full()
	free()
	srv.kill(t)
	n := checkAcknowledged(t, dataDir, tokens, all)
	t.Logf("%d acknowledged submissions before and while the disk filled, all stored; %d responses", len(all), n)
}
