package queue

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"

	"github.com/nats-io/nats.go/jetstream"
)

// Original bytes live in one of two buckets. BucketFiles holds those of
// documents on their way (queued, processing); BucketKept those that
// stay: failed documents' (for a retry) and those kept on request once
// indexed (a process with engine.Options.KeepFiles leaves every file's in
// BucketFiles, as none leaves). Apart, the bytes of the many documents
// that are indexed and leave (DiscardFile) never share JetStream's blocks
// with those that stay: a block is given back to the disk only once
// every message in it is gone (or by a compaction every two minutes,
// never of the last block).

// HasFile reports whether the original bytes with this hash are stored.
func (q *Queue) HasFile(ctx context.Context, sha string) (bool, error) {
	info, _, err := q.fileInfo(ctx, sha)
	return info != nil, err
}

// fileInfo finds stored bytes in either bucket; nil when in neither.
func (q *Queue) fileInfo(ctx context.Context, sha string) (*jetstream.ObjectInfo, jetstream.ObjectStore, error) {
	var info *jetstream.ObjectInfo
	var in jetstream.ObjectStore
	err := retry(ctx, q.nc, tryTimeout, func(ctx context.Context) error {
		for _, obs := range []jetstream.ObjectStore{q.files, q.kept} {
			i, err := obs.GetInfo(ctx, sha)
			if errors.Is(err, jetstream.ErrObjectNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			info, in = i, obs
			return nil
		}
		info, in = nil, nil
		return nil
	})
	return info, in, err
}

// keepKey marks stored bytes kept on request: DiscardFile leaves them.
const keepKey = "evident-keep"

// PutFile stores original bytes under their hash, unless already there.
// With keep they are marked to stay once their document is indexed (see
// DiscardFile); bytes already stored are marked then too.
func (q *Queue) PutFile(ctx context.Context, sha, name string, r io.Reader, keep bool) error {
	info, obs, err := q.fileInfo(ctx, sha)
	if err != nil {
		return fmt.Errorf("queue: %s: %w", name, err)
	}
	if info != nil {
		if !keep || info.Metadata[keepKey] != "" {
			return nil
		}
		meta := info.ObjectMeta
		meta.Metadata = maps.Clone(meta.Metadata)
		if meta.Metadata == nil {
			meta.Metadata = map[string]string{}
		}
		meta.Metadata[keepKey] = "1"
		if err := obs.UpdateMeta(ctx, sha, meta); err != nil {
			return fmt.Errorf("queue: keeping %s: %w", name, err)
		}
		return nil
	}
	meta := jetstream.ObjectMeta{Name: sha, Description: name}
	if keep {
		meta.Metadata = map[string]string{keepKey: "1"}
	}
	put := func(ctx context.Context) error {
		_, err := q.files.Put(ctx, meta, r)
		return err
	}
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

// ErrFileGone is wrapped by File's error when the bytes are not stored:
// removed once their document was indexed (DiscardFile), or lost.
var ErrFileGone = errors.New("the original bytes are no longer in the queue's store")

// File fetches original bytes by hash, into a buffer of their size: a
// growing buffer would take twice the file's size at its peak.
func (q *Queue) File(ctx context.Context, sha string) ([]byte, error) {
	obj, err := q.files.Get(ctx, sha)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		obj, err = q.kept.Get(ctx, sha)
	}
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, fmt.Errorf("queue: original %s: %w", short(sha), ErrFileGone)
	}
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

// StoredFiles is about how many files' bytes BucketFiles holds (those of
// failed documents apart): each holds two subjects (its entry and its
// chunks) in the bucket's stream, as no removal here leaves a deletion
// marker behind. It costs one stream info, whatever the number of files.
func (q *Queue) StoredFiles(ctx context.Context) (int, error) {
	info, err := q.filesS.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("queue: bucket %s: %w", BucketFiles, err)
	}
	return int(info.State.NumSubjects+1) / 2, nil
}

// StoredFile is one file's bytes in BucketFiles.
type StoredFile struct {
	SHA256 string
	Kept   bool // kept on request: DiscardFile leaves it
}

// Files lists the files' bytes in BucketFiles (those of failed documents
// apart).
func (q *Queue) Files(ctx context.Context) ([]StoredFile, error) {
	list, err := q.files.List(ctx)
	if errors.Is(err, jetstream.ErrNoObjectsFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("queue: listing bucket %s: %w", BucketFiles, err)
	}
	out := make([]StoredFile, 0, len(list))
	for _, o := range list {
		out = append(out, StoredFile{SHA256: o.Name, Kept: o.Metadata[keepKey] != ""})
	}
	return out, nil
}

// DeleteFile removes stored original bytes, kept or not.
func (q *Queue) DeleteFile(ctx context.Context, sha string) error {
	if err := q.purge(ctx, q.filesS, q.files, BucketFiles, sha); err != nil {
		return err
	}
	return q.purge(ctx, q.keptS, q.kept, BucketKept, sha)
}

// DiscardFile removes stored original bytes unless they were kept on
// request (PutFile with keep). It reports whether bytes were removed.
func (q *Queue) DiscardFile(ctx context.Context, sha string) (bool, error) {
	gone := false
	for _, b := range []struct {
		obs    jetstream.ObjectStore
		st     jetstream.Stream
		bucket string
	}{{q.files, q.filesS, BucketFiles}, {q.kept, q.keptS, BucketKept}} {
		info, err := b.obs.GetInfo(ctx, sha)
		if errors.Is(err, jetstream.ErrObjectNotFound) {
			continue
		}
		if err != nil {
			return gone, fmt.Errorf("queue: original %s: %w", short(sha), err)
		}
		if info.Metadata[keepKey] != "" {
			return gone, nil
		}
		if err := q.purgeInfo(ctx, b.st, b.bucket, info); err != nil {
			return gone, fmt.Errorf("queue: removing original %s: %w", short(sha), err)
		}
		gone = true
	}
	return gone, nil
}

// ParkFile moves bytes that stay (a failed document's, or kept ones) from
// BucketFiles to BucketKept. A crash between the copy and the removal
// leaves them in both, which a later ParkFile mends.
func (q *Queue) ParkFile(ctx context.Context, sha string) error {
	info, err := q.files.GetInfo(ctx, sha)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("queue: original %s: %w", short(sha), err)
	}
	if _, err := q.kept.GetInfo(ctx, sha); errors.Is(err, jetstream.ErrObjectNotFound) {
		obj, err := q.files.Get(ctx, sha)
		if err != nil {
			return fmt.Errorf("queue: original %s: %w", short(sha), err)
		}
		_, err = q.kept.Put(ctx, info.ObjectMeta, obj)
		obj.Close()
		if err != nil {
			return fmt.Errorf("queue: keeping the original %s of a failed document: %w", short(sha), err)
		}
	} else if err != nil {
		return fmt.Errorf("queue: original %s: %w", short(sha), err)
	}
	if err := q.purgeInfo(ctx, q.filesS, BucketFiles, info); err != nil {
		return fmt.Errorf("queue: original %s: %w", short(sha), err)
	}
	return nil
}

// purge removes an object and its entry from a bucket (see purgeInfo).
func (q *Queue) purge(ctx context.Context, st jetstream.Stream, obs jetstream.ObjectStore, bucket, name string) error {
	info, err := obs.GetInfo(ctx, name, jetstream.GetObjectInfoShowDeleted())
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return q.purgeInfo(ctx, st, bucket, info)
}

// purgeInfo removes an object's chunks, then its entry, from the bucket's
// stream. The object store's own Delete leaves a deletion marker in the
// entry's place, and a marker keeps the stream's last block, with every
// deleted byte in it, on disk: JetStream never compacts its last block.
// The chunks go first: a crash between the two leaves an entry without
// bytes, which the next start's sweep removes, never bytes that no entry
// names.
func (q *Queue) purgeInfo(ctx context.Context, st jetstream.Stream, bucket string, info *jetstream.ObjectInfo) error {
	if info.NUID != "" {
		if err := st.Purge(ctx, jetstream.WithPurgeSubject("$O."+bucket+".C."+info.NUID)); err != nil {
			return err
		}
	}
	return st.Purge(ctx, jetstream.WithPurgeSubject("$O."+bucket+".M."+base64.URLEncoding.EncodeToString([]byte(info.Name))))
}
