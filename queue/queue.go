// Package queue moves work between machines over NATS JetStream: original
// file bytes in an object store keyed by content hash, one job message per
// document on a work-queue stream shared by every worker, and each worker's
// result back on a second stream for the one indexer. Nothing travels
// through a shared disk.
package queue

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/evident/evident"
)

// Names of the JetStream assets. One NATS deployment serves one Evident
// data folder.
const (
	StreamJobs      = "EVIDENT_JOBS"
	StreamResults   = "EVIDENT_RESULTS"
	BucketFiles     = "evident-files"
	BucketResults   = "evident-results"
	ConsumerWorkers = "workers"
	ConsumerIndexer = "indexer"
	subjectJobs     = "evident.jobs."
	subjectResults  = "evident.results."
	// SubjectEvents carries best-effort progress notices (a worker took a job).
	SubjectEvents = "evident.events"
)

// Config tunes delivery.
type Config struct {
	// AckWait is how long a job may go without a heartbeat before JetStream
	// hands it to another worker.
	AckWait time.Duration
	// MaxAttempts bounds how many times a job is tried before its document
	// is marked failed.
	MaxAttempts int
	// Replicas is how many servers of a NATS cluster keep a copy of each
	// stream, bucket and consumer: with 3, losing any one server loses
	// nothing and stops nothing. A single server keeps one. Zero keeps
	// what the streams have, or 1 for new ones.
	Replicas int
	// ResultPart is the size of the parts a result's payload is stored in
	// (default DefaultResultPart; see PutResult).
	ResultPart int
	// Private says that no other process takes jobs: the NATS server is
	// this process's own and accepts no outside connections. A worker's
	// pull for a job then ends as soon as its context does instead of
	// running out its window (see Next). A job the server hands to a
	// pull that was given up stays unacknowledged until ResetWorkers,
	// which the process's next start, and the engine's next Run, call.
	Private bool
}

func (c *Config) defaults() {
	if c.ResultPart <= 0 {
		c.ResultPart = DefaultResultPart
	}
	if c.AckWait <= 0 {
		c.AckWait = 60 * time.Second
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 3
	}
}

// Job asks a worker to process one document.
type Job struct {
	SHA256     string       `json:"sha256"`
	File       string       `json:"file"`
	Origin     string       `json:"origin"`
	Size       int64        `json:"size"`
	Meta       evident.Meta `json:"meta,omitempty"`
	FolderRole string       `json:"folder_role,omitempty"`
	Submitted  time.Time    `json:"submitted"`
	// Run is the document's run (store.Submission.Run): each time the
	// document is queued it gets a new one, and so a message id of its
	// own, which the stream's de-duplication never takes for an earlier
	// job of the same document.
	Run int `json:"run,omitempty"`
	// Tried counts the attempts that failed: a worker that fails an
	// attempt queues the job again with Tried one higher (Delivery.Failed).
	// Deliveries are not attempts: a job cut short by a stop or a crash
	// comes back with Tried unchanged.
	Tried int `json:"tried,omitempty"`
	// LastError is the cause of the last failed attempt.
	LastError string `json:"last_error,omitempty"`
	// NotBefore holds a failed job back until then before its next attempt.
	NotBefore time.Time `json:"not_before,omitzero"`
}

// ErrDuplicateJob is returned by Publish when the stream already took a
// job with the same message id (the same run of the same document).
var ErrDuplicateJob = errors.New("the jobs stream already holds this job")

// Result is a worker's answer for one job. The passages travel in the
// results object store because a big document exceeds a message's size.
type Result struct {
	SHA256  string `json:"sha256"`
	File    string `json:"file,omitempty"` // the job's file name, for the indexer's log
	Worker  string `json:"worker"`
	Attempt int    `json:"attempt"`
	Error   string `json:"error,omitempty"` // set when the document failed: the cause
	// Attempts is how many failed attempts the worker gave up after; zero
	// when the failure needs no more (a permanent one). See Failure.
	Attempts int `json:"attempts,omitempty"`
	// Tried and LastError are the job's failed attempts before this
	// delivery and the cause of the last of them (Job.Tried, LastError).
	Tried     int    `json:"tried,omitempty"`
	LastError string `json:"last_error,omitempty"`
	Object    string `json:"object,omitempty"`
	// Encoding says how the payload in Object is written (ingest.Encoding);
	// "" is one JSON object.
	Encoding string `json:"encoding,omitempty"`
	// Parts is the number of objects the payload was stored in (see
	// PutResult): Object.0, Object.1 and so on. Zero means the one
	// object Object.
	Parts    int           `json:"parts,omitempty"`
	Duration time.Duration `json:"duration"`
	Version  string        `json:"version,omitempty"` // the job's JobVersion, to tell a stale result (metadata changed since) apart
}

// Failure is the sentence a failed document shows: the cause, how many
// attempts the worker gave up after, and the cause of the attempt before
// when it was another.
func (r Result) Failure() string {
	s := r.Error
	if r.Attempts > 0 {
		s = fmt.Sprintf("gave up after %d attempts", r.Attempts)
		if r.Error != "" {
			s += ": " + r.Error
		}
	}
	if s != "" && r.LastError != "" && !strings.Contains(s, r.LastError) {
		s = fmt.Sprintf("%s (last error: %s)", s, AttemptFailed(r.Tried, r.LastError))
	}
	return s
}

// Queue is a connection to the JetStream assets.
type Queue struct {
	nc      *nats.Conn
	js      jetstream.JetStream
	files   jetstream.ObjectStore
	results jetstream.ObjectStore
	jobs    jetstream.Stream
	resS    jetstream.Stream
	workers jetstream.Consumer
	indexer jetstream.Consumer
	cfg     Config
}

// Open creates or updates the streams, buckets and consumers and returns a
// queue bound to them. Every process calls it; the calls are idempotent.
func Open(ctx context.Context, nc *nats.Conn, cfg Config) (*Queue, error) {
	cfg.defaults()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	if cfg.Replicas <= 0 {
		if cfg.Replicas, err = replicasNow(ctx, nc, js); err != nil {
			return nil, err
		}
	}
	q := &Queue{nc: nc, js: js, cfg: cfg}
	if q.jobs, err = ensure(ctx, nc, js.CreateStream, js.UpdateStream, jetstream.StreamConfig{
		Name:        StreamJobs,
		Description: "Evident: one job per document to extract and classify",
		Subjects:    []string{subjectJobs + ">"},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Duplicates:  10 * time.Minute,
		Replicas:    cfg.Replicas,
	}); err != nil {
		return nil, q.assetErr("stream "+StreamJobs, err)
	}
	if q.resS, err = ensure(ctx, nc, js.CreateStream, js.UpdateStream, jetstream.StreamConfig{
		Name:        StreamResults,
		Description: "Evident: workers' results for the indexer",
		Subjects:    []string{subjectResults + ">"},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Replicas:    cfg.Replicas,
	}); err != nil {
		return nil, q.assetErr("stream "+StreamResults, err)
	}
	if q.files, err = ensure(ctx, nc, js.CreateObjectStore, js.UpdateObjectStore, jetstream.ObjectStoreConfig{
		Bucket:      BucketFiles,
		Description: "Evident: original files by SHA-256",
		Replicas:    cfg.Replicas,
		Storage:     jetstream.FileStorage,
	}); err != nil {
		return nil, q.assetErr("bucket "+BucketFiles, err)
	}
	if q.results, err = ensure(ctx, nc, js.CreateObjectStore, js.UpdateObjectStore, jetstream.ObjectStoreConfig{
		Bucket:      BucketResults,
		Description: "Evident: extracted passages waiting for the indexer",
		Replicas:    cfg.Replicas,
		Storage:     jetstream.FileStorage,
	}); err != nil {
		return nil, q.assetErr("bucket "+BucketResults, err)
	}
	if q.workers, err = q.consumer(ctx, StreamJobs, q.workersConfig()); err != nil {
		return nil, fmt.Errorf("queue: consumer %s: %w", ConsumerWorkers, err)
	}
	return q, nil
}

func (q *Queue) workersConfig() jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:     ConsumerWorkers,
		Description: "all Evident workers share this consumer",
		AckPolicy:   jetstream.AckExplicitPolicy,
		AckWait:     q.cfg.AckWait,
		// No limit: deliveries are not attempts (see Job.Tried), and a job
		// past its attempts must come back until its failure is recorded.
		// A limit would leave the message in the stream and the document
		// queued for ever.
		MaxDeliver:    -1,
		MaxAckPending: 1024,
		FilterSubject: subjectJobs + ">",
	}
}

// ResetWorkers hands every job that workers took and never finished back
// at once, instead of after AckWait: it recreates the workers' consumer,
// which then delivers every job left in the stream again. Call it only
// when no worker can be alive, as on the start of the process that ran
// the embedded NATS server and every worker that used it.
func (q *Queue) ResetWorkers(ctx context.Context) error {
	if err := q.js.DeleteConsumer(ctx, StreamJobs, ConsumerWorkers); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return fmt.Errorf("queue: consumer %s: %w", ConsumerWorkers, err)
	}
	var err error
	if q.workers, err = q.consumer(ctx, StreamJobs, q.workersConfig()); err != nil {
		return fmt.Errorf("queue: consumer %s: %w", ConsumerWorkers, err)
	}
	return nil
}

// ResetIndexer hands every result the indexer took and never acknowledged
// back at once, instead of after its AckWait. Only the process that holds
// the data folder runs the indexer: it calls this as it starts.
func (q *Queue) ResetIndexer(ctx context.Context) error {
	if err := q.js.DeleteConsumer(ctx, StreamResults, ConsumerIndexer); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return fmt.Errorf("queue: consumer %s: %w", ConsumerIndexer, err)
	}
	q.indexer = nil
	return nil
}

// DeleteConsumers deletes the workers' and the indexer's consumers, as a
// private queue's process stops: the jobs and results they had not
// finished stay in the streams, and the consumers that the next Open and
// ResetWorkers create deliver them again. Call it only when no worker and
// no indexer uses the queue any more.
func (q *Queue) DeleteConsumers(ctx context.Context) error {
	var errs []error
	for _, c := range []struct{ stream, name string }{{StreamJobs, ConsumerWorkers}, {StreamResults, ConsumerIndexer}} {
		if err := q.js.DeleteConsumer(ctx, c.stream, c.name); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
			errs = append(errs, fmt.Errorf("queue: consumer %s: %w", c.name, err))
		}
	}
	q.indexer = nil
	return errors.Join(errs...)
}

// Live reports whether a document has a job or a result in the streams:
// waiting, being worked on or waiting for the indexer.
func (q *Queue) Live(ctx context.Context, sha string) (bool, error) {
	for _, s := range []struct {
		stream jetstream.Stream
		prefix string
	}{{q.jobs, subjectJobs}, {q.resS, subjectResults}} {
		found := false
		err := retry(ctx, q.nc, tryTimeout, func(ctx context.Context) error {
			_, err := s.stream.GetLastMsgForSubject(ctx, s.prefix+sha)
			found = err == nil
			if errors.Is(err, jetstream.ErrMsgNotFound) {
				return nil
			}
			return err
		})
		if err != nil {
			return false, fmt.Errorf("queue: %s: %w", short(sha), err)
		}
		if found {
			return true, nil
		}
	}
	return false, nil
}

// Drop removes a document's waiting jobs from the stream.
func (q *Queue) Drop(ctx context.Context, sha string) error {
	if err := q.jobs.Purge(ctx, jetstream.WithPurgeSubject(subjectJobs+sha)); err != nil {
		return fmt.Errorf("queue: dropping the jobs of %s: %w", short(sha), err)
	}
	return nil
}

// Conn returns the NATS connection.
func (q *Queue) Conn() *nats.Conn { return q.nc }

// Config returns the delivery settings in force.
func (q *Queue) Config() Config { return q.cfg }

// HasFile reports whether the original bytes with this hash are stored.
func (q *Queue) HasFile(ctx context.Context, sha string) (bool, error) {
	var has bool
	err := retry(ctx, q.nc, tryTimeout, func(ctx context.Context) error {
		_, err := q.files.GetInfo(ctx, sha)
		has = err == nil
		if errors.Is(err, jetstream.ErrObjectNotFound) {
			return nil
		}
		return err
	})
	return has, err
}

// PutFile stores original bytes under their hash, unless already there.
func (q *Queue) PutFile(ctx context.Context, sha, name string, r io.Reader) error {
	if ok, err := q.HasFile(ctx, sha); err != nil {
		return fmt.Errorf("queue: %s: %w", name, err)
	} else if ok {
		return nil
	}
	put := func(ctx context.Context) error {
		_, err := q.files.Put(ctx, jetstream.ObjectMeta{Name: sha, Description: name}, r)
		return err
	}
	var err error
	if rs, ok := r.(io.ReadSeeker); ok {
		// A try lost with its server is tried again from the same place.
		var at int64
		if at, err = rs.Seek(0, io.SeekCurrent); err == nil {
			err = retry(ctx, q.nc, 0, func(ctx context.Context) error {
				if _, err := rs.Seek(at, io.SeekStart); err != nil {
					return err
				}
				return put(ctx)
			})
		}
	} else {
		err = put(ctx)
	}
	if err != nil {
		return fmt.Errorf("queue: storing %s: %w", name, err)
	}
	return nil
}

// File fetches original bytes by hash, into a buffer of their size: a
// growing buffer would take twice the file's size at its peak.
func (q *Queue) File(ctx context.Context, sha string) ([]byte, error) {
	obj, err := q.files.Get(ctx, sha)
	if err != nil {
		return nil, fmt.Errorf("queue: original %s: %w", short(sha), err)
	}
	defer obj.Close()
	info, err := obj.Info()
	if err != nil {
		return nil, fmt.Errorf("queue: original %s: %w", short(sha), err)
	}
	b := make([]byte, info.Size)
	if _, err := io.ReadFull(obj, b); err != nil {
		return nil, fmt.Errorf("queue: original %s: %w", short(sha), err)
	}
	return b, nil
}

// DeleteResult removes a stored result payload that will not be
// published (best effort: the indexer never reads it).
func (q *Queue) DeleteResult(ctx context.Context, name string, parts int) {
	q.deleteParts(ctx, name, parts)
}

// DeleteFile removes stored original bytes.
func (q *Queue) DeleteFile(ctx context.Context, sha string) error {
	err := q.files.Delete(ctx, sha)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil
	}
	return err
}

// Publish queues a job. Its message id names the document, its metadata
// and its run, so that a publication repeated after a lost reply is
// stored once, and a job is never taken for a duplicate of an earlier run:
// should that happen all the same, Publish says so (ErrDuplicateJob)
// rather than leave the document waiting for a job that never comes.
func (q *Queue) Publish(ctx context.Context, job Job) error {
	data, err := json.Marshal(job)
	if err != nil {
		return err
	}
	id := fmt.Sprintf("%s:%s:%d", job.SHA256, JobVersion(job), job.Run)
	// The message id makes a try that was stored after all, its answer
	// lost, a duplicate: of this job, not of an earlier one.
	var ack *jetstream.PubAck
	tries := 0
	err = retry(ctx, q.nc, tryTimeout, func(ctx context.Context) error {
		tries++
		ack, err = q.js.Publish(ctx, subjectJobs+job.SHA256, data, jetstream.WithMsgID(id))
		return err
	})
	if err != nil {
		return fmt.Errorf("queue: publishing job for %s: %w", job.File, err)
	}
	if ack.Duplicate && tries == 1 {
		return fmt.Errorf("queue: job for %s, run %d: %w", job.File, job.Run, ErrDuplicateJob)
	}
	return nil
}

// JobVersion tells apart jobs for the same bytes with different metadata.
func JobVersion(job Job) string {
	meta, _ := json.Marshal(job.Meta)
	return shortHash(string(meta) + job.FolderRole)
}

// Pending returns the hashes that have a job, and those that have a
// result, waiting in the streams, so that a restart can tell lost jobs
// from queued ones.
func (q *Queue) Pending(ctx context.Context) (jobs, results map[string]bool, err error) {
	jobs, results = map[string]bool{}, map[string]bool{}
	for _, s := range []struct {
		stream jetstream.Stream
		prefix string
		into   map[string]bool
	}{{q.jobs, subjectJobs, jobs}, {q.resS, subjectResults, results}} {
		info, err := s.stream.Info(ctx, jetstream.WithSubjectFilter(s.prefix+">"))
		if err != nil {
			return nil, nil, fmt.Errorf("queue: %w", err)
		}
		for subj := range info.State.Subjects {
			s.into[strings.TrimPrefix(subj, s.prefix)] = true
		}
	}
	return jobs, results, nil
}

// Delivery is one job handed to one worker.
type Delivery struct {
	Job     Job
	Attempt int // 1 for the first delivery
	// Delivered counts how many times JetStream handed this message out,
	// this time included: a job put back for later (Later) comes back as
	// the same message, so this grows while a full disk keeps it waiting.
	Delivered int
	q         *Queue
	msg       jetstream.Msg
}

// Final reports whether attempts are used up: the worker must record the
// failure instead of trying again.
func (d *Delivery) Final() bool { return d.Job.Tried >= d.q.cfg.MaxAttempts }

// nextWait bounds one pull for a job, and so how long a worker takes to
// notice that it must stop: a one-shot `evident ingest` waits for it
// before it exits. An idle worker pulls ten times a second, a cost too
// small to see on the server.
const nextWait = 100 * time.Millisecond

// Next waits for the next job. It returns ctx.Err() when ctx ends.
func (q *Queue) Next(ctx context.Context) (*Delivery, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		msg, err := q.pull(ctx)
		if err == nil && ctx.Err() != nil {
			q.handBack(msg)
			return nil, ctx.Err()
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if errors.Is(err, nats.ErrTimeout) || errors.Is(err, jetstream.ErrNoMessages) || errors.Is(err, context.DeadlineExceeded) {
				continue
			}
			// A lost connection or a deleted consumer: wait and try again.
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(500 * time.Millisecond):
			}
			continue
		}
		d := &Delivery{q: q, msg: msg}
		if err := json.Unmarshal(msg.Data(), &d.Job); err != nil || d.Job.SHA256 == "" {
			// Not ours to repair: drop it so it does not loop forever.
			msg.TermWithReason("undecodable job")
			continue
		}
		if wait := time.Until(d.Job.NotBefore); wait > 0 {
			msg.NakWithDelay(wait) // a failed job waiting for its next attempt
			continue
		}
		d.Attempt = d.Job.Tried + 1
		d.Delivered = 1
		if md, err := msg.Metadata(); err == nil {
			d.Delivered = int(md.NumDelivered)
		}
		return d, nil
	}
}

// pull waits for one job, up to nextWait. The pull is bounded by time,
// not by ctx: a fetch abandoned when ctx ends can still be handed a job by
// the server, which the client then drops; the job would sit
// unacknowledged for a whole AckWait (after a restart too) and count as
// an attempt. Instead, a job that arrives after ctx ended is handed back
// at once (Next). A private queue, whose server no other process uses,
// waits until a job comes or ctx ends, and then gives the pull up: its
// next start resets the consumer, so a job dropped so comes back at once
// and spends no attempt. Its pull has no deadline of its own, which the
// client would keep to the letter: a job the server sent just before the
// pull expired, and that arrived after, would be dropped.
func (q *Queue) pull(ctx context.Context) (jetstream.Msg, error) {
	if !q.cfg.Private {
		return q.workers.Next(jetstream.FetchMaxWait(nextWait))
	}
	return q.workers.Next(jetstream.FetchContext(ctx))
}

// Heartbeat tells JetStream the job is still being worked on.
func (d *Delivery) Heartbeat() error { return d.msg.InProgress() }

// Release puts the job back for another worker at once (shutdown),
// spending no attempt.
func (d *Delivery) Release() error { return d.q.handBack(d.msg) }

// handBack returns a job to the queue for immediate redelivery.
func (q *Queue) handBack(msg jetstream.Msg) error {
	var job Job
	if err := json.Unmarshal(msg.Data(), &job); err != nil {
		return msg.TermWithReason("undecodable job")
	}
	id := fmt.Sprintf("%s:%s:%d:back:%d", job.SHA256, JobVersion(job), job.Run, time.Now().UnixNano())
	if err := q.replace(msg, job, id); err != nil {
		return fmt.Errorf("queue: handing back the job for %s: %w", job.File, err)
	}
	return nil
}

// Failed records a failed attempt in the job, which comes back for the
// next attempt after delay. This is what spends attempts: a job that
// never reaches Failed (a stop, a crash) keeps its count.
func (d *Delivery) Failed(ctx context.Context, cause string, delay time.Duration) error {
	job := d.Job
	job.Tried++
	job.LastError = cause
	job.NotBefore = time.Now().Add(delay).UTC()
	id := fmt.Sprintf("%s:%s:%d:tried:%d", job.SHA256, JobVersion(job), job.Run, job.Tried)
	if err := d.q.replace(d.msg, job, id); err != nil {
		return fmt.Errorf("queue: recording the failed attempt of %s: %w", job.File, err)
	}
	return nil
}

// replace publishes job in place of msg, then terminates msg. A message's
// data cannot change, and JetStream's delivery count cannot be rewound, so
// this is how a job carries what happened to it. Should the termination be
// lost, msg comes back after its AckWait and the document is processed
// twice, which the indexer tolerates.
func (q *Queue) replace(msg jetstream.Msg, job Job, id string) error {
	data, err := json.Marshal(job)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// A duplicate is a replacement published before, whose termination
	// was lost: terminating msg now is right.
	if _, err := q.js.Publish(ctx, subjectJobs+job.SHA256, data, jetstream.WithMsgID(id)); err != nil {
		return err
	}
	// Ask for the server's reply, so that the termination is recorded
	// before a stop.
	if _, err := q.nc.Request(msg.Reply(), []byte("+TERM replaced"), 5*time.Second); err != nil {
		return err
	}
	return nil
}

// Later puts the job back after a delay, spending no attempt: the worker
// could not record what became of it.
func (d *Delivery) Later(delay time.Duration) error { return d.msg.NakWithDelay(delay) }

// PutResult stores a result's payload in the results bucket as write
// writes it, in parts of at most Config.ResultPart bytes, so that neither the
// worker nor the indexer ever holds more than one part of a payload
// larger than memory. It returns the payload's name and number of parts
// for Result.Object and Result.Parts. An error from write is returned as
// it is, and the parts stored so far are removed; errors of the bucket
// wrap ErrWrite.
func (d *Delivery) PutResult(ctx context.Context, write func(io.Writer) error) (name string, parts int, err error) {
	pw := &partWriter{ctx: ctx, q: d.q, name: fmt.Sprintf("%s.%d.%d", d.Job.SHA256, d.Attempt, time.Now().UnixNano())}
	err = write(pw)
	if err == nil {
		err = pw.flush()
	}
	if err != nil {
		d.q.deleteParts(context.WithoutCancel(ctx), pw.name, pw.parts)
		if pw.err != nil {
			err = fmt.Errorf("queue: storing result for %s: %w: %w", d.Job.File, ErrWrite, pw.err)
		}
		return "", 0, err
	}
	return pw.name, pw.parts, nil
}

// DefaultResultPart is the size of the parts of a result's payload.
const DefaultResultPart = 4 << 20

// partName names part i of a payload.
func partName(name string, i int) string { return fmt.Sprintf("%s.%d", name, i) }

// partWriter stores what is written to it in parts of Config.ResultPart bytes.
type partWriter struct {
	ctx   context.Context
	q     *Queue
	name  string
	buf   []byte
	parts int
	err   error // the bucket's: sticks
}

func (w *partWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		if w.err != nil {
			return n, w.err
		}
		size := w.q.cfg.ResultPart
		k := min(len(p), size-len(w.buf))
		w.buf = append(w.buf, p[:k]...)
		p, n = p[k:], n+k
		if len(w.buf) == size {
			w.flush()
		}
	}
	return n, w.err
}

func (w *partWriter) flush() error {
	if w.err != nil || len(w.buf) == 0 {
		return w.err
	}
	if _, err := w.q.results.PutBytes(w.ctx, partName(w.name, w.parts), w.buf); err != nil {
		w.err = err
		return err
	}
	w.parts++
	w.buf = w.buf[:0]
	return nil
}

func (q *Queue) deleteParts(ctx context.Context, name string, parts int) {
	for i := range parts {
		q.results.Delete(ctx, partName(name, i))
	}
}

// ErrWrite is wrapped by errors of JetStream refusing to store something:
// a full disk, most often (see IsNoSpace). Waiting and trying again is
// the cure, not failing the document.
var ErrWrite = errors.New("JetStream did not store it")

// Done publishes a result, storing payload (if any) in the results bucket,
// and then acknowledges the job. A result whose payload PutResult stored
// names it in Object, and payload is nil. A crash between the two re-runs
// the job, which the indexer tolerates.
func (d *Delivery) Done(ctx context.Context, res Result, payload []byte) error {
	q := d.q
	res.SHA256, res.File, res.Attempt, res.Version = d.Job.SHA256, d.Job.File, d.Attempt, JobVersion(d.Job)
	if payload != nil {
		res.Object = fmt.Sprintf("%s.%d.%d", d.Job.SHA256, d.Attempt, time.Now().UnixNano())
		if _, err := q.results.Put(ctx, jetstream.ObjectMeta{Name: res.Object}, bytes.NewReader(payload)); err != nil {
			return fmt.Errorf("queue: storing result for %s: %w: %w", d.Job.File, ErrWrite, err)
		}
	}
	data, err := json.Marshal(res)
	if err != nil {
		return err
	}
	if _, err := q.js.Publish(ctx, subjectResults+d.Job.SHA256, data); err != nil {
		return fmt.Errorf("queue: publishing result for %s: %w: %w", d.Job.File, ErrWrite, err)
	}
	return d.msg.DoubleAck(ctx)
}

// Notify publishes a best-effort progress event.
func (q *Queue) Notify(event Event) {
	data, _ := json.Marshal(event)
	q.nc.Publish(SubjectEvents, data)
}

// EventKind says what an Event reports.
type EventKind string

// The kinds of Event; the values are the wire's.
const (
	EventProcessing EventKind = "processing" // a worker took the job
	EventRetry      EventKind = "retry"      // an attempt failed; the job comes back (Error says why)
	EventWait       EventKind = "wait"       // the queue could not take the worker's result; the job waits (Error says why)
)

// Event is a progress notice: a worker took a job, an attempt failed, or
// a job waits.
type Event struct {
	SHA256  string    `json:"sha256"`
	Kind    EventKind `json:"kind"`
	Worker  string    `json:"worker"`
	Attempt int       `json:"attempt"`
	Error   string    `json:"error,omitempty"`
}

// AttemptFailed is the reason a document shows while it waits for another
// attempt, and after its failure the attempt before.
func AttemptFailed(attempt int, cause string) string {
	return fmt.Sprintf("attempt %d failed: %s", attempt, cause)
}

// Events subscribes to progress notices until ctx ends.
func (q *Queue) Events(ctx context.Context, fn func(Event)) error {
	sub, err := q.nc.Subscribe(SubjectEvents, func(m *nats.Msg) {
		var e Event
		if json.Unmarshal(m.Data, &e) == nil {
			fn(e)
		}
	})
	if err != nil {
		return err
	}
	<-ctx.Done()
	return sub.Unsubscribe()
}

// ResultDelivery is one result handed to the indexer.
type ResultDelivery struct {
	Result
	// Delivered counts how many times JetStream handed the result to the
	// indexer, this time included.
	Delivered int
	q         *Queue
	msg       jetstream.Msg
}

// Payload fetches the result's passages from the results bucket.
func (r *ResultDelivery) Payload(ctx context.Context) ([]byte, error) {
	if r.Object == "" {
		return nil, nil
	}
	return r.q.results.GetBytes(ctx, r.Object)
}

// Open reads the result's payload from the results bucket, one part at a
// time. It returns an error matching jetstream.ErrObjectNotFound when the
// payload is gone (an acknowledgement that was lost).
func (r *ResultDelivery) Open(ctx context.Context) (io.ReadCloser, error) {
	if r.Parts == 0 {
		data, err := r.Payload(ctx)
		if err != nil {
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(data)), nil
	}
	pr := &partReader{ctx: ctx, r: r}
	if err := pr.next(); err != nil {
		return nil, err
	}
	return pr, nil
}

// partReader reads a payload stored in parts.
type partReader struct {
	ctx  context.Context
	r    *ResultDelivery
	part int // the next part to fetch
	cur  *bytes.Reader
}

func (p *partReader) next() error {
	data, err := p.r.q.results.GetBytes(p.ctx, partName(p.r.Object, p.part))
	if err != nil {
		return fmt.Errorf("queue: part %d of the result for %s: %w", p.part, p.r.File, err)
	}
	p.part++
	p.cur = bytes.NewReader(data)
	return nil
}

func (p *partReader) Read(b []byte) (int, error) {
	for p.cur.Len() == 0 {
		if p.part == p.r.Parts {
			return 0, io.EOF
		}
		if err := p.next(); err != nil {
			return 0, err
		}
	}
	return p.cur.Read(b)
}

func (p *partReader) Close() error { return nil }

// InProgress tells JetStream that the indexer is still applying the
// result, so that it is not handed out again meanwhile.
func (r *ResultDelivery) InProgress() error { return r.msg.InProgress() }

// Ack acknowledges the result and drops its payload. The first part goes
// first: a result whose first part is gone counts as applied (see Open).
func (r *ResultDelivery) Ack(ctx context.Context) error {
	names := []string{r.Object}
	if r.Parts > 0 {
		names = names[:0]
		for i := range r.Parts {
			names = append(names, partName(r.Object, i))
		}
	}
	for _, name := range names {
		if name == "" {
			continue
		}
		if err := r.q.results.Delete(ctx, name); err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
			return err
		}
	}
	return r.msg.DoubleAck(ctx)
}

// Nak hands the result back to be applied again later.
func (r *ResultDelivery) Nak() error { return r.msg.NakWithDelay(time.Second) }

// Later hands the result back to be applied after delay: the disk is full.
func (r *ResultDelivery) Later(delay time.Duration) error { return r.msg.NakWithDelay(delay) }

// UntilDone, as the wait of Results, waits for a first result until one
// comes or the context ends.
const UntilDone time.Duration = -1

// Results returns up to max waiting results, waiting at most wait for the
// first and not at all for the others; with wait 0 it does not wait. Only
// the indexer calls it. With wait UntilDone it waits until a result comes
// or ctx ends, and then gives the wait up: a result the server hands over
// just then stays unacknowledged, in the stream, until ResetIndexer,
// which the indexer's next start calls.
func (q *Queue) Results(ctx context.Context, max int, wait time.Duration) ([]*ResultDelivery, error) {
	if q.indexer == nil {
		c, err := q.consumer(ctx, StreamResults, jetstream.ConsumerConfig{
			Durable:       ConsumerIndexer,
			Description:   "the one Evident indexer",
			AckPolicy:     jetstream.AckExplicitPolicy,
			AckWait:       q.resultAckWait(),
			MaxAckPending: 4096,
			FilterSubject: subjectResults + ">",
		})
		if err != nil {
			return nil, fmt.Errorf("queue: consumer %s: %w", ConsumerIndexer, err)
		}
		q.indexer = c
	}
	// Wait for the first result only, then take whatever else is already
	// there: waiting for a full batch would hold every lone result back
	// for the whole wait.
	var first jetstream.MessageBatch
	var err error
	switch {
	case wait == UntilDone:
		first, err = q.indexer.Fetch(1, jetstream.FetchContext(ctx))
	case wait <= 0:
		first, err = q.indexer.FetchNoWait(1)
	default:
		first, err = q.indexer.Fetch(1, jetstream.FetchMaxWait(wait))
	}
	if err != nil {
		return nil, err
	}
	out, err := q.decodeResults(ctx, first)
	if len(out) == 0 || err != nil || max <= 1 {
		return out, err
	}
	rest, err := q.indexer.FetchNoWait(max - 1)
	if err != nil {
		return out, nil // the first result stands; the rest wait for the next call
	}
	more, err := q.decodeResults(ctx, rest)
	return append(out, more...), err
}

func (q *Queue) decodeResults(ctx context.Context, batch jetstream.MessageBatch) ([]*ResultDelivery, error) {
	var out []*ResultDelivery
	for msg := range batch.Messages() {
		r := &ResultDelivery{q: q, msg: msg, Delivered: 1}
		if md, err := msg.Metadata(); err == nil {
			r.Delivered = int(md.NumDelivered)
		}
		if err := json.Unmarshal(msg.Data(), &r.Result); err != nil {
			msg.TermWithReason("undecodable result")
			continue
		}
		out = append(out, r)
	}
	if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return out, err
	}
	return out, nil
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}

// Depth is how much work waits in the streams.
type Depth struct {
	Waiting  uint64 // jobs no worker has taken yet
	InFlight int    // jobs taken and not yet finished
	Results  uint64 // results waiting for the indexer
}

// Depth reads the workers' consumer and the results stream.
func (q *Queue) Depth(ctx context.Context) (Depth, error) {
	var d Depth
	ci, err := q.workers.Info(ctx)
	if err != nil {
		return d, fmt.Errorf("queue: consumer %s: %w", ConsumerWorkers, err)
	}
	d.Waiting, d.InFlight = ci.NumPending, ci.NumAckPending
	si, err := q.resS.Info(ctx)
	if err != nil {
		return d, fmt.Errorf("queue: stream %s: %w", StreamResults, err)
	}
	d.Results = si.State.Msgs
	return d, nil
}
