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
		"themes.codebook": "Theme codebook (patterns ignore case and accents; * ends a prefix)",
		"prog.title":      "Programme — %s", "prog.intro": "%d exchange(s) of this questionnaire side by side, and pooled goal by goal: fixed effect (inverse variance) and random effects (DerSimonian–Laird), as R's metafor::rma computes them.",
		"prog.versions": "The exchanges were run with versions %s of the questionnaire: only what those versions share is pooled (see Not comparable, below).",
		"prog.mincell":  "an exchange with fewer pairs shows no figures (%s) and is left out of the pooling",
		"name":          "Name", "invited.head": "Invited", "start": "Start", "end": "End", "version": "Version",
		"prog.goal": "%s — change from %s to %s (the criterion asks for at least %s)", "prog.goal.other": "%s — change from %s to %s (not the goal's criterion)", "se": "SE", "weight": "Weight (random effects)", "pooled": "In the pool",
		"bar.below": "CI below (chart)", "bar.above": "CI above (chart)", "yes": "yes",
		"excluded.suppressed": "no: fewer than %d pairs, so no figures", "excluded.nospread": "no: every delegate changed alike, so there is no spread to weigh it by",
		"pool.random": "Pooled: random effects", "pool.fixed": "Pooled: fixed effect",
		"prog.nopool": "no exchange has enough pairs to pool", "prog.onlyone": "one exchange: how much exchanges differ needs two or more",
		"heterogeneity": "Heterogeneity", "pi.low": "A new exchange: 95% low", "pi.high": "A new exchange: 95% high",
		"trend": "The latest exchange, against the earlier ones pooled", "earlier": "Earlier ones pooled", "difference": "Difference",
		"prog.chart":  "Change in “%s”: each exchange and all together (random effects), with 95%% confidence intervals",
		"prog.themes": "Themes: share of respondents mentioning each, by exchange and wave", "theme": "Theme", "respondents": "Respondents", "share": "Share",
		"prog.notcomparable": "Not comparable across versions, so not pooled", "prog.part": "Part",
		"prog.sheet": "Programme sheet", "prog.sheet.note": "each exchange analysed alone, with the version of the questionnaire it was run with, then pooled goal by goal; the other sheets analyse the exchanges together as one group",
		"versions.left":    "Left out: the exchanges' questionnaire versions differ",
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
		"themes.codebook": "Livre de codes des thèmes (sans tenir compte de la casse ni des accents ; * termine un préfixe)",
		"prog.title":      "Programme — %s", "prog.intro": "%d échange(s) de ce questionnaire côte à côte, et regroupés objectif par objectif : effet fixe (inverse de la variance) et effets aléatoires (DerSimonian–Laird), calculés comme metafor::rma dans R.",
		"prog.versions": "Les échanges ont utilisé les versions %s du questionnaire : seul ce qu'elles ont en commun est regroupé (voir Non comparable, plus bas).",
		"prog.mincell":  "un échange qui a moins de paires n'affiche aucun chiffre (%s) et n'est pas regroupé",
		"name":          "Nom", "invited.head": "Invités", "start": "Début", "end": "Fin", "version": "Version",
		"prog.goal": "%s — évolution de %s à %s (le critère demande au moins %s)", "prog.goal.other": "%s — évolution de %s à %s (pas le critère de l'objectif)", "se": "Erreur type", "weight": "Poids (effets aléatoires)", "pooled": "Regroupé",
		"bar.below": "IC en dessous (graphique)", "bar.above": "IC au-dessus (graphique)", "yes": "oui",
		"excluded.suppressed": "non : moins de %d paires, donc aucun chiffre", "excluded.nospread": "non : tous les délégués ont évolué pareil, aucune dispersion pour le pondérer",
		"pool.random": "Ensemble : effets aléatoires", "pool.fixed": "Ensemble : effet fixe",
		"prog.nopool": "aucun échange n'a assez de paires pour être regroupé", "prog.onlyone": "un seul échange : mesurer l'écart entre échanges en demande au moins deux",
		"heterogeneity": "Hétérogénéité", "pi.low": "Un nouvel échange : 95 % bas", "pi.high": "Un nouvel échange : 95 % haut",
		"trend": "L'échange le plus récent, face aux précédents regroupés", "earlier": "Précédents regroupés", "difference": "Différence",
		"prog.chart":  "Évolution de « %s » : chaque échange et tous ensemble (effets aléatoires), avec les intervalles de confiance à 95 %%",
		"prog.themes": "Thèmes : part des répondants évoquant chacun, par échange et questionnaire", "theme": "Thème", "respondents": "Répondants", "share": "Part",
		"prog.notcomparable": "Non comparable d'une version à l'autre, donc non regroupé", "prog.part": "Élément",
		"prog.sheet": "Feuille Programme", "prog.sheet.note": "chaque échange analysé seul, avec la version du questionnaire qu'il a utilisée, puis regroupé objectif par objectif ; les autres feuilles analysent les échanges ensemble, comme un seul groupe",
		"versions.left":    "Laissé de côté : les versions du questionnaire des échanges diffèrent",
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
