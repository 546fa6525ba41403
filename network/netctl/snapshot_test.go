package netctl

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestParsePending_ReadsTheBlocksOfPendingRequests(t *testing.T) {
	for out, want := range map[string][]uint64{
		"Successfully got pending snapshot requests: []\n":      nil,
		"Successfully got pending snapshot requests: [12 40]\n": {12, 40},
	} {
		got, err := parsePending(out)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%q: %v, %v; want %v", out, got, err, want)
		}
	}
	if _, err := parsePending("Error: failed to list pending requests: access denied"); err == nil {
		t.Error("an error answer was read as a list")
	}
}

// snapshotDir writes a directory shaped like a Fabric snapshot: data files and both metadata files.
func snapshotDir(t *testing.T, channel string, block int, hash string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"public_state.data":              "state",
		"txids.data":                     "txids",
		snapshotSignableMetadata:         `{"channel_name":"` + channel + `","last_block_number":` + strconv.Itoa(block) + `,"snapshot_files_raw_hashes":{}}`,
		snapshotAdditionalMetadata:       `{"snapshot_hash":"` + hash + `","last_block_commit_hash":"00"}`,
		"confighistory.data":             "config",
		"private_state_hashes.metadata":  "m",
		"public_state.metadata":          "m",
		"private_state_hashes.data":      "d",
		"confighistory.metadata":         "m",
		"txids.metadata":                 "m",
		"unrelated-but-plain-file.extra": "x",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSnapshotPack_RoundTripsAndKeepsItsMetadata(t *testing.T) {
	dir := snapshotDir(t, "ipledger", 7, "abc123")
	var buf bytes.Buffer
	if err := writeSnapshotTar(&buf, dir); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "7")
	info, err := unpackSnapshot(buf.Bytes(), out)
	if err != nil {
		t.Fatal(err)
	}
	if info.Channel != "ipledger" || info.LastBlock != 7 || info.Hash != "abc123" {
		t.Errorf("metadata after the round trip: %+v", info)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 11 {
		t.Errorf("%d files unpacked, want 11", len(entries))
	}
}

func TestUnpackSnapshot_RefusesPathsOutsideItsDirectory(t *testing.T) {
	for _, name := range []string{"../escape", "/etc/x", "sub/file"} {
		var buf bytes.Buffer
		gz := gzip.NewWriter(&buf)
		tw := tar.NewWriter(gz)
		_ = tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: 1, Typeflag: tar.TypeReg})
		_, _ = tw.Write([]byte("x"))
		_ = tw.Close()
		_ = gz.Close()
		base := t.TempDir()
		if _, err := unpackSnapshot(buf.Bytes(), filepath.Join(base, "in")); err == nil || !strings.Contains(err.Error(), "not a plain file") {
			t.Errorf("%q: %v", name, err)
		}
		if _, err := os.Stat(filepath.Join(base, "escape")); err == nil {
			t.Errorf("%q was written outside", name)
		}
	}
	if _, err := unpackSnapshot([]byte("not gzip"), t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a packed snapshot") {
		t.Errorf("a file that is not a tar.gz: %v", err)
	}
}

func TestCheckSnapshot_RefusesAnotherChannelAndAnotherHash(t *testing.T) {
	info := &SnapshotInfo{Channel: "ipledger", LastBlock: 9, Hash: "aa"}
	if err := checkSnapshot(info, "ipledger", ""); err != nil {
		t.Errorf("no second hash: %v", err)
	}
	if err := checkSnapshot(info, "ipledger", "AA"); err != nil {
		t.Errorf("the same hash in capitals: %v", err)
	}
	if err := checkSnapshot(info, "ipledger", "bb"); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("another hash: %v", err)
	}
	if err := checkSnapshot(info, "other", ""); err == nil || !strings.Contains(err.Error(), "not \"other\"") {
		t.Errorf("another channel: %v", err)
	}
}

func TestParseJoinSource_ChecksTheFileAndItsForm(t *testing.T) {
	if s, err := ParseJoinSource("genesis", ""); err != nil || !s.Genesis {
		t.Errorf("genesis: %+v, %v", s, err)
	}
	if _, err := ParseJoinSource("genesis", "aa"); err == nil {
		t.Error("genesis with a snapshot hash accepted")
	}
	if _, err := ParseJoinSource("latest", ""); err == nil || !strings.Contains(err.Error(), "genesis or snapshot:FILE@SHA256") {
		t.Errorf("an unknown source: %v", err)
	}
	file := filepath.Join(t.TempDir(), "snapshot-ipledger-7.tar.gz")
	if err := os.WriteFile(file, []byte("content"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("content"))
	if _, err := ParseJoinSource("snapshot:"+file, ""); err == nil || !strings.Contains(err.Error(), "no sha256 to compare") {
		t.Errorf("without its sha256: %v", err)
	}
	if _, err := ParseJoinSource("snapshot:"+file+"@"+strings.Repeat("0", 64), ""); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("with another sha256: %v", err)
	}
	s, err := ParseJoinSource("snapshot:"+file+"@"+hex.EncodeToString(sum[:]), " AB ")
	if err != nil || s.Genesis || string(s.Snapshot) != "content" || s.SnapshotHash != "ab" {
		t.Errorf("a checked snapshot: %+v, %v", s, err)
	}
	if _, err := s.inspect("ipledger"); err == nil || !strings.Contains(err.Error(), "not a packed snapshot") {
		t.Errorf("a file that is not a snapshot: %v", err)
	}
}

// A joining bank's snapshot is compared with a second member's: without its snapshot_hash it is refused
// before the file is read; with it, it is read as ParseJoinSource reads it.
func TestParseJoiningSource_ASnapshotNeedsASecondMembersHash(t *testing.T) {
	file := filepath.Join(t.TempDir(), "snapshot-ipledger-7.tar.gz")
	if err := os.WriteFile(file, []byte("content"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("content"))
	from := "snapshot:" + file + "@" + hex.EncodeToString(sum[:])
	for _, h := range []string{"", "  "} {
		if _, err := ParseJoiningSource(from, h); err == nil || !strings.Contains(err.Error(), "needs --snapshot-hash") {
			t.Errorf("a snapshot without a second hash (%q): %v", h, err)
		}
	}
	if s, err := ParseJoiningSource(from, "AB"); err != nil || s.SnapshotHash != "ab" {
		t.Errorf("with a second hash: %+v, %v", s, err)
	}
	if s, err := ParseJoiningSource("genesis", ""); err != nil || !s.Genesis {
		t.Errorf("genesis: %+v, %v", s, err)
	}
}
