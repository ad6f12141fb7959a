package i18n

import "golang.org/x/text/language"

// rtlScripts are the scripts written right to left that a sister city's
// language may use: Arabic (Arabic, Persian, Urdu, Pashto), Hebrew
// (Hebrew, Yiddish), Thaana (Dhivehi), Syriac, N'Ko, Adlam.
var rtlScripts = map[string]bool{"Arab": true, "Hebr": true, "Thaa": true, "Syrc": true, "Nkoo": true, "Adlm": true, "Rohg": true}

// Dir is "rtl" for a language written right to left, else "ltr": the
// value of an HTML dir attribute. The script is CLDR's likely script for
// the language (golang.org/x/text), so "ar", "fa", "ur", "he" and "yi"
// are right to left, and "az-Arab" too, while "az" is not.
func Dir(lang string) string {
	tag, err := language.Parse(lang)
	if err != nil {
		return "ltr"
	}
	script, _ := tag.Script()
	if rtlScripts[script.String()] {
		return "rtl"
	}
	return "ltr"
}
