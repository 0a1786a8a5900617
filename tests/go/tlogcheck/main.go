// tlogcheck: an independent check of a credstack log with Go's golang.org/x/mod/sumdb/tlog and
// sumdb/note (Debian's golang-golang-x-mod-dev). TEST-ONLY; run by tests/integration/test_tlog_go.py.
//
// Usage: tlogcheck DIR VKEY INDEXES OLDSIZES
// DIR holds checkpoint and tile/ as C2SP tlog-tiles lays them out (no height in the path, entry
// bundles at tile/entries). Prints JSON: the tree, each old size's root, the records checked.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type tiles struct{ dir string }

func (t tiles) Height() int { return 8 }

// c2sp drops the height from Go's tile paths: tile/8/L/N -> tile/L/N, tile/8/data/N -> tile/entries/N.
func c2sp(t tlog.Tile) string {
	p := strings.Replace(t.Path(), "tile/8/", "tile/", 1)
	return strings.Replace(p, "tile/data/", "tile/entries/", 1)
}

func (t tiles) ReadTiles(list []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(list))
	for i, tile := range list {
		data, err := os.ReadFile(filepath.Join(t.dir, c2sp(tile)))
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

func (t tiles) SaveTiles([]tlog.Tile, [][]byte) {}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func ints(arg string) []int64 {
	var out []int64
	for _, s := range strings.Split(arg, ",") {
		if s == "" {
			continue
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			fail(err)
		}
		out = append(out, v)
	}
	return out
}

func main() {
	dir, vkey := os.Args[1], os.Args[2]
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		fail(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil {
		fail(err)
	}
	n, err := note.Open(raw, note.VerifierList(verifier))
	if err != nil {
		fail(err)
	}
	lines := strings.Split(n.Text, "\n")
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail(err)
	}
	rootBytes, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil {
		fail(err)
	}
	var root tlog.Hash
	copy(root[:], rootBytes)
	tree := tlog.Tree{N: size, Hash: root}
	reader := tlog.TileHashReader(tree, tiles{dir})
	th, err := tlog.TreeHash(size, reader)
	if err != nil || th != root {
		fail(fmt.Errorf("tree hash from tiles: %v %v", th, err))
	}
	// Records: read their entry bundles, hash them, prove and check inclusion.
	checked := 0
	for _, i := range ints(os.Args[3]) {
		t := tlog.Tile{H: 8, L: -1, N: i / 256, W: 256}
		if left := size - t.N*256; left < 256 {
			t.W = int(left)
		}
		bundle, err := os.ReadFile(filepath.Join(dir, c2sp(t)))
		if err != nil {
			fail(err)
		}
		var record []byte
		for k, pos := int64(0), 0; k <= i%256; k++ {
			length := int(bundle[pos])<<8 | int(bundle[pos+1])
			record = bundle[pos+2 : pos+2+length]
			pos += 2 + length
		}
		proof, err := tlog.ProveRecord(size, i, reader)
		if err != nil {
			fail(err)
		}
		if err := tlog.CheckRecord(proof, size, root, i, tlog.RecordHash(record)); err != nil {
			fail(fmt.Errorf("record %d: %v", i, err))
		}
		checked++
	}
	old := map[string]string{}
	for _, m := range ints(os.Args[4]) {
		oldHash, err := tlog.TreeHash(m, reader)
		if err != nil {
			fail(err)
		}
		proof, err := tlog.ProveTree(size, m, reader)
		if err != nil {
			fail(err)
		}
		if err := tlog.CheckTree(proof, size, root, m, oldHash); err != nil {
			fail(fmt.Errorf("tree %d: %v", m, err))
		}
		old[strconv.FormatInt(m, 10)] = base64.StdEncoding.EncodeToString(oldHash[:])
	}
	out, _ := json.Marshal(map[string]any{"size": size, "root": lines[2], "records": checked, "old": old})
	fmt.Println(string(out))
}
