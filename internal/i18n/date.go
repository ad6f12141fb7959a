package i18n

import (
	"strings"
	"time"

	"github.com/go-playground/locales"
	"github.com/go-playground/locales/ar"
	"github.com/go-playground/locales/de"
	"github.com/go-playground/locales/en_GB"
	"github.com/go-playground/locales/es"
	"github.com/go-playground/locales/fr"
	"github.com/go-playground/locales/pt"
	"github.com/go-playground/locales/zh"
)

// cldr holds CLDR's date and time patterns (through go-playground/locales,
// generated from CLDR) for the shipped languages. English is written the
// British way ("9 May 2027"), as the programme's documents are; a language
// added by a catalogue file alone gets the English patterns until it is
// added here.
var cldr = map[string]locales.Translator{
	"en": en_GB.New(), "fr": fr.New(), "es": es.New(), "de": de.New(), "pt": pt.New(), "ar": ar.New(), "zh": zh.New(),
}

func translator(lang string) locales.Translator {
	if t, ok := cldr[lang]; ok {
		return t
	}
	if base, _, ok := strings.Cut(lang, "-"); ok {
		if t, ok := cldr[base]; ok {
			return t
		}
	}
	return cldr[Source]
}

// Date writes a day as a reader of lang writes it: "9 May 2027",
// "9 mai 2027" ("1er mars" for the first), "9 de mayo de 2027",
// "9. Mai 2027", "2027年5月9日".
func Date(lang string, t time.Time) string {
	if lang == "fr" && t.Day() == 1 {
		// French writes the first of the month as an ordinal; CLDR
		// leaves that to the writer.
		return "1er" + strings.TrimPrefix(translator(lang).FmtDateLong(t), "1")
	}
	return translator(lang).FmtDateLong(t)
}

// Time writes a time of day in lang: "14:30", "2:30 pm", "下午2:30".
func Time(lang string, t time.Time) string {
	return translator(lang).FmtTimeShort(t)
}
