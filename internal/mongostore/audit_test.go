package mongostore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/staff"
)

// TestAuditTrailAcrossMonths pages through a trail of three months, with
// events sharing moments at a month's edge: every event comes once, newest
// first; filters and dates read only what they need and give the same.
func TestAuditTrailAcrossMonths(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	edge := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var all []staff.Event
	for i := range 90 {
		// Thirty in each of February, March and April; ten share the
		// first moment of March.
		at := edge.AddDate(0, i/30-1, 0).Add(time.Duration(i%30) * time.Hour)
		if i >= 30 && i < 40 {
			at = edge
		}
		e := staff.Event{At: at, Actor: fmt.Sprintf("u%d@example.org", i%3), Action: staff.AuditExport, Detail: fmt.Sprintf("#%02d", i)}
		s.Audit(ctx, e)
		all = append(all, e)
	}
	months, err := s.auditMonths(ctx)
	if err != nil || len(months) != 3 || months[0] != "audit.2026-04" || months[2] != "audit.2026-02" {
		t.Fatalf("months: %v %v", months, err)
	}
	seen := map[string]bool{}
	var last time.Time
	after, pages := "", 0
	for {
		events, next, err := s.AuditTrail(ctx, staff.AuditQuery{After: after, Limit: 7})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range events {
			if seen[e.Detail] {
				t.Errorf("%s shown twice", e.Detail)
			}
			if !last.IsZero() && e.At.After(last) {
				t.Errorf("%s (%v) after an older event", e.Detail, e.At)
			}
			seen[e.Detail], last = true, e.At
		}
		if next == "" {
			break
		}
		after = next
	}
	if len(seen) != len(all) || pages != 13 {
		t.Errorf("%d events in %d pages, want %d in 13", len(seen), pages, len(all))
	}
	count := func(q staff.AuditQuery) int {
		q.Limit = 1000
		events, _, err := s.AuditTrail(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return len(events)
	}
	if got := count(staff.AuditQuery{Actor: "u1@example.org"}); got != 30 {
		t.Errorf("by actor: %d, want 30", got)
	}
	if got := count(staff.AuditQuery{From: edge, To: edge.AddDate(0, 1, 0)}); got != 30 {
		t.Errorf("March: %d, want 30", got)
	}
	if got := count(staff.AuditQuery{To: edge}); got != 30 {
		t.Errorf("before March: %d, want 30", got)
	}
}

// TestTheAuditTrailMovesIntoMonths: a database of layout 2 keeps its trail
// in one collection; opening it moves every event into its month, once,
// and a move cut short resumes without doubling any.
func TestTheAuditTrailMovesIntoMonths(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	var docs []any
	for i := range 25 {
		docs = append(docs, staff.Event{At: time.Date(2025, time.Month(1+i%5), 3, 12, i, 0, 0, time.UTC), Actor: "a@example.org", Action: staff.AuditLogin, Detail: fmt.Sprint(i)})
	}
	if _, err := s.db.Collection(collAudit).InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	// Cut short: January already moved.
	for d, err := range stream[auditDoc](ctx, s, s.db.Collection(collAudit), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if d.At.Month() == time.January {
			coll, err := s.auditCollection(ctx, d.At)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := coll.InsertOne(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.splitAuditByMonth(ctx); err != nil {
		t.Fatal(err)
	}
	events, _, err := s.AuditTrail(ctx, staff.AuditQuery{Limit: 100})
	if err != nil || len(events) != 25 {
		t.Fatalf("%d events after the move (%v), want 25", len(events), err)
	}
	months, _ := s.auditMonths(ctx)
	if len(months) != 5 {
		t.Errorf("months %v", months)
	}
	names, _ := s.db.ListCollectionNames(ctx, map[string]any{})
	for _, n := range names {
		if n == collAudit {
			t.Errorf("the old audit collection is still there")
		}
	}
}
