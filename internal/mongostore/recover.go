package mongostore

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// recentWrites is how many of an exchange's last stored versions are checked
// when the store opens: far more submissions than one process has in flight
// when it is killed.
const recentWrites = 1000

// recover repairs what a process killed halfway may have left behind: an
// import (rolled back, or finished if it had committed), and responses whose
// current answers are behind the version written last (a save that died
// between its two writes). It reads only the versions written last, so it
// costs milliseconds whatever the size of the data.
func (s *Store) recover(ctx context.Context) error {
	if err := s.recoverImports(ctx); err != nil {
		return err
	}
	xs, err := s.Exchanges(ctx)
	if err != nil {
		return err
	}
	for _, x := range xs {
		if err := s.prepare(ctx, x.ID); err != nil {
			return err
		}
		if err := s.repairRecent(ctx, x.ID); err != nil {
			return err
		}
	}
	return nil
}

// repairRecent brings up to date the current answers of the responses
// whose versions were written last.
func (s *Store) repairRecent(ctx context.Context, exchangeID string) error {
	ids, err := s.lastVersionIDs(ctx, exchangeID, recentWrites)
	if err != nil {
		return err
	}
	newest := map[string]int{}
	for _, id := range ids {
		i := strings.LastIndexByte(id, '/')
		if i < 0 {
			continue
		}
		seq, err := strconv.Atoi(id[i+1:])
		if err != nil {
			continue
		}
		if key := id[:i]; seq > newest[key] {
			newest[key] = seq
		}
	}
	if len(newest) == 0 {
		return nil
	}
	keys := make([]string, 0, len(newest))
	for k := range newest {
		keys = append(keys, k)
	}
	current, err := s.currentSeqs(ctx, exchangeID, keys)
	if err != nil {
		return err
	}
	for key, seq := range newest {
		have := current[key]
		if have >= seq {
			continue
		}
		pid, wave, _ := strings.Cut(key, "/")
		unlock := s.lockResponse(exchangeID, pid, wave)
		err := s.catchUp(ctx, exchangeID, pid, wave, have, have)
		unlock()
		if err != nil {
			return err
		}
	}
	return nil
}

// lastVersionIDs returns the _ids of the versions stored last in an
// exchange: on the embedded store from SQLite's insertion order, on
// MongoDB in reverse natural order (no sort stage, no index needed).
func (s *Store) lastVersionIDs(ctx context.Context, exchangeID string, n int) ([]string, error) {
	coll := collName(exchangeID, kindVersions)
	if s.sqlite != nil {
		return s.sqlite.lastIDs(ctx, s.db.Name(), coll, n)
	}
	cur, err := s.db.Collection(coll).Find(ctx, bson.D{}, options.Find().
		SetSort(bson.D{{Key: "$natural", Value: -1}}).SetLimit(int64(n)).SetProjection(bson.D{{Key: "_id", Value: 1}}))
	var ce mongo.CommandError
	if errors.As(err, &ce) && ce.Code == codeNotImplemented {
		// An embedded store reached through its address (the command
		// line beside a running service): the process that owns it
		// repaired it when it started, and its reads repair the rest.
		return nil, nil
	}
	if err != nil {
		return nil, s.fail("read the last versions of "+exchangeID, err)
	}
	var docs []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, s.fail("read the last versions of "+exchangeID, err)
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return ids, nil
}

// currentSeqs returns the version numbers the current answers of these
// responses hold.
func (s *Store) currentSeqs(ctx context.Context, exchangeID string, keys []string) (map[string]int, error) {
	coll := collName(exchangeID, kindResponses)
	if s.sqlite != nil {
		return s.sqlite.intFields(ctx, s.db.Name(), coll, "seq", keys)
	}
	cur, err := s.db.Collection(coll).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: keys}}}},
		options.Find().SetProjection(bson.D{{Key: "seq", Value: 1}}))
	if err != nil {
		return nil, s.fail("read the current answers of "+exchangeID, err)
	}
	var docs []struct {
		ID  string `bson:"_id"`
		Seq int    `bson:"seq"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, s.fail("read the current answers of "+exchangeID, err)
	}
	out := make(map[string]int, len(docs))
	for _, d := range docs {
		out[d.ID] = d.Seq
	}
	return out, nil
}
