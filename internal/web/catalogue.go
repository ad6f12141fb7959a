package web

import (
	"fmt"
	"strconv"
	"time"

	"github.com/csci/exchangeeval/internal/mailing"
)

// catalogue holds every interface string in each language the service
// speaks; the questionnaire content itself comes from the instrument.
var catalogue = map[string]map[string]string{
	"en": {
		"skip":              "Skip to the content",
		"deadline":          "Please answer by %s.",
		"language":          "Language",
		"required":          "required",
		"optional":          "optional",
		"submit":            "Send my answers",
		"errors.title":      "Some answers need your attention",
		"errors.intro":      "Nothing has been saved yet. Please correct the following:",
		"saved.note":        "You answered on %s. Your answers are shown below; you can change them until the questionnaire closes.",
		"progress.sections": "sections answered",
		"progress.step":     "Part %d of %d",
		"draft.save":        "Save and finish later",
		"preview.banner":    "Preview of %s version %d: this is the questionnaire exactly as a delegate sees it. Nothing you send here is saved.",
		"preview.back":      "Back to the questionnaires", "preview.exchange": "Preview — no exchange",
		"preview.accepted": "These answers would be accepted. Nothing was saved.", "preview.check": "Check the answers",
		"draft.help":         "Saving keeps your answers with your personal link: come back to it any time before the questionnaire closes. Nothing counts until you send.",
		"draft.note":         "Your answers so far, saved on %s, are filled in below. Send them when you have finished.",
		"thanks.title":       "Thank you",
		"thanks.body":        "Your answers to “%s” have been received. You can close this page.",
		"thanks.change":      "Review or change my answers",
		"thanks.next":        "What comes next: the questionnaire “%s”, through this same personal link — keep it. %s",
		"thanks.next.open":   "The next questionnaire, “%s”, is open now, through this same personal link.",
		"thanks.next.answer": "Answer “%s” now",
		"thanks.next.opens":  "What comes next: the questionnaire “%s”, which opens on %s, through this same personal link — keep it.",
		"waves.other":        "Also open to you:",
		"waves.answered":     "answered",
		"thanks.last":        "This was the last questionnaire of the evaluation. Chicago Sister Cities International and its university partner will share what the exchange achieved; your name never appears in the results.",
		"closed.title":       "This questionnaire is not open",
		"closed.body":        "There is no questionnaire open for you at the moment. You will receive a link when the next one opens.",
		"closed.answered":    "Your answers to “%s” were received on %s. Thank you.",
		"notfound.title":     "Link not recognised",
		"notfound.body":      "This link does not lead to a questionnaire. Please check that you copied the whole link from your invitation, or ask the exchange organisers for a new one.",
		"invalid.title":      "This request could not be handled",
		"toolarge.title":     "Too much text",
		"toolarge.body":      "What you sent is larger than a questionnaire can be. Please shorten your longest answers and send again.",
		"missing.title":      "This questionnaire cannot be shown",
		"missing.body":       "The service is missing the definition of this questionnaire. The organisers have been told; please try your link again later. Nothing you answered before is lost.",
		"internal.title":     "Something went wrong",
		"internal.body":      "Your answers could not be saved because of a problem on our side. Please try again in a few minutes.",
		"unavailable.body":   "The service is briefly unavailable. Please try again in a few minutes.",
		"notsaved.title":     "Your answers are not saved yet",
		"notsaved.body":      "The service could not store them just now. They are still in this form: please send it again in a minute.",
		"choose":             "Choose one",
		"choose.many":        "Choose all that apply",
		"chars.max":          "Up to %d characters.",
		"number.range":       "From %s to %s.",
		"about.title":        "Social services exchange evaluation",
		"about.body":         "This service collects delegates' questionnaires for the Chicago Sister Cities International social services exchanges. Delegates reach their questionnaire through the personal link in their invitation.",
		"footer":             "Chicago Sister Cities International — social services exchange evaluation. Reports show figures for groups, never names.",
	},
	"fr": {
		"skip":              "Aller au contenu",
		"deadline":          "Merci de répondre d'ici le %s.",
		"language":          "Langue",
		"required":          "obligatoire",
		"optional":          "facultatif",
		"submit":            "Envoyer mes réponses",
		"errors.title":      "Certaines réponses sont à revoir",
		"errors.intro":      "Rien n'a encore été enregistré. Merci de corriger les points suivants :",
		"saved.note":        "Vous avez répondu le %s. Vos réponses figurent ci-dessous ; vous pouvez les modifier jusqu'à la clôture du questionnaire.",
		"progress.sections": "parties remplies",
		"progress.step":     "Partie %d sur %d",
		"draft.save":        "Enregistrer et finir plus tard",
		"preview.banner":    "Aperçu de %s version %d : voici le questionnaire exactement tel qu'un délégué le voit. Rien de ce que vous envoyez ici n'est enregistré.",
		"preview.back":      "Retour aux questionnaires", "preview.exchange": "Aperçu — aucun échange",
		"preview.accepted": "Ces réponses seraient acceptées. Rien n'a été enregistré.", "preview.check": "Vérifier les réponses",
		"draft.help":         "L'enregistrement garde vos réponses avec votre lien personnel : revenez-y quand vous voulez avant la fermeture du questionnaire. Rien n'est pris en compte avant l'envoi.",
		"draft.note":         "Vos réponses enregistrées le %s sont reprises ci-dessous. Envoyez-les quand vous aurez terminé.",
		"thanks.title":       "Merci",
		"thanks.body":        "Vos réponses au questionnaire « %s » ont bien été reçues. Vous pouvez fermer cette page.",
		"thanks.change":      "Relire ou modifier mes réponses",
		"thanks.next":        "La suite : le questionnaire « %s », par ce même lien personnel — gardez-le. %s",
		"thanks.next.open":   "Le questionnaire suivant, « %s », est ouvert dès maintenant, par ce même lien personnel.",
		"thanks.next.answer": "Répondre maintenant à « %s »",
		"thanks.next.opens":  "La suite : le questionnaire « %s », qui ouvre le %s, par ce même lien personnel — gardez-le.",
		"waves.other":        "Également ouverts pour vous :",
		"waves.answered":     "déjà répondu",
		"thanks.last":        "C'était le dernier questionnaire de l'évaluation. Chicago Sister Cities International et son partenaire universitaire partageront ce que l'échange a permis ; votre nom n'apparaît jamais dans les résultats.",
		"closed.title":       "Ce questionnaire n'est pas ouvert",
		"closed.body":        "Aucun questionnaire ne vous est ouvert pour le moment. Vous recevrez un lien à l'ouverture du prochain.",
		"closed.answered":    "Vos réponses au questionnaire « %s » ont été reçues le %s. Merci.",
		"notfound.title":     "Lien non reconnu",
		"notfound.body":      "Ce lien ne mène à aucun questionnaire. Vérifiez que vous avez copié le lien complet figurant dans votre invitation, ou demandez-en un nouveau aux organisateurs de l'échange.",
		"invalid.title":      "Cette demande n'a pas pu être traitée",
		"toolarge.title":     "Texte trop long",
		"toolarge.body":      "Votre envoi dépasse la taille d'un questionnaire. Raccourcissez vos réponses les plus longues, puis envoyez-les de nouveau.",
		"missing.title":      "Ce questionnaire ne peut pas être affiché",
		"missing.body":       "Il manque au service la définition de ce questionnaire. Les organisateurs sont prévenus ; merci de réessayer votre lien plus tard. Rien de ce que vous avez déjà répondu n'est perdu.",
		"internal.title":     "Un problème est survenu",
		"internal.body":      "Vos réponses n'ont pas pu être enregistrées à cause d'un problème de notre côté. Merci de réessayer dans quelques minutes.",
		"unavailable.body":   "Le service est momentanément indisponible. Merci de réessayer dans quelques minutes.",
		"notsaved.title":     "Vos réponses ne sont pas encore enregistrées",
		"notsaved.body":      "Le service n'a pas pu les enregistrer à l'instant. Elles sont toujours dans ce formulaire : merci de l'envoyer à nouveau dans une minute.",
		"choose":             "Une seule réponse",
		"choose.many":        "Plusieurs réponses possibles",
		"chars.max":          "%d caractères au maximum.",
		"number.range":       "De %s à %s.",
		"about.title":        "Évaluation des échanges de services sociaux",
		"about.body":         "Ce service recueille les questionnaires des délégués des échanges de services sociaux de Chicago Sister Cities International. Chaque délégué accède à son questionnaire par le lien personnel figurant dans son invitation.",
		"footer":             "Chicago Sister Cities International — évaluation des échanges de services sociaux. Les rapports présentent des résultats par groupe, jamais de noms.",
	},
}

// translate returns the catalogue string for key in lang, falling back to
// English, formatted with args when there are any.
func translate(lang, key string, args ...any) string {
	s, ok := catalogue[lang][key]
	if !ok {
		s, ok = staffCatalogue[lang][key]
	}
	if !ok {
		s, ok = catalogue["en"][key]
	}
	if !ok {
		s, ok = staffCatalogue["en"][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// formatDate writes a day the way a reader of lang expects it.
func formatDate(lang string, t time.Time) string { return mailing.Date(lang, t) }

// formatDays writes the days from start to end ("11–17 April 2027"),
// naming the month and year once when they are shared.
func formatDays(lang string, start, end time.Time) string {
	switch {
	case start.Equal(end):
		return formatDate(lang, start)
	case start.Year() == end.Year() && start.Month() == end.Month():
		d := strconv.Itoa(start.Day())
		if lang == "fr" && start.Day() == 1 {
			d = "1er"
		}
		return d + "–" + formatDate(lang, end)
	}
	return formatDate(lang, start) + " – " + formatDate(lang, end)
}

// formatTime writes a moment the way a reader of lang expects it.
func formatTime(lang string, t time.Time) string {
	t = t.UTC()
	if lang == "fr" {
		return fmt.Sprintf("%s à %d h %02d (UTC)", mailing.Date(lang, t), t.Hour(), t.Minute())
	}
	return mailing.Date(lang, t) + t.Format(" at 15:04 UTC")
}
