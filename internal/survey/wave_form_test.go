package survey_test

import (
	"slices"
	"strings"
	"testing"
)

// TestOneWavesForm: the shipped instrument's post-exchange form holds the
// questions post asks and no other, each asked in that wave, no goals,
// the consent question kept, under the id csci-social-services-post, and
// is a valid instrument; an unknown wave is refused naming the waves.
func TestOneWavesForm(t *testing.T) {
	in := mustParse(t, "../../surveys/csci-social-services.yaml")
	post, err := in.OneWave("post")
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for _, q := range in.QuestionsIn("post") {
		want = append(want, q.ID)
	}
	for _, q := range post.Questions() {
		got = append(got, q.ID)
		if !slices.Equal(q.Waves, []string{"post"}) || q.Goal != "" {
			t.Errorf("%s: waves %v, goal %q", q.ID, q.Waves, q.Goal)
		}
	}
	if !slices.Equal(got, want) || post.ID != "csci-social-services-post" || len(post.Goals) != 0 || post.QuoteConsent != "quote_consent" ||
		!slices.Equal(post.WaveIDs(), []string{"post"}) || !strings.HasSuffix(post.Title["es"], "— Al final del intercambio") {
		t.Errorf("post form: id %s, questions %v (want %v), goals %d, consent %q, title %v", post.ID, got, want, len(post.Goals), post.QuoteConsent, post.Title)
	}
	pre, err := in.OneWave("pre")
	if err != nil || pre.QuoteConsent != "" || pre.Question("expectations") == nil || pre.Question("takeaways") != nil {
		t.Errorf("pre form: %v, consent %q", err, pre.QuoteConsent)
	}
	if _, err := in.OneWave("later"); err == nil || !strings.Contains(err.Error(), `no wave "later"`) {
		t.Errorf("unknown wave: %v", err)
	}
}
