package legacyxls

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// checkContainer walks the compound file an .xls is stored in (MS-CFB)
// before the library reads it: every chain of sectors — the FAT's own,
// the directory's, the mini stream's, each stream's — must stay within
// the file and end without coming back on itself. The library follows
// chains without either check, and a 22 KB file with a cycle in its mini
// FAT made it loop, growing, to 13 GB; so this runs first, in time and
// memory bounded by the file's size. Where the library departs from the
// format (it reads the mini FAT as consecutive sectors), the check follows
// the library: what matters is what it will do.
func checkContainer(data []byte) error {
	if len(data) < 512 || string(data[:8]) != string(Magic) {
		return errors.New("not a compound file")
	}
	le := binary.LittleEndian
	shift := le.Uint16(data[0x1E:])
	if shift != 9 && shift != 12 {
		return fmt.Errorf("sector size 2^%d", shift)
	}
	size := 1 << shift
	if le.Uint16(data[0x20:]) != 6 {
		return errors.New("mini sector size is not 64")
	}
	sectors := uint32((len(data) - size) / size) // the header takes the first
	if sectors == 0 {
		return errors.New("no sectors")
	}
	sector := func(n uint32) []byte {
		off := (int(n) + 1) * size
		return data[off : off+size]
	}
	const (
		endOfChain = 0xFFFFFFFE
		free       = 0xFFFFFFFF
	)
	// The FAT's own sectors: 109 in the header, the rest in a chain of
	// DIFAT sectors, each ending with the next one's number.
	var fatSectors []uint32
	for i := range 109 {
		if n := le.Uint32(data[0x4C+4*i:]); n != free {
			fatSectors = append(fatSectors, n)
		}
	}
	seen := map[uint32]bool{}
	for n, left := le.Uint32(data[0x44:]), le.Uint32(data[0x48:]); left > 0 && n != endOfChain && n != free; left-- {
		if n >= sectors || seen[n] {
			return errors.New("the DIFAT chain leaves the file or loops")
		}
		seen[n] = true
		s := sector(n)
		for i := 0; i < size/4-1; i++ {
			if m := le.Uint32(s[4*i:]); m != free {
				fatSectors = append(fatSectors, m)
			}
		}
		n = le.Uint32(s[size-4:])
	}
	if uint32(len(fatSectors)) > sectors {
		return errors.New("more FAT sectors than the file has")
	}
	fat := make([]uint32, 0, len(fatSectors)*size/4)
	for _, n := range fatSectors {
		if n >= sectors {
			return errors.New("a FAT sector is outside the file")
		}
		s := sector(n)
		for i := 0; i < size/4; i++ {
			fat = append(fat, le.Uint32(s[4*i:]))
		}
	}
	// chain is the sectors of a chain from start, checked.
	chain := func(table []uint32, start, limit uint32, what string) ([]uint32, error) {
		var out []uint32
		visited := map[uint32]bool{}
		for n := start; n != endOfChain; n = table[n] {
			if n >= uint32(len(table)) || n >= limit || visited[n] {
				return nil, fmt.Errorf("the %s chain leaves the file or loops", what)
			}
			visited[n] = true
			out = append(out, n)
		}
		return out, nil
	}
	dir, err := chain(fat, le.Uint32(data[0x30:]), sectors, "directory")
	if err != nil {
		return err
	}
	// The mini FAT as the library reads it: its sectors one after
	// another from the first, not along the FAT.
	var miniFat []uint32
	if first, n := le.Uint32(data[0x3C:]), le.Uint32(data[0x40:]); n > 0 {
		if first >= sectors || n > sectors-first {
			return errors.New("the mini FAT is outside the file")
		}
		for k := range n {
			s := sector(first + k)
			for i := 0; i < size/4; i++ {
				miniFat = append(miniFat, le.Uint32(s[4*i:]))
			}
		}
	}
	// The library opens the stream named Workbook (or Book) whatever its
	// kind, from the mini FAT when it is shorter than the cutoff, else
	// along the FAT: that chain must end.
	cutoff := uint64(le.Uint16(data[0x38:]))
	for _, d := range dir {
		s := sector(d)
		for e := 0; e+128 <= size; e += 128 {
			entry := s[e : e+128]
			if entry[0x42] == 0 || !isBook(entry) {
				continue
			}
			start, length := le.Uint32(entry[0x74:]), uint64(le.Uint32(entry[0x78:]))
			if length < cutoff {
				if _, err := chain(miniFat, start, uint32(len(miniFat)), "mini FAT"); err != nil {
					return err
				}
				continue
			}
			got, err := chain(fat, start, sectors, "stream")
			if err != nil {
				return err
			}
			if uint64(len(got))*uint64(size) < length {
				return errors.New("the workbook stream is longer than its sectors")
			}
		}
	}
	return nil
}

// isBook tells a directory entry the library takes for the workbook: its
// name, read as the library reads it (the length field's bytes less one,
// as UTF-16), is Workbook or Book.
func isBook(entry []byte) bool {
	n := int(binary.LittleEndian.Uint16(entry[0x40:]))
	if n < 1 || n > 64 {
		return false
	}
	name := make([]rune, 0, 8)
	for i := 0; i+1 < n-1; i += 2 {
		name = append(name, rune(binary.LittleEndian.Uint16(entry[i:])))
	}
	return string(name) == "Workbook" || string(name) == "Book"
}
