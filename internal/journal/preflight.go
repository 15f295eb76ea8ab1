package journal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// bbolt's file format (version 2), as far as preflight reads it. Numbers
// are in the machine's byte order, as bbolt writes them.
const (
	boltMagic        = 0xED0CDAED
	boltVersion      = 2
	boltPageHeader   = 16 // id u64, flags u16, count u16, overflow u32
	boltFreelistFlag = 0x10
	boltNoFreelist   = ^uint64(0)
)

// boltMeta is what preflight needs from a meta page.
type boltMeta struct {
	pageSize       int64
	freelist, pgid uint64 // pgid: the high-water mark, in pages
	txid           uint64
}

// preflight checks, from the file's bytes, that the freelist bbolt will
// load lies inside the file. bbolt trusts the freelist's length and, if
// it is damaged, reads past the file into whatever memory follows its
// mapping: a fault where it runs in its own goroutine, or a freelist made
// of garbage. It must run while the file is locked, so no writer is half-way
// through a commit.
func preflight(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	m, ok := currentMeta(f, fi.Size())
	if !ok {
		return nil // bbolt refuses the file itself
	}
	if m.freelist == boltNoFreelist {
		return errors.New("it holds no saved freelist, which lifeboat always writes")
	}
	if fi.Size() < int64(m.pgid)*m.pageSize || m.freelist >= m.pgid {
		return fmt.Errorf("the file is cut short: %d bytes where the journal needs %d", fi.Size(), int64(m.pgid)*m.pageSize)
	}
	hdr := make([]byte, boltPageHeader+8)
	if _, err := f.ReadAt(hdr, int64(m.freelist)*m.pageSize); err != nil {
		return fmt.Errorf("its freelist page does not read: %w", err)
	}
	flags := binary.NativeEndian.Uint16(hdr[8:])
	count := uint64(binary.NativeEndian.Uint16(hdr[10:]))
	overflow := uint64(binary.NativeEndian.Uint32(hdr[12:]))
	if flags != boltFreelistFlag {
		return fmt.Errorf("page %d should be the freelist but is not (flags %#x)", m.freelist, flags)
	}
	pages := overflow + 1
	if m.freelist+pages > m.pgid {
		return fmt.Errorf("its freelist (page %d) runs past the last page", m.freelist)
	}
	room := (pages*uint64(m.pageSize) - boltPageHeader) / 8 // entries that fit
	if count == 0xFFFF {
		// The real count is in the first entry.
		if count = binary.NativeEndian.Uint64(hdr[boltPageHeader:]); count < room {
			count++
		}
	}
	if count > room {
		return fmt.Errorf("its freelist (page %d) claims %d entries where %d fit", m.freelist, count, room)
	}
	return nil
}

// currentMeta finds the meta page bbolt will use: of the two, the valid
// one with the highest transaction ID.
func currentMeta(f io.ReaderAt, size int64) (boltMeta, bool) {
	m0, ok0 := readMeta(f, 0)
	pageSize := m0.pageSize
	if !ok0 {
		// Like bbolt, look for the second meta at every page size.
		for ps := int64(1024); ps <= 1024<<14 && ps < size-1024; ps <<= 1 {
			if m, ok := readMeta(f, ps); ok && m.pageSize == ps {
				return m, true
			}
		}
		return boltMeta{}, false
	}
	m1, ok1 := readMeta(f, pageSize)
	if ok1 && m1.pageSize == pageSize && m1.txid > m0.txid {
		return m1, true
	}
	return m0, true
}

func readMeta(f io.ReaderAt, off int64) (boltMeta, bool) {
	buf := make([]byte, boltPageHeader+64)
	if n, _ := f.ReadAt(buf, off); n < len(buf) {
		return boltMeta{}, false
	}
	m := buf[boltPageHeader:]
	h := fnv.New64a()
	h.Write(m[:56]) // every field before the checksum
	if binary.NativeEndian.Uint32(m[0:]) != boltMagic || binary.NativeEndian.Uint32(m[4:]) != boltVersion ||
		binary.NativeEndian.Uint64(m[56:]) != h.Sum64() {
		return boltMeta{}, false
	}
	ps := int64(binary.NativeEndian.Uint32(m[8:]))
	if ps < 512 || ps&(ps-1) != 0 {
		return boltMeta{}, false
	}
	return boltMeta{
		pageSize: ps,
		freelist: binary.NativeEndian.Uint64(m[32:]),
		pgid:     binary.NativeEndian.Uint64(m[40:]),
		txid:     binary.NativeEndian.Uint64(m[48:]),
	}, true
}
