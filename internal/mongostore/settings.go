package mongostore

import "context"

// The service's public address lives in collMeta under baseURLKey: serve
// stores the one it is given, so that the commands that print or mail
// personal links use it without being told again.
const baseURLKey = "base_url"

type baseURLDoc struct {
	ID  string `bson:"_id"`
	URL string `bson:"url"`
}

// SetBaseURL stores the address personal links point at.
func (s *Store) SetBaseURL(ctx context.Context, u string) error {
	if err := s.outage.check(); err != nil {
		return err
	}
	_, err := s.db.Collection(collMeta).ReplaceOne(ctx, byID(baseURLKey), baseURLDoc{ID: baseURLKey, URL: u}, upsert())
	if err != nil {
		return s.fail("store the base URL", err)
	}
	return nil
}

// BaseURL is the stored address personal links point at; "" when serve
// was never given one.
func (s *Store) BaseURL(ctx context.Context) (string, error) {
	d, err := findByID[baseURLDoc](ctx, s, s.db.Collection(collMeta), baseURLKey, "the base URL")
	if err != nil || d == nil {
		return "", err
	}
	return d.URL, nil
}
