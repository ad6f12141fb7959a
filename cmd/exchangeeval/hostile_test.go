package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/csci/exchangeeval/internal/demo"
)

// The hostile inputs of a security review, made here: each is refused with
// a message naming what is wrong, by the command line and by the upload
// routes of a running service, at a peak memory under memoryBound measured
// from the process itself, and the service is healthy afterwards.
const memoryBound = 256 // MiB

// hostileFile is a file to refuse, and what the refusal must say.
type hostileFile struct {
	name, file, want string
}

// participantsWorkbook is a participants workbook whose sheet and shared
// strings are written by the given functions, as no spreadsheet program
// would write them (a cell in column XFD on every row, a bomb).
func participantsWorkbook(t *testing.T, sheetRows func(w io.Writer), sharedStrings func(w io.Writer)) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, h := range []string{"name", "email", "city", "role", "language", "side"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellStr("Sheet1", cell, h)
	}
	var base bytes.Buffer
	if err := f.Write(&base); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(base.Bytes()), int64(base.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestCompression) })
	for _, part := range zr.File {
		w, err := zw.Create(part.Name)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case part.Name == "xl/worksheets/sheet1.xml" && sheetRows != nil:
			bw := bufio.NewWriter(w)
			io.WriteString(bw, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
			io.WriteString(bw, `<row r="1">`)
			for i, h := range []string{"name", "email", "city", "role", "language", "side"} {
				fmt.Fprintf(bw, `<c r="%c1" t="inlineStr"><is><t>%s</t></is></c>`, 'A'+i, h)
			}
			io.WriteString(bw, `</row>`)
			sheetRows(bw)
			io.WriteString(bw, `</sheetData></worksheet>`)
			bw.Flush()
		case part.Name == "xl/sharedStrings.xml" && sharedStrings != nil:
			bw := bufio.NewWriter(w)
			sharedStrings(bw)
			bw.Flush()
		default:
			rc, _ := part.Open()
			io.Copy(w, rc)
			rc.Close()
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// hostileTables are participants files that took the service down.
func hostileTables(t *testing.T) []hostileFile {
	dir := t.TempDir()
	write := func(name string, data []byte) string { return writeIn(t, dir, name, data) }
	writeWith := func(name string, fill func(w *bufio.Writer)) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		bw := bufio.NewWriter(f)
		fill(bw)
		if err := bw.Flush(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		return p
	}
	return []hostileFile{
		{"text in column XFD on 50 000 rows", write("wide.xlsx", participantsWorkbook(t, func(w io.Writer) {
			for r := 2; r <= 50_001; r++ {
				fmt.Fprintf(w, `<row r="%d"><c r="XFD%d" t="inlineStr"><is><t>x</t></is></c></row>`, r, r)
			}
		}, nil)), "has text beyond the 256 columns"},
		{"empty cells in column XFD on 50 000 rows", write("padded.xlsx", participantsWorkbook(t, func(w io.Writer) {
			for r := 2; r <= 50_001; r++ {
				fmt.Fprintf(w, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c><c r="XFD%d"/></row>`, r, r, r)
			}
		}, nil)), "more problem"},
		{"a shared-strings bomb", write("strings.xlsx", participantsWorkbook(t, nil, func(w io.Writer) {
			const n = 3_000_000
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, n, n)
			for range n {
				io.WriteString(w, `<si><t>a</t></si>`)
			}
			io.WriteString(w, `</sst>`)
		})), "unpacks to more than"},
		{"a white-space bomb", write("spaces.xlsx", participantsWorkbook(t, func(w io.Writer) {
			spaces := bytes.Repeat([]byte(" "), 1<<20)
			for range 300 {
				w.Write(spaces)
			}
		}, nil)), "unpacks to more than 256 MiB"},
		{"a header of 7.9 million columns", writeWith("header.csv", func(w *bufio.Writer) {
			for range 7_900_000 {
				w.WriteString("a,")
			}
			w.WriteString("\nAnna,anna@example.org\n")
		}), "line 1: a row longer than 1 MiB"},
		{"one line of 26 million fields", writeWith("line.csv", func(w *bufio.Writer) {
			w.WriteString("name,email,city,role,language,side\n")
			for range 26_000_000 {
				w.WriteString("b,")
			}
		}), "line 2: a row longer than 1 MiB"},
	}
}

// hostileDefinitions are instrument files that crashed the process or
// held it for minutes.
func hostileDefinitions(t *testing.T) []hostileFile {
	dir := t.TempDir()
	write := func(name string, data []byte) string { return writeIn(t, dir, name, data) }
	src, err := os.ReadFile("../../surveys/csci-social-services.yaml")
	if err != nil {
		t.Fatal(err)
	}
	deep := strings.Replace(string(src), "        relevant: ${immersion_done} = 'yes'\n",
		"        relevant: "+strings.Repeat("(", 440_000)+"true()"+strings.Repeat(")", 440_000)+"\n", 1)
	if deep == string(src) {
		t.Fatal("the shipped instrument has no condition to deepen")
	}
	form := excelize.NewFile()
	form.SetSheetName("Sheet1", "survey")
	for i, h := range []string{"type", "name", "label"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		form.SetCellStr("survey", cell, h)
	}
	for r := 2; r <= 1001; r++ {
		form.SetCellStr("survey", fmt.Sprintf("A%d", r), "text")
		form.SetCellStr("survey", fmt.Sprintf("B%d", r), fmt.Sprintf("q%d", r))
		form.SetCellStr("survey", fmt.Sprintf("XFD%d", r), "x")
	}
	var formData bytes.Buffer
	if err := form.Write(&formData); err != nil {
		t.Fatal(err)
	}
	return []hostileFile{
		{"a condition nested 440 000 deep", write("deep.yaml", []byte(deep)), "at most 4000"},
		{"80 KB of nested brackets", write("brackets.yaml", []byte("id: x\nversion: 1\ntitle: "+strings.Repeat("[", 80_000)+"\n")), "nests more than 40 levels deep"},
		{"an empty list item", write("empty.yaml", []byte("id: x\nversion: 1\nlanguages: [en]\ntitle: {en: X}\nwaves:\n  -\nsections: []\n")), "an empty item in waves"},
		{"an XLSForm with text in column XFD on 1 000 rows", write("form.xlsx", formData.Bytes()), "beyond the 256 columns a form may have"},
	}
}

// writeIn writes a file into dir and returns its path.
func writeIn(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// peakOf reads the peak a child printed as it ended.
func peakOf(t *testing.T, stderr string) float64 {
	t.Helper()
	m := regexp.MustCompile(`peak-rss-mib: ([0-9.]+)`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("the child did not say its peak memory:\n%s", stderr)
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// runChild runs exchangeeval in a process of its own to its end.
func runChild(t *testing.T, env []string, args ...string) (exit int, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), childEnv+"="+strings.Join(args, "\x1f"), "MONGODB_URI=", peakEnv+"=1"), env...)
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &errb, &errb // what the user reads, both
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), errb.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, errb.String()
}

// TestHostileFilesAtTheCommandLine: each hostile file is refused by the
// command that reads it, with the reason, under the memory bound.
func TestHostileFilesAtTheCommandLine(t *testing.T) {
	if testing.Short() {
		t.Skip("short: the hostile files take a minute to make and refuse")
	}
	if raceDetector {
		t.Skip("memory bounds are unavailable under the race detector, which multiplies memory: .ci/run runs this test without -race")
	}
	dataDir := t.TempDir()
	c := &cli{t: t, env: map[string]string{}, dataDir: dataDir}
	c.mustRun("exchange", "create", "--id", "x1", "--instrument", "csci-social-services", "--name", "X", "--host-city", "Chicago",
		"--visiting-city", "Paris", "--start", "2027-04-11", "--end", "2027-04-17")
	for _, h := range hostileTables(t) {
		start := time.Now()
		exit, stderr := runChild(t, nil, "participants", "import", "--exchange", "x1", "--data-dir", dataDir, h.file)
		peak := peakOf(t, stderr)
		t.Logf("%s: exit %d in %v, peak %.0f MiB", h.name, exit, time.Since(start).Round(time.Millisecond), peak)
		if exit != 2 || !strings.Contains(stderr, h.want) {
			t.Errorf("%s: exit %d, want 2 saying %q:\n%.500s", h.name, exit, h.want, stderr)
		}
		if peak > memoryBound {
			t.Errorf("%s: peak %.0f MiB, over %d", h.name, peak, memoryBound)
		}
	}
	for _, h := range hostileDefinitions(t) {
		for _, args := range [][]string{{"validate", h.file}, {"instruments", "import", "--data-dir", dataDir, h.file}} {
			start := time.Now()
			exit, stderr := runChild(t, nil, args...)
			peak := peakOf(t, stderr)
			t.Logf("%s (%s): exit %d in %v, peak %.0f MiB", h.name, args[0], exit, time.Since(start).Round(time.Millisecond), peak)
			if exit != 2 || !strings.Contains(stderr, h.want) || strings.Contains(stderr, "goroutine ") {
				t.Errorf("%s (%s): exit %d, want 2 saying %q:\n%.500s", h.name, args[0], exit, h.want, stderr)
			}
			if peak > memoryBound {
				t.Errorf("%s (%s): peak %.0f MiB, over %d", h.name, args[0], peak, memoryBound)
			}
		}
	}
}

// TestHostileUploads: the same files sent to a running service through the
// admin's upload forms are refused with the reason; the service's peak
// memory, read from its process, stays under the bound; and it is healthy
// afterwards.
func TestHostileUploads(t *testing.T) {
	if testing.Short() {
		t.Skip("short: the hostile files take a minute to make and refuse")
	}
	if raceDetector {
		t.Skip("memory bounds are unavailable under the race detector, which multiplies memory: .ci/run runs this test without -race")
	}
	srv := startChild(t, "serve", "--addr", "127.0.0.1:0", "--demo", "--data-dir", t.TempDir())
	base := srv.serving(t)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	csrf := func(path string) string {
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindSubmatch(body)
		if m == nil {
			t.Fatalf("no CSRF token on %s", path)
		}
		return html.UnescapeString(string(m[1]))
	}
	var admin demo.Account
	for _, a := range demo.Accounts {
		if a.Role == "admin" {
			admin = a
		}
	}
	resp, err := c.PostForm(base+"/login", url.Values{"csrf_token": {csrf("/login")}, "email": {admin.Email}, "password": {admin.Password}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %v %v", err, resp)
	}
	resp.Body.Close()
	upload := func(page, action, path string) (int, string) {
		token := csrf(page)
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf_token", token)
		fw, _ := mw.CreateFormFile("file", filepath.Base(path))
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, base+action, &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Referer", base+page)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, html.UnescapeString(string(b))
	}
	admin_ := "/admin/exchanges/" + demo.UpcomingID
	files := hostileTables(t)
	for _, h := range files {
		info, _ := os.Stat(h.file)
		status, page := upload(admin_, admin_+"/participants", h.file)
		switch {
		case info.Size() > 16<<20:
			if status != http.StatusRequestEntityTooLarge {
				t.Errorf("%s (%d MiB): %d, want 413", h.name, info.Size()>>20, status)
			}
		case status != http.StatusBadRequest || !strings.Contains(page, h.want):
			t.Errorf("%s: %d, want 400 saying %q", h.name, status, h.want)
		}
	}
	for _, h := range hostileDefinitions(t) {
		status, page := upload("/admin/instruments", "/admin/instruments", h.file)
		if status >= 500 || !strings.Contains(page, h.want) {
			t.Errorf("%s: %d, want a refusal saying %q", h.name, status, h.want)
		}
	}
	peak := processPeak(t, srv.cmd.Process.Pid)
	t.Logf("the service's peak after %d hostile uploads: %.0f MiB", len(files)+4, peak)
	if peak > memoryBound {
		t.Errorf("the service's peak: %.0f MiB, over %d", peak, memoryBound)
	}
	for _, path := range []string{"/readyz", "/s/not-a-token"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatalf("%s after the uploads: %v", path, err)
		}
		resp.Body.Close()
		if want := map[string]int{"/readyz": 200, "/s/not-a-token": 404}[path]; resp.StatusCode != want {
			t.Errorf("%s after the uploads: %d", path, resp.StatusCode)
		}
	}
	if entries, _ := filepath.Glob(filepath.Join(os.TempDir(), "excelize-*")); len(entries) > 0 {
		t.Logf("temporary files left by excelize: %v", entries)
	}
}

// processPeak reads a running process's peak resident memory, in MiB.
func processPeak(t *testing.T, pid int) float64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no VmHWM in /proc/%d/status", pid)
	}
	kb, _ := strconv.Atoi(string(m[1]))
	return float64(kb) / 1024
}
