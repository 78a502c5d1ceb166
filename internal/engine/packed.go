package engine

import (
	"encoding/binary"
	"math"
)

// packedCounts is a fixed number of Counts kept as narrow integers: good
// and bad (total less good) each as an offset from a base in as few bytes
// as the values held need, 0, 1, 2, 4 or 8. A series' checkpoints are
// whole numbers of events close to each other (the minutes of an hour, the
// hours of a window), so most take one to four bytes rather than sixteen.
// Once a value is not a whole number (a fractional count from Prometheus,
// a slice's share) the whole array falls back to float64s, so every value
// reads back exactly as it was written.
type packedCounts struct {
	n         int
	good, bad packedInts
	floats    []Counts // non-nil once a value was not a whole number
}

func newPackedCounts(n int) packedCounts { return packedCounts{n: n} }

func (p *packedCounts) len() int { return p.n }

func (p *packedCounts) get(i int) Counts {
	if p.floats != nil {
		return p.floats[i]
	}
	g := p.good.get(i)
	return Counts{Good: float64(g), Total: float64(g + p.bad.get(i))}
}

// resized returns the values in a ring of n slots, no fewer than p has:
// those of the keys up to newest, as many as p holds, each in its slot of
// the new ring, the other slots zero. When zero is every array's base,
// as before a series' ring has turned, it copies their bytes as they are.
func (p *packedCounts) resized(n int, newest int64) packedCounts {
	out := newPackedCounts(n)
	from := newest - int64(p.n) + 1
	switch {
	case p.floats != nil:
		out.floats = make([]Counts, n)
		for k := from; k <= newest; k++ {
			out.floats[slot(k, n)] = p.floats[slot(k, p.n)]
		}
	case p.good.base == 0 && p.bad.base == 0:
		gw, bw := p.good.width, p.bad.width
		out.good = packedInts{width: gw, data: make([]byte, gw*n)}
		out.bad = packedInts{width: bw, data: make([]byte, bw*n)}
		for k := from; k <= newest; k++ {
			i, j := slot(k, n), slot(k, p.n)
			copy(out.good.data[gw*i:gw*(i+1)], p.good.data[gw*j:])
			copy(out.bad.data[bw*i:bw*(i+1)], p.bad.data[bw*j:])
		}
	default:
		for k := from; k <= newest; k++ {
			out.set(slot(k, n), p.get(slot(k, p.n)))
		}
	}
	return out
}

// maxExact is the largest magnitude float64 holds every whole number to.
const maxExact = 1 << 53

func whole(v float64) (int64, bool) {
	if v != math.Trunc(v) || v < -maxExact || v > maxExact {
		return 0, false // also NaN and the infinities
	}
	return int64(v), true
}

func (p *packedCounts) set(i int, c Counts) {
	if p.floats == nil {
		g, okG := whole(c.Good)
		t, okT := whole(c.Total)
		if okG && okT && t-g >= -maxExact && t-g <= maxExact {
			p.good.set(i, g, p.n)
			p.bad.set(i, t-g, p.n)
			return
		}
		floats := make([]Counts, p.n)
		for k := range p.n {
			floats[k] = p.get(k)
		}
		p.floats, p.good, p.bad = floats, packedInts{}, packedInts{}
	}
	p.floats[i] = c
}

// addRange adds c to count slots from slot from on, wrapping at the end,
// each as set(i, get(i).add(c)) would: what a late point does to the
// running totals after it. It checks c once, not per slot, and whether
// the sums stay exact once per width, leaves a part of c that is zero
// alone (the bad events of good ones), and does not narrow at slot 0: the
// ring's turn, which writes every slot, does.
func (p *packedCounts) addRange(from, count int, c Counts) {
	if c == (Counts{}) {
		return
	}
	g, okG := whole(c.Good)
	t, okT := whole(c.Total)
	ints := okG && okT
	b := t - g
	safe, gw, bw := false, -1, -1
	for j := range count {
		i := from + j
		if i >= p.n {
			i -= p.n
		}
		if p.floats != nil {
			p.floats[i] = p.floats[i].add(c)
			continue
		}
		if !ints {
			p.set(i, p.get(i).add(c)) // to floats
			continue
		}
		if gw != p.good.width || bw != p.bad.width || !safe {
			gw, bw = p.good.width, p.bad.width
			safe = p.addStaysExact(g, b, t)
		}
		if !safe {
			good, bad := p.good.get(i)+g, p.bad.get(i)+b
			if !exact(good) || !exact(bad) || !exact(good+bad) {
				p.set(i, p.get(i).add(c)) // to floats
				continue
			}
		}
		if g != 0 {
			p.good.store(i, p.good.get(i)+g, p.n, false)
		}
		if b != 0 {
			p.bad.store(i, p.bad.get(i)+b, p.n, false)
		}
	}
}

// addStaysExact reports whether adding g good and b bad events (t in
// all) to any value the present widths allow stays exact, so that no
// slot of those widths needs checking one by one.
func (p *packedCounts) addStaysExact(g, b, t int64) bool {
	glo, ghi := p.good.bounds()
	blo, bhi := p.bad.bounds()
	return p.good.width < 8 && p.bad.width < 8 && exact(glo+g) && exact(ghi+g) && exact(blo+b) && exact(bhi+b) &&
		exact(glo+blo+t) && exact(ghi+bhi+t)
}

// exact reports whether float64 holds v and every whole number up to it.
func exact(v int64) bool { return v >= -maxExact && v <= maxExact }

// bytes is the memory the values take.
func (p *packedCounts) bytes() int {
	if p.floats != nil {
		return 16 * len(p.floats)
	}
	return len(p.good.data) + len(p.bad.data)
}

// packedInts are integers stored as base plus an unsigned offset of width
// bytes each; width 0 means every value is the base.
type packedInts struct {
	base  int64
	width int
	data  []byte
}

func (p *packedInts) get(i int) int64 {
	switch p.width {
	case 1:
		return p.base + int64(p.data[i])
	case 2:
		return p.base + int64(binary.LittleEndian.Uint16(p.data[2*i:]))
	case 4:
		return p.base + int64(binary.LittleEndian.Uint32(p.data[4*i:]))
	case 8:
		return p.base + int64(binary.LittleEndian.Uint64(p.data[8*i:]))
	}
	return p.base
}

// set stores v at i of n values, widening (and moving the base down) when
// v does not fit. Writing the first value also narrows the values when
// they allow: a ring writes it once a turn, after the turn replaced the
// values that needed the width.
func (p *packedInts) set(i int, v int64, n int) { p.store(i, v, n, i == 0) }

// store stores v at i of n values, widening when v does not fit, and
// narrowing when asked to and the values allow.
func (p *packedInts) store(i int, v int64, n int, narrow bool) {
	off := uint64(v - p.base)
	if v < p.base || (p.width < 8 && off >= 1<<(8*p.width)) || (narrow && p.width > 0) {
		p.repack(i, v, n)
		return
	}
	p.put(i, off)
}

// bounds are the lowest and highest values the width allows; with width
// 8, hi wraps and is below lo.
func (p *packedInts) bounds() (lo, hi int64) {
	if p.width == 0 {
		return p.base, p.base
	}
	return p.base, p.base + int64(uint64(1)<<(8*p.width)-1)
}

func (p *packedInts) put(i int, off uint64) {
	switch p.width {
	case 1:
		p.data[i] = byte(off)
	case 2:
		binary.LittleEndian.PutUint16(p.data[2*i:], uint16(off))
	case 4:
		binary.LittleEndian.PutUint32(p.data[4*i:], uint32(off))
	case 8:
		binary.LittleEndian.PutUint64(p.data[8*i:], off)
	}
}

// repack rewrites the values with v at i, from the lowest of them and as
// wide as the spread needs. Running totals only grow, so the base moves up
// with the oldest of them and the width stays what the window's sum needs.
func (p *packedInts) repack(i int, v int64, n int) {
	lo, hi := v, v
	for k := range n {
		if k != i {
			x := p.get(k)
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	spread := uint64(hi - lo)
	width := 8
	switch {
	case spread == 0:
		width = 0
	case spread < 1<<8:
		width = 1
	case spread < 1<<16:
		width = 2
	case spread < 1<<32:
		width = 4
	}
	if width == p.width && lo == p.base {
		p.put(i, uint64(v-lo))
		return
	}
	out := packedInts{base: lo, width: width, data: make([]byte, width*n)}
	for k := range n {
		x := v
		if k != i {
			x = p.get(k)
		}
		out.put(k, uint64(x-lo))
	}
	*p = out
}
