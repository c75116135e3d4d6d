package storetest

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/triage-gw/triage/gateway/store"
)

func testInTx(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)

	// Commit: writes are visible inside and after.
	var committed store.Case
	err := s.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		var err error
		committed, err = tx.CaseInsert(ctx, store.CaseInsertParams{Subject: "kept", OpenedAt: at(0)})
		if err != nil {
			return err
		}
		if _, err := tx.CaseEventInsert(ctx, store.CaseEventInsertParams{CaseID: committed.ID, Actor: "system", Kind: "case_opened"}); err != nil {
			return err
		}
		if got, err := tx.CaseGetByID(ctx, committed.ID); err != nil || got.Subject != "kept" {
			t.Errorf("tx.CaseGetByID(%d) inside the transaction = %+v, %v; want its own write", committed.ID, got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("InTx(insert case) = %v, want nil", err)
	}
	if got, err := s.CaseGetByID(ctx, committed.ID); err != nil || got.Subject != "kept" {
		t.Errorf("CaseGetByID(%d) after commit = %+v, %v; want the case", committed.ID, got, err)
	}

	// Rollback: fn's error comes back and nothing is kept.
	errBoom := errors.New("boom")
	var rolledBack store.Case
	err = s.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		var err error
		if rolledBack, err = tx.CaseInsert(ctx, store.CaseInsertParams{Subject: "dropped", OpenedAt: at(0)}); err != nil {
			return err
		}
		if _, _, err := tx.MessageInsert(ctx, store.MessageInsertParams{Channel: store.ChannelEmail, ExternalID: "rolled-back"}); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Errorf("InTx(fn returns boom) = %v, want boom", err)
	}
	if _, err := s.CaseGetByID(ctx, rolledBack.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CaseGetByID(%d) after rollback error = %v, want ErrNotFound", rolledBack.ID, err)
	}
	// The message was rolled back too, so inserting it again inserts.
	if _, inserted, err := s.MessageInsert(ctx, store.MessageInsertParams{Channel: store.ChannelEmail, ExternalID: "rolled-back"}); err != nil || !inserted {
		t.Errorf("MessageInsert(rolled-back id) = inserted %v, %v; want inserted", inserted, err)
	}

	// A panic rolls back and goes on up.
	func() {
		defer func() {
			if r := recover(); r != "panic in fn" {
				t.Errorf("InTx(fn panics) recovered %v, want the panic to propagate", r)
			}
		}()
		_ = s.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
			if _, err := tx.CaseInsert(ctx, store.CaseInsertParams{Subject: "panicked", OpenedAt: at(0)}); err != nil {
				return err
			}
			panic("panic in fn")
		})
	}()
	list, err := s.CaseList(ctx, store.CaseListParams{})
	if err != nil || len(list) != 1 || list[0].ID != committed.ID {
		t.Errorf("CaseList() after commit, rollback and panic = %+v, %v; want only case %d", list, err, committed.ID)
	}
}

// pingArgs is the job testJobInsert enqueues.
type pingArgs struct {
	N int `json:"n"`
}

func (pingArgs) Kind() string { return "storetest_ping" }

// pingWorker reports each job's N on got.
type pingWorker struct {
	river.WorkerDefaults[pingArgs]
	got chan int
}

func (w *pingWorker) Work(ctx context.Context, job *river.Job[pingArgs]) error {
	select {
	case w.got <- job.Args.N:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// testJobInsert checks that a job inserted in a rolled-back transaction is
// never enqueued, while one inserted in a committed transaction, and one
// inserted outside any, are worked by a JobClient.
func testJobInsert(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	errRollback := errors.New("roll back")
	err := s.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		if err := tx.JobInsert(ctx, river.InsertManyParams{Args: pingArgs{N: 1}}); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("InTx(JobInsert N=1, roll back) = %v, want the rollback error", err)
	}
	err = s.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		return tx.JobInsert(ctx, river.InsertManyParams{Args: pingArgs{N: 2}})
	})
	if err != nil {
		t.Fatalf("InTx(JobInsert N=2, commit) = %v, want nil", err)
	}
	if err := s.JobInsert(ctx, river.InsertManyParams{Args: pingArgs{N: 3}}); err != nil {
		t.Fatalf("JobInsert(N=3) outside a transaction = %v, want nil", err)
	}
	if err := s.JobInsert(ctx); err != nil {
		t.Errorf("JobInsert() with no jobs = %v, want nil", err)
	}

	got := make(chan int, 10)
	workers := river.NewWorkers()
	river.AddWorker(workers, &pingWorker{got: got})
	client, err := s.NewJobClient(&river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
		Workers:           workers,
		FetchCooldown:     50 * time.Millisecond,
		FetchPollInterval: 100 * time.Millisecond,
		TestOnly:          true,
		Logger:            slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatalf("NewJobClient() error = %v", err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatalf("JobClient.Start() = %v, want nil", err)
	}
	var worked []int
	timeout := time.NewTimer(15 * time.Second)
	defer timeout.Stop()
	for len(worked) < 2 {
		select {
		case n := <-got:
			worked = append(worked, n)
		case <-timeout.C:
			t.Fatalf("jobs worked within 15s = %v, want 2 and 3", worked)
		}
	}
	// Stop waits for running jobs: had job 1 been enqueued it would have
	// been fetched with the others and reported by now.
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := client.Stop(stopCtx); err != nil {
		t.Errorf("JobClient.Stop() = %v, want nil", err)
	}
drain:
	for {
		select {
		case n := <-got:
			worked = append(worked, n)
		default:
			break drain
		}
	}
	slices.Sort(worked)
	if !slices.Equal(worked, []int{2, 3}) {
		t.Errorf("jobs worked = %v, want [2 3]: the committed and the untransacted job, not the rolled-back one", worked)
	}
}
