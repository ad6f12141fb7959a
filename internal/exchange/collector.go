package exchange

import (
	"slices"
	"strings"

	"github.com/csci/exchangeeval/internal/survey"
)

// collectorColumns are the columns KoboToolbox and ODK Central add to an
// export of submissions: who sent it, when, from which device, in what
// state. Any column whose name begins with "_" is KoboToolbox's too.
var collectorColumns = []string{
	"__version__", "meta/instanceid", "meta/instancename", "meta/deprecatedid", "meta-instanceid", "meta-instancename", "instanceid",
	"key", "submissiondate", "submitterid", "submittername", "attachmentspresent", "attachmentsexpected", "status",
	"reviewstate", "deviceid", "edits", "formversion", "start", "end", "today", "username", "phonenumber", "email", "audit",
}

// submissionIDs are the columns that hold a submission's id (uuid:…):
// KoboToolbox's _uuid, ODK Central's KEY and meta-instanceID.
var submissionIDs = []string{"_uuid", "meta/instanceid", "meta-instanceid", "key", "instanceid"}

// FromCollector rewrites an export of submissions from KoboToolbox or ODK
// Central into a responses table: the question columns by their names,
// whatever groups they sit in (KoboToolbox writes visit/rating, ODK
// Central visit-rating); a multiple choice's space-separated codes
// separated by ";"; KoboToolbox's one-column-per-option copies of it, and
// the collectors' own columns, left out; the submission's time
// (_submission_time, SubmissionDate) as submitted_at; its id (_uuid,
// KEY, meta-instanceID) as submission, kept in the history; and a wave column
// holding wave, for a form of one wave (instruments export --wave). The
// participant is the form's participant question, or a participant
// column. A table that is not such an export comes back as it is, with
// the wave added when it has no wave column and wave is given.
func FromCollector(rows [][]string, in *survey.Instrument, wave string) (out [][]string, collector bool) {
	if len(rows) == 0 {
		return rows, false
	}
	header := rows[0]
	for _, h := range header {
		k := strings.ToLower(strings.TrimSpace(h))
		collector = collector || k == "_uuid" || k == "_submission_time" || k == "meta/instanceid" || k == "meta-instanceid" || k == "key" || k == "submissiondate"
	}
	hasWave := slices.ContainsFunc(header, func(h string) bool { return strings.EqualFold(strings.TrimSpace(h), "wave") })
	if !collector {
		if hasWave || wave == "" {
			return rows, false
		}
		out = make([][]string, len(rows))
		out[0] = append(slices.Clone(header), "wave")
		for i, r := range rows[1:] {
			out[i+1] = append(slices.Clone(r), wave)
		}
		return out, false
	}
	type column struct {
		from int
		name string
		q    *survey.Question // the question it holds, if any
	}
	var cols []column
	submission := false
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		k := strings.ToLower(h)
		switch {
		case k == "_submission_time" || k == "submissiondate":
			cols = append(cols, column{from: i, name: "submitted_at"})
			continue
		case slices.Contains(submissionIDs, k) && !submission:
			// The submission's own id, kept in the response's history.
			submission = true
			cols = append(cols, column{from: i, name: "submission"})
			continue
		case strings.HasPrefix(k, "_") || slices.Contains(collectorColumns, k):
			continue
		case k == "wave":
			cols = append(cols, column{from: i, name: "wave"})
			continue
		}
		name, optionOf := questionName(h, in)
		switch {
		case optionOf != "":
			continue // a copy of a multiple choice, one column per option
		case name == "":
			cols = append(cols, column{from: i, name: h}) // named as it is: the import says it is no question
		default:
			cols = append(cols, column{from: i, name: name, q: in.Question(name)})
		}
	}
	out = make([][]string, 0, len(rows))
	head := make([]string, 0, len(cols)+1)
	for _, c := range cols {
		head = append(head, c.name)
	}
	if !hasWave {
		head = append(head, "wave")
	}
	out = append(out, head)
	for _, r := range rows[1:] {
		row := make([]string, 0, len(head))
		for _, c := range cols {
			v := ""
			if c.from < len(r) {
				v = strings.TrimSpace(r[c.from])
			}
			if c.q != nil {
				// Codes, also from an export with labels.
				v = in.CodesOf(c.q, v)
				if c.q.Type == survey.TypeMulti {
					v = strings.Join(strings.Fields(v), ";")
				}
			}
			row = append(row, v)
		}
		if !hasWave {
			row = append(row, wave)
		}
		out = append(out, row)
	}
	return out, true
}

// questionName finds the question (or the participant column) a
// collector's column holds: its name is the last part of the group path,
// after "/" (KoboToolbox) or "-" (ODK Central). optionOf names the
// multiple choice when the column is one of its options (areas/youth).
func questionName(h string, in *survey.Instrument) (name, optionOf string) {
	known := func(s string) bool { return in.Question(s) != nil || strings.EqualFold(s, "participant") }
	fix := func(s string) string {
		if strings.EqualFold(s, "participant") {
			return "participant"
		}
		return s
	}
	if known(h) {
		return fix(h), ""
	}
	if parts := strings.Split(h, "/"); len(parts) > 1 {
		last := parts[len(parts)-1]
		if q := in.Question(parts[len(parts)-2]); q != nil && q.Type == survey.TypeMulti && slices.ContainsFunc(q.Options, func(o *survey.Option) bool { return o.Code == last }) {
			return "", q.ID
		}
		if known(last) {
			return fix(last), ""
		}
	}
	// ODK Central joins groups with "-", which question ids may hold too:
	// the longest known tail wins.
	for i := 0; i < len(h); i++ {
		if h[i] == '-' && known(h[i+1:]) {
			return fix(h[i+1:]), ""
		}
	}
	return questionLabelled(h, in)
}

// questionLabelled finds the question a column of an export with labels
// holds: its label, after its groups' labels and "/" (which labels may
// hold too: the longest tail that is a label wins); or, after a multiple
// choice's label and "/", one of its options' labels, a column per option.
func questionLabelled(h string, in *survey.Instrument) (name, optionOf string) {
	if len(h) > maxLabelHeader {
		return "", ""
	}
	byLabel := in.QuestionsByLabel()
	labelled := func(h string) *survey.Question {
		for i := -1; i < len(h); i++ {
			if i < 0 || h[i] == '/' {
				if q := byLabel[survey.LabelKey(h[i+1:])]; q != nil {
					return q
				}
			}
		}
		return nil
	}
	if q := labelled(h); q != nil {
		return q.ID, ""
	}
	if i := strings.LastIndexByte(h, '/'); i > 0 {
		if q := labelled(h[:i]); q != nil && q.Type == survey.TypeMulti && q.OptionLabelled(h[i+1:]) != nil {
			return "", q.ID
		}
	}
	return "", ""
}

// maxLabelHeader bounds the headers read as labels (a question's, after
// its groups'), so that a hostile header costs little.
const maxLabelHeader = 2000
