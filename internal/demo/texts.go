package demo

// What the invented delegates write in the open questions, in their
// languages: each answer names a theme or two of the codebook, in the
// words a delegate would use, so the dashboard's themes have something to
// count in every language.

var expectations = map[string][]string{
	"fr": {
		"Comprendre comment les associations de Chicago trouvent des financements privés et travaillent avec le mécénat d'entreprise.",
		"Découvrir comment les services sont évalués et comment les universités participent à cette évaluation.",
		"Voir comment le bénévolat est organisé et encadré dans les structures sociales américaines.",
		"Apprendre des pratiques d'accompagnement adaptées à la diversité culturelle des publics.",
		"Échanger avec des collègues sur la protection de l'enfance et comparer nos politiques publiques.",
		"Mieux comprendre les partenariats avec les entreprises et la collecte de fonds.",
	},
	"es": {
		"Conocer cómo las organizaciones de Chicago recaudan fondos y construyen alianzas con empresas.",
		"Aprender cómo se evalúan los servicios y qué papel tienen las universidades en la evaluación.",
		"Ver cómo se organiza el voluntariado en los servicios sociales de Chicago.",
		"Intercambiar experiencias sobre atención intercultural y el empoderamiento de las familias.",
		"Comparar nuestras políticas públicas de protección a la infancia con las de Illinois.",
	},
	"de": {
		"Verstehen, wie Träger in Chicago Spenden einwerben und mit Unternehmen zusammenarbeiten.",
		"Sehen, wie soziale Dienste ihre Wirkung messen und welche Rolle die Hochschulen bei der Evaluation spielen.",
		"Lernen, wie Ehrenamtliche gewonnen und begleitet werden.",
		"Kultursensible Beratung in einer Stadt mit großer Vielfalt kennenlernen.",
		"Erfahren, wie Klientinnen und Klienten an Entscheidungen beteiligt werden – Empowerment in der Praxis.",
	},
	"en": {
		"Learn how Paris services are organised by public policy and what we could learn from it.",
		"Share our evaluation practice and hear how our visitors measure outcomes.",
		"Build lasting professional contacts with colleagues in Paris.",
		"Reflect on our own volunteer programmes through the eyes of visitors.",
	},
}

var takeaways = map[string][]string{
	"fr": {
		"L'autonomisation des personnes : on les aide à changer plutôt que de les soutenir à cause de leurs problèmes. Le pouvoir d'agir est au cœur de tous les services visités.",
		"L'évaluation est partout, souvent avec une université partenaire ; les indicateurs servent à améliorer l'accompagnement.",
		"Le mécénat et les partenariats avec les entreprises financent une grande part des projets, avec beaucoup de bénévoles.",
		"Les usagers et les habitants participent aux décisions : c'est une forme d'empowerment que nous connaissons peu.",
		"Une approche culturelle très réfléchie, mais surtout l'autonomisation des familles en protection de l'enfance.",
		"La place du bénévolat et de la collecte de fonds dans des associations de toutes tailles.",
		"Des pratiques fondées sur des données probantes, mais aussi guidées par les politiques publiques.",
		"La santé mentale communautaire : des pairs aidants dans chaque équipe, auprès des sans-abri comme des jeunes.",
		"Les pairs aidants en santé mentale, que nous connaissons peu, et la place qu'on leur donne dans les décisions.",
	},
	"en": {
		"Our visitors made us see how much empowerment runs through everything we do.",
		"Comparing our evaluation systems with French public policy goals was eye-opening.",
		"Their questions about fundraising and corporate partners made us rethink our donor work.",
		"The value of cultural exchange itself: colleagues facing the same problems with other tools.",
	},
}

var changes = map[string][]string{
	"fr": {
		"Proposer un partenariat avec une université pour évaluer notre programme jeunesse.",
		"Lancer un programme de bénévolat encadré dans notre centre d'hébergement.",
		"Associer les personnes accompagnées au comité de pilotage de notre service.",
		"Présenter à notre direction une stratégie de mécénat d'entreprise.",
		"Mettre en place quelques indicateurs simples pour mesurer les résultats de l'accompagnement.",
		"Créer un poste de pair aidant dans notre équipe de santé mentale.",
	},
	"en": {
		"Set up a return visit focused on harm reduction and homelessness.",
		"Invite Paris colleagues to co-present our evaluation work.",
		"Document our empowerment approach so it can be taught.",
	},
}
