package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// cleanFile is the record a writer leaves as the last thing it does when
// it closes the data folder cleanly: the index and the database were
// both closed without error, durable, and agreeing as far as this
// process knows. The next writer that finds it, describing the files as
// they still are, skips comparing every document's index entries with
// the database (repair), the one piece of a start whose cost grows with
// the store. The next writer removes it before it writes anything, so
// that a crash leaves none; without it the full comparison runs.
const cleanFile = "clean.json"

// cleanRecord describes the database and the index as a clean close left
// them (see fingerprint).
type cleanRecord struct {
	Fingerprint string    `json:"fingerprint"`
	Closed      time.Time `json:"closed"`
}

// fingerprint hashes the names, sizes and modification times of the
// database's files (not its -shm, nor an empty -wal, which readers leave)
// and of every file
// of the index folder. Any write since the record was made — by an older
// version that knows nothing of the record, a restored backup of one of
// the two, an upgrade by a reading command, a build or swap of index
// generations — changes it. Its cost is a stat per file, not a read.
func fingerprint(data string) (string, error) {
	h := sha256.New()
	add := func(rel string, info fs.FileInfo) {
		fmt.Fprintf(h, "%s\x00%d\x00%d\x00%o\n", rel, info.Size(), info.ModTime().UnixNano(), info.Mode())
	}
	for _, name := range []string{"evident.db", "evident.db-wal"} {
		info, err := os.Stat(filepath.Join(data, name))
		switch {
		case errors.Is(err, fs.ErrNotExist) || err == nil && info.Size() == 0:
			// A reading command leaves an empty log behind: it holds
			// nothing, whatever its time.
			fmt.Fprintf(h, "%s\x00absent\n", name)
		case err != nil:
			return "", err
		default:
			add(name, info)
		}
	}
	root := filepath.Join(data, "index")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == root {
			h.Write([]byte("index\x00absent\n"))
			return nil
		}
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(data, path)
		add(rel, info)
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// takeClean reports whether the last writer closed the folder cleanly and
// nothing changed its database or index since, and removes the record:
// whatever happens from now on, only this process's own clean close may
// vouch for the folder again. Call it holding the lock, before the
// database or the index is opened.
func takeClean(data string) (bool, error) {
	path := filepath.Join(data, cleanFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	var rec cleanRecord
	clean := json.Unmarshal(b, &rec) == nil && rec.Fingerprint != ""
	if clean {
		now, err := fingerprint(data)
		clean = err == nil && now == rec.Fingerprint
	}
	if err := os.Remove(path); err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	// The removal must reach the disk before the first write does.
	if err := syncDir(data); err != nil {
		return false, err
	}
	return clean, nil
}

// putClean writes the record of a clean close. Call it after the index
// and the database are closed, still holding the lock.
func putClean(data string) error {
	fp, err := fingerprint(data)
	if err != nil {
		return err
	}
	b, err := json.Marshal(cleanRecord{Fingerprint: fp, Closed: time.Now().UTC()})
	if err != nil {
		return err
	}
	path := filepath.Join(data, cleanFile)
	tmp := path + ".tmp." + strconv.Itoa(os.Getpid())
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("%s: %w", tmp, err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	err = errors.Join(err, f.Close())
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("%s: %w", path, err)
	}
	return syncDir(data)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	return nil
}
