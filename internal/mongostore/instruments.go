package mongostore

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/csci/exchangeeval/internal/survey"
)

// collInstruments holds the instruments admins upload: one document per
// version, keyed "id@version" so that reading one is the embedded store's
// fast path, and a second upload of the same version is a duplicate key
// — which is how two admins uploading at once get different versions.
// Documents are only ever inserted: a version, once stored, is what the
// exchanges pinned to it were run with.
const collInstruments = "instruments"

type instrumentDoc struct {
	Key        string `bson:"_id"`
	Instrument string `bson:"instrument"`
	Version    int    `bson:"version"`
	Definition string `bson:"definition"` // canonical YAML
	Hash       string `bson:"hash"`       // SHA-256 of Definition
	Format     string `bson:"format"`
	// SourceHash: the definition file's own hash, for one kept from a file.
	SourceHash string    `bson:"source_hash,omitempty"`
	Filename   string    `bson:"filename"`
	By         string    `bson:"uploaded_by"`
	At         time.Time `bson:"uploaded_at"`
}

// AddInstrument stores an uploaded instrument under its id and version. A
// version already stored is survey.ErrVersionTaken: the caller takes the
// next one.
func (s *Store) AddInstrument(ctx context.Context, in *survey.Instrument, up survey.Upload) error {
	if err := s.outage.check(); err != nil {
		return err
	}
	def, err := in.Canonical()
	if err != nil {
		return err
	}
	hash, err := in.CanonicalHash()
	if err != nil {
		return err
	}
	_, err = s.db.Collection(collInstruments).InsertOne(ctx, instrumentDoc{
		Key: in.Key(), Instrument: in.ID, Version: in.Version, Definition: string(def), Hash: hash,
		Format: up.Format, Filename: up.Filename, SourceHash: up.SourceHash, By: up.By, At: up.At.UTC().Truncate(time.Millisecond),
	})
	if isDuplicate(err) {
		return fmt.Errorf("instrument %s version %d: %w", in.ID, in.Version, survey.ErrVersionTaken)
	}
	if err != nil {
		return s.fail("store instrument "+in.ID, err)
	}
	return nil
}

// StoredInstruments reads every uploaded instrument, parsed. A stored
// definition that no longer parses (written by a newer exchangeeval, say)
// is an error naming it, not a silent gap.
func (s *Store) StoredInstruments(ctx context.Context) ([]*survey.Instrument, error) {
	docs, err := findAll[instrumentDoc](ctx, s, s.db.Collection(collInstruments), bson.D{},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}), "instruments")
	if err != nil {
		return nil, err
	}
	out := make([]*survey.Instrument, 0, len(docs))
	for _, d := range docs {
		in, probs := survey.Parse("store:"+d.Key, []byte(d.Definition))
		if probs != nil {
			return nil, fmt.Errorf("stored instrument %s does not parse: %w", d.Key, probs)
		}
		in.Uploaded = &survey.Upload{By: d.By, At: d.At, Format: d.Format, Filename: d.Filename, SourceHash: d.SourceHash}
		if d.SourceHash != "" {
			// Kept from a file: reports cite the file, as they did when
			// it was read from disk.
			in.Source, in.Hash = d.Filename, d.SourceHash
		}
		out = append(out, in)
	}
	return out, nil
}
