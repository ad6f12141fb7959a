package analysis

// pageSize is how many participants one page of a column holds.
const pageSize = 4096

// column holds `stride` values per participant in pages of pageSize
// participants. A slice grown one participant at a time would, at 100 000
// participants, copy itself a dozen times and hold up to a quarter more than
// it uses; the analysis keeps several dozen such columns, and the copies set
// its peak memory. A page, once full, is never moved or reallocated: the
// memory held is what is used, give or take the last page.
type column[T any] struct {
	stride int
	pages  [][]T
	n      int
}

func newColumn[T any](stride int) column[T] { return column[T]{stride: stride} }

// add makes room for one more participant, with zero values.
func (c *column[T]) add() {
	if c.stride == 0 {
		c.n++
		return
	}
	if c.n%pageSize == 0 {
		// A first page grows as a slice does, so a small exchange holds
		// little; later pages are made whole at once.
		size := pageSize * c.stride
		if c.n == 0 {
			size = 0
		}
		c.pages = append(c.pages, make([]T, 0, size))
	}
	last := len(c.pages) - 1
	var zero T
	for range c.stride {
		c.pages[last] = append(c.pages[last], zero)
	}
	c.n++
}

// span is participant i's values.
func (c *column[T]) span(i int) []T {
	off := (i % pageSize) * c.stride
	return c.pages[i/pageSize][off : off+c.stride : off+c.stride]
}

// at is participant i's first (with a stride of 1: only) value.
func (c *column[T]) at(i int) *T {
	return &c.pages[i/pageSize][(i%pageSize)*c.stride]
}

// get is participant i's first value; the zero value in a column of stride
// 0, which holds nothing (an item a wave does not ask).
func (c *column[T]) get(i int) T {
	if c.stride == 0 {
		var zero T
		return zero
	}
	return *c.at(i)
}

func (c *column[T]) len() int { return c.n }
