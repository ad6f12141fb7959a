package mailing_test

import (
	"context"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/peakrss"
	"github.com/csci/exchangeeval/internal/smtpsend/smtptest"
)

// BenchmarkInviteAndSend queues invitations to 10 000 delegates and sends
// them to the in-process SMTP server with no rate limit, reporting
// messages a second for each step and the process's peak RSS:
//
//	go test ./internal/mailing -run '^$' -bench InviteAndSend -benchtime 1x -timeout 30m
func BenchmarkInviteAndSend(b *testing.B) {
	const n = 10_000
	for b.Loop() {
		start := time.Now()
		s, _, _ := invitedExchange(b, n)
		queued := time.Since(start)
		srv := smtptest.Start(b)
		w := worker(b, s, srv)
		start = time.Now()
		res, err := w.SendDue(context.Background())
		sent := time.Since(start)
		if err != nil || res.Sent != n || len(srv.Received()) != n {
			b.Fatalf("%+v %v, %d received", res, err, len(srv.Received()))
		}
		b.ReportMetric(float64(n)/queued.Seconds(), "queued/s")
		b.ReportMetric(float64(n)/sent.Seconds(), "sent/s")
	}
	if rss, ok := peakrss.MiB(); ok {
		b.ReportMetric(rss, "peak-RSS-MiB")
	}
}
