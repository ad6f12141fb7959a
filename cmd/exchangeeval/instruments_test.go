package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"
)

// An instrument goes out as an XLSForm and YAML and comes back; an edited
// upload is stored as the next version; a second upload of the same thing
// stores nothing; bad files store nothing and say why; an exchange can be
// created on the uploaded version.
func TestInstrumentsCommands(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	form := filepath.Join(dir, "form.xlsx")
	out := c.mustRun("instruments", "export", "--id", "csci-social-services", "--format", "xlsform", "--out", form)
	if !strings.Contains(out, "version 3 as xlsform") {
		t.Errorf("export: %s", out)
	}
	if out := c.mustRun("instruments", "import", form); !strings.Contains(out, "the same as instrument csci-social-services version 3; nothing stored") {
		t.Errorf("re-import of the export: %s", out)
	}
	// One wave's form, to collect it in KoboToolbox or ODK: a form of its
	// own, which validate takes.
	postForm := filepath.Join(dir, "post.xlsx")
	if out := c.mustRun("instruments", "export", "--id", "csci-social-services", "--wave", "post", "--format", "xlsform", "--out", postForm); !strings.Contains(out, "the form of wave post (22 questions), id csci-social-services-post") {
		t.Errorf("export --wave post: %s", out)
	}
	if out := c.mustRun("validate", postForm); !strings.Contains(out, "ok (instrument csci-social-services-post version 3: 1 waves, 0 goals, 6 themes, 22 questions)") {
		t.Errorf("validate the post form: %s", out)
	}

	yamlPath := filepath.Join(dir, "def.yaml")
	c.mustRun("instruments", "export", "--id", "csci-social-services", "--format", "yaml", "--out", yamlPath)
	data, _ := os.ReadFile(yamlPath)
	edited := strings.Replace(string(data), "Six months later", "Six months on", 1)
	if edited == string(data) {
		t.Fatal("test setup: nothing edited")
	}
	if err := os.WriteFile(yamlPath, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	// Two admins upload different edits at once: each gets a version.
	other := filepath.Join(dir, "other.yaml")
	_ = os.WriteFile(other, []byte(strings.Replace(string(data), "Six months later", "Half a year on", 1)), 0o644)
	var wg sync.WaitGroup
	outs := make([]string, 2)
	for i, p := range []string{yamlPath, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], _, _ = c.run("instruments", "import", "--by", "admin@example.org", p)
		}()
	}
	wg.Wait()
	joined := strings.Join(outs, "")
	if !strings.Contains(joined, "version 4") || !strings.Contains(joined, "version 5") {
		t.Errorf("two uploads at once: %q", outs)
	}
	list := c.mustRun("instruments", "list")
	if !strings.Contains(list, "uploaded by admin@example.org") || strings.Count(list, "\ncsci-social-services ") != 5 {
		t.Errorf("list:\n%s", list)
	}
	show := c.mustRun("instruments", "show", "--id", "csci-social-services", "--version", "2", "--lang", "fr")
	if !strings.Contains(show, "relevant: ${immersion_done} = 'yes' — Seulement si vous avez répondu « Oui »") {
		t.Errorf("show:\n%s", show)
	}
	c.mustRun("exchange", "create", "--id", "x-v4", "--instrument", "csci-social-services", "--name", "On the upload",
		"--host-city", "Chicago", "--visiting-city", "Paris", "--start", "2027-03-01", "--end", "2027-03-07")
	if list := c.mustRun("instruments", "list"); !strings.Contains(list, "x-v4") {
		t.Errorf("the exchange on the newest version is not listed with it:\n%s", list)
	}

	// Bad files: each refused with what and where, nothing stored.
	bomb := "id: bomb\nversion: 1\nlanguages: [en]\ntitle: {en: &a [x, x, x, x, x, x, x, x, x, x]}\n"
	for i := 1; i <= 8; i++ {
		bomb += "k" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" + strings.Repeat("*a"+map[bool]string{true: "", false: string(rune('0' + i - 1))}[i == 1]+", ", 9) + "*a" + map[bool]string{true: "", false: string(rune('0' + i - 1))}[i == 1] + "]\n"
	}
	big := make([]byte, 6<<20)
	copy(big, "PK\x03\x04")
	for _, tt := range []struct{ name, content, want string }{
		{"bomb.yaml", bomb, "anchors and aliases"},
		{"big.xlsx", string(big), "is over 5 MB"},
		{"notes.xlsx", "type,name\n", "notes.xlsx: it is not an Excel workbook (.xlsx)"},
		{"notes.yaml", "type,name\n", "notes.yaml:1: this is not an instrument definition"},
		{"dup.yaml", strings.Replace(string(data), "id: fund_volunteers", "id: fund_corporate", 1), "duplicate question id \"fund_corporate\""},
		{"expr.yaml", strings.Replace(string(data), "${immersion_done} = 'yes'", "${immersion_done} = 'yes", 1), "at character"},
	} {
		path := filepath.Join(dir, tt.name)
		_ = os.WriteFile(path, []byte(tt.content), 0o644)
		_, _, err := c.run("instruments", "import", path)
		if err == nil || !strings.Contains(userMessage(err), tt.want) || exitCode(err) != 2 {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	if after := c.mustRun("instruments", "list"); strings.Count(after, "\ncsci-social-services ") != 5 || strings.Contains(after, "bomb") {
		t.Errorf("a bad file stored something:\n%s", after)
	}
}

// validate reads XLSForms as it reads YAML, and so does --surveys.
func TestValidateTakesXLSForms(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "form.xlsx")
	c.mustRun("instruments", "export", "--id", "csci-social-services", "--format", "xlsform", "--out", good)
	if out := c.mustRun("validate", good); !strings.Contains(out, "form.xlsx: ok (instrument csci-social-services version 3") {
		t.Errorf("validate a good form: %s", out)
	}
	f, err := excelize.OpenFile(good)
	if err != nil {
		t.Fatal(err)
	}
	_ = f.InsertRows("survey", 2, 1)
	_ = f.SetSheetRow("survey", "A2", &[]any{"begin_repeat", "visits"})
	bad := filepath.Join(dir, "bad.xlsx")
	if err := f.SaveAs(bad); err != nil {
		t.Fatal(err)
	}
	out, _, err := c.run("validate", bad)
	if exitCode(err) != 2 || !strings.Contains(out, "bad.xlsx: survey!A2: repeat groups are not supported") {
		t.Errorf("validate a bad form: %v\n%s", err, out)
	}
	// A --surveys directory holding only a form.
	only := t.TempDir()
	if err := os.Rename(good, filepath.Join(only, "form.xlsx")); err != nil {
		t.Fatal(err)
	}
	if out := c.mustRun("validate", only); !strings.Contains(out, "ok (instrument csci-social-services version 3") {
		t.Errorf("validate a directory of forms: %s", out)
	}
}
