package statfiles_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/statfiles"
)

// TestLabelsInTheReadersLanguage: an export asked for in Spanish or
// Arabic labels its own columns and codes in that language — in the
// .sav files PSPP writes, in R's labels and in README.txt — while the
// instrument's words fall back to its own base language, and the
// variable names stay as they are, for scripts.
func TestLabelsInTheReadersLanguage(t *testing.T) {
	for _, tc := range []struct {
		lang   string
		labels []string // in PSPP's DISPLAY LABELS
		readme []string
	}{
		{"es", []string{"Participante (identificador seudónimo)", "Cuestionario", "Idioma de las respuestas", "no preguntada en este cuestionario"},
			[]string{"Archivos\n", "Libro de códigos de responses.csv", "responses.csv — las respuestas, una fila por participante y cuestionario (UTF-8; filas: 48)"}},
		{"ar", []string{"المشارك (رمز مستعار)", "لغة الإجابات", "لم يُطرح في هذا الاستبيان"},
			[]string{"الملفات\n", "دليل الترميز لـ \u2068responses.csv\u2069"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			in := hostileExport(t)
			in.Labels = tc.lang
			dir := filepath.Join(t.TempDir(), "spss")
			if _, err := statfiles.Write(dir, statfiles.SPSS, in); err != nil {
				t.Fatal(err)
			}
			readme := read(t, filepath.Join(dir, "README.txt"))
			for _, want := range tc.readme {
				if !strings.Contains(readme, want) {
					t.Errorf("README.txt lacks %q:\n%.600s", want, readme)
				}
			}
			if strings.Contains(readme, "Codebook of") || strings.Contains(readme, "not asked in this wave") {
				t.Errorf("README.txt keeps English:\n%.600s", readme)
			}
			pspp, err := exec.LookPath("pspp")
			if err != nil {
				t.Skip("pspp not installed: apt-get install pspp to run this check")
			}
			for _, syntax := range []string{"responses.sps", "pairs.sps"} {
				cmd := exec.Command(pspp, "-O", "format=txt", "-O", "width=200", syntax)
				cmd.Dir = dir
				if out, err := cmd.CombinedOutput(); err != nil || strings.Contains(string(out), "error:") || strings.Contains(string(out), "warning:") {
					t.Fatalf("pspp %s: %v\n%s", syntax, err, out)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, "check.sps"), []byte("GET FILE='responses.sav'.\nDISPLAY LABELS.\nFREQUENCIES v9lives.\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(pspp, "-O", "format=txt", "-O", "width=200", "check.sps")
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("pspp: %v\n%s", err, out)
			}
			for _, want := range append(tc.labels, "participant", "v9lives", "Option 'A'") {
				if !strings.Contains(string(out), want) {
					t.Errorf("PSPP's reading lacks %q:\n%.1500s", want, out)
				}
			}
		})
	}
}
