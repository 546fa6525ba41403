package itest

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// moduleRoot is the directory of go.mod above the working directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// integrationTagged says whether the file's build constraint line is //go:build integration.
func integrationTagged(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "//go:build "):
			return line == "//go:build integration", nil
		case strings.HasPrefix(line, "//"):
			continue
		default:
			return false, nil // the package clause: no constraint
		}
	}
	return false, sc.Err()
}

func TestPackagesListsEveryIntegrationPackage(t *testing.T) {
	root := moduleRoot(t)
	var found []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		ok, err := integrationTagged(path)
		if err != nil || !ok {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		if pkg := "./" + filepath.ToSlash(rel); !slices.Contains(found, pkg) {
			found = append(found, pkg)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) == 0 {
		t.Fatal("found no integration test files: is the walk starting at the module root?")
	}
	for _, pkg := range found {
		if !slices.Contains(Packages, pkg) {
			t.Errorf("%s has //go:build integration tests but is not in itest.Packages", pkg)
		}
	}
	for _, pkg := range Packages {
		if !slices.Contains(found, pkg) {
			t.Errorf("itest.Packages lists %s, which has no //go:build integration test files", pkg)
		}
	}
	seen := map[string]bool{}
	for _, pkg := range Packages {
		if seen[pkg] {
			t.Errorf("itest.Packages lists %s twice", pkg)
		}
		seen[pkg] = true
	}
}
