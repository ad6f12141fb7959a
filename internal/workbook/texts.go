package workbook

import "fmt"

// The words a reader meets in the workbook — the Summary and About sheets,
// chart and section titles, verdicts — in the language of its labels
// (Export.Labels), English otherwise. The data sheets' column headers stay
// English whatever the labels: scripts read them by name.
var texts = map[string]map[string]string{
	"en": {
		"evaluation": "Evaluation — %s", "exchange": "Exchange", "delegation": "Delegation", "dates": "Dates", "dates.range": "%s to %s",
		"instrument": "Instrument", "instrument.version": "%s, version %d", "generated": "Generated", "mincell": "Minimum group size",
		"mincell.note": "figures for fewer people read %s", "participation": "Participation", "wave": "Wave", "responded": "Responded",
		"imported": "Imported", "rate": "Response rate", "invited": "invited", "pairs.of": "pairs %s → %s", "attainment": "Goal attainment",
		"goal": "Goal", "from": "From", "to": "To", "mean.before": "Mean before", "mean.after": "Mean after", "change": "Change",
		"ci.low": "95% CI low", "ci.high": "95% CI high", "pairs": "Pairs", "verdict": "Verdict", "reason": "Reason",
		"nogoals": "the instrument defines no goals", "chart.goals": "Goal scores before and after (paired participants)",
		"chart.themes": "Share of respondents mentioning each theme, by wave", "themes.share": "Share of respondents mentioning each theme",
		"themes.bywave": "Themes by wave", "themes.byquestion": "Themes by open question", "themes.both": "Respondents mentioning both themes — %s",
		"quotes": "Quotes (only from participants who agreed to be quoted; no identifiers)",
		"about":  "About this workbook", "software": "Software", "exchanges": "Exchanges", "hash": "Instrument content hash (SHA-256)",
		"responses.sheet": "Responses sheet", "responses.codes": "answer codes",
		"responses.labels": "answer labels in %s (this Responses sheet cannot be re-imported; export with codes for that)",
		"pairs.sheet":      "Pairs sheet", "pairs.note": "scored values: reverse-coded items turned so that higher is always towards the goal; goal scores need at least half the goal's items",
		"identifiers": "Identifiers", "identifiers.note": "pseudonymous participant ids only (P0001…); no names, e-mails or links",
		"headers.note": "Column headers of the data sheets", "headers.english": "in English whatever the language of the labels, so that scripts read them by name",
		"cite": "How to cite", "cite.text": "Chicago Sister Cities International, social services exchange evaluation: %s (%s to %s). Workbook produced with exchangeeval %s on %s; instrument %s version %d (SHA-256 %s).",
		"methods": "Methods in plain words", "codebook": "Instrument %s, version %d", "criteria": "Goals and their attainment criteria",
		"themes.codebook":  "Theme codebook (patterns ignore case and accents; * ends a prefix)",
		"verdict.attained": "attained", "verdict.partly attained": "partly attained", "verdict.not attained": "not attained", "verdict.insufficient data": "insufficient data",
	},
	"fr": {
		"evaluation": "Évaluation — %s", "exchange": "Échange", "delegation": "Délégation", "dates": "Dates", "dates.range": "du %s au %s",
		"instrument": "Questionnaire", "instrument.version": "%s, version %d", "generated": "Produit le", "mincell": "Taille minimale des groupes",
		"mincell.note": "les chiffres portant sur moins de personnes se lisent %s", "participation": "Participation", "wave": "Questionnaire", "responded": "Réponses",
		"imported": "Importées", "rate": "Taux de réponse", "invited": "invités", "pairs.of": "paires %s → %s", "attainment": "Atteinte des objectifs",
		"goal": "Objectif", "from": "De", "to": "À", "mean.before": "Moyenne avant", "mean.after": "Moyenne après", "change": "Évolution",
		"ci.low": "IC 95 % bas", "ci.high": "IC 95 % haut", "pairs": "Paires", "verdict": "Verdict", "reason": "Pourquoi",
		"nogoals": "le questionnaire ne définit aucun objectif", "chart.goals": "Scores des objectifs avant et après (participants appariés)",
		"chart.themes": "Part des répondants évoquant chaque thème, par questionnaire", "themes.share": "Part des répondants évoquant chaque thème",
		"themes.bywave": "Thèmes par questionnaire", "themes.byquestion": "Thèmes par question ouverte", "themes.both": "Répondants évoquant les deux thèmes — %s",
		"quotes": "Citations (seulement de participants ayant accepté d'être cités ; sans identifiant)",
		"about":  "À propos de ce classeur", "software": "Logiciel", "exchanges": "Échanges", "hash": "Empreinte du questionnaire (SHA-256)",
		"responses.sheet": "Feuille Responses", "responses.codes": "codes des réponses",
		"responses.labels": "libellés des réponses en %s (cette feuille Responses ne peut pas être réimportée ; exportez avec les codes pour cela)",
		"pairs.sheet":      "Feuille Pairs", "pairs.note": "valeurs notées : les affirmations inversées sont retournées pour qu'un score plus élevé aille toujours vers l'objectif ; un score d'objectif demande au moins la moitié de ses affirmations",
		"identifiers": "Identifiants", "identifiers.note": "identifiants pseudonymes seulement (P0001…) ; ni noms, ni adresses, ni liens",
		"headers.note": "En-têtes de colonnes des feuilles de données", "headers.english": "en anglais quelle que soit la langue des libellés, pour que les scripts les lisent par leur nom",
		"cite": "Comment citer", "cite.text": "Chicago Sister Cities International, évaluation de l'échange de services sociaux : %s (du %s au %s). Classeur produit avec exchangeeval %s le %s ; questionnaire %s version %d (SHA-256 %s).",
		"methods": "Les méthodes en termes simples", "codebook": "Questionnaire %s, version %d", "criteria": "Objectifs et critères d'atteinte",
		"themes.codebook":  "Livre de codes des thèmes (sans tenir compte de la casse ni des accents ; * termine un préfixe)",
		"verdict.attained": "atteint", "verdict.partly attained": "partiellement atteint", "verdict.not attained": "non atteint", "verdict.insufficient data": "données insuffisantes",
	},
}

// textLanguage is the language of a workbook's texts: that of its labels
// when the catalogue has it, else English.
func textLanguage(labels string) string {
	if _, ok := texts[labels]; ok {
		return labels
	}
	return "en"
}

// t words a text of the workbook in its language.
func (b *book) t(key string, args ...any) string {
	s, ok := texts[b.lang][key]
	if !ok {
		s = texts["en"][key]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// exchangeName is the exchange's name in the workbook's language; that of
// the combined analysis when the workbook holds several.
func (b *book) exchangeName() string {
	if len(b.e.Exchanges) == 1 {
		return b.e.Exchanges[0].NameIn(b.lang)
	}
	return b.e.Report.Exchange.Name
}
