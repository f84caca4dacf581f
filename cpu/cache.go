package cpu

// This file implements the decode cache: blocks of translated straight-line
// code keyed by linear address, and their invalidation when guest code
// writes into their bytes.

const (
	pageShift = 12
	pageSize  = 1 << pageShift
	// lineShift sets the granularity of the code map that guest writes
	// are checked against: a write into a 64-byte line that holds no
	// translated code costs one load.
	lineShift = 6
	// maxBlockInsts bounds a block's length in guest instructions.
	maxBlockInsts = 64
	// maxCacheInsts and maxCachePages bound the decode cache's memory:
	// translated instruction entries (about 64 bytes each, at most two
	// per guest byte translated: one to step, one to run) and pages
	// indexed (32 KiB each). A translation that would pass either drops
	// every block first, as QEMU's tb_flush does, so a guest running
	// through a large area of RAM (a wild jump into zeroes) holds at
	// most some 50 MB of translations, whatever the size of RAM.
	maxCacheInsts = 1 << 17
	maxCachePages = 256
)

// block is a superblock: a run of translated instructions that goes on
// across direct jumps, direct calls and the fall-through of conditional
// branches (whose taken side leaves the block), and ends at the first
// instruction that transfers control indirectly or changes machine state.
type block struct {
	start, end uint32 // linear byte range [start, end) of its first run of code
	// more are the byte ranges of the code it continues into after a
	// direct jump or call.
	more     []codeRange
	csBase   uint32 // CS base, limit and code size it was translated for
	csLimit  uint32
	mode32   bool
	realMode bool
	cycles   uint64 // the sum of its instructions' costs
	insts    []inst // one entry per guest instruction, for stepping
	// fast is insts prepared for running the whole block: compare and
	// branch pairs fused into one entry, conditional branches inside the
	// block turned into exits, direct jumps inside it left out (their
	// cost is in the following entries' cycStart). It is insts when
	// nothing changed.
	fast []inst
	// endCode is the fast code of the last entry of fast, whose own code
	// is xEnd (see runBlock).
	endCode uint8
	ninsts  uint64 // guest instructions in the block
	// valid is cleared when the block is dropped from the cache, so links
	// to it from other blocks go stale safely.
	valid bool
	// links remember the blocks that followed this one (the branch taken
	// and not taken), so the next block is found without a cache lookup.
	links [2]blockLink
}

// codeRange is a range [start, end) of linear addresses.
type codeRange struct{ start, end uint32 }

// ranges returns every byte range the block's code comes from.
func (b *block) ranges() []codeRange {
	r := make([]codeRange, 0, 1+len(b.more))
	return append(append(r, codeRange{b.start, b.end}), b.more...)
}

// blockLink is a remembered successor: the block that ran at EIP eip.
type blockLink struct {
	eip uint32
	b   *block
}

// codePage is the cache's index of one 4 KiB page of RAM.
type codePage struct {
	entry  [pageSize]*block // block starting at each byte
	blocks []*block         // blocks that cover any byte of the page
}

// blockCache finds blocks by linear address.
type blockCache struct {
	pages []*codePage
	// line counts, per 64-byte line of RAM, the blocks covering it.
	line []uint16
	// insts and npages are the translated entries and indexed pages held
	// (see maxCacheInsts).
	insts, npages int
	// flushes counts how often the cache was emptied to stay in bounds.
	flushes int
}

func (bc *blockCache) init(ramSize int) {
	bc.pages = make([]*codePage, (ramSize+pageSize-1)/pageSize)
	bc.line = make([]uint16, (ramSize>>lineShift)+1)
}

// block returns the block at CS:EIP, translating it if needed.
func (c *CPU) block() *block {
	lin := c.Seg[CS].Base + c.EIP
	if lin < c.ramTop {
		if p := c.cache.pages[lin>>pageShift]; p != nil {
			if b := p.entry[lin&(pageSize-1)]; b != nil && b.csBase == c.Seg[CS].Base && b.csLimit == c.Seg[CS].Limit && b.mode32 == c.mode32 && b.realMode == c.realMode {
				return b
			}
		}
	}
	if c.EIP > c.Seg[CS].Limit && !c.realMode || c.realMode && c.EIP > 0xFFFF {
		c.between()
		c.exception(excGP, 0)
	}
	b := c.translate(lin)
	c.insert(b)
	return b
}

// nextBlock returns the block at EIP after block prev ran, following
// prev's links when it can. The caller guarantees that nothing but prev's
// own instructions ran since (no interrupt, no change of CS or mode).
func (c *CPU) nextBlock(prev *block) *block {
	eip := c.EIP
	if l := &prev.links[0]; l.eip == eip && l.b != nil && l.b.valid {
		return l.b
	}
	if l := &prev.links[1]; l.eip == eip && l.b != nil && l.b.valid {
		prev.links[0], prev.links[1] = prev.links[1], prev.links[0]
		return prev.links[0].b
	}
	b := c.block()
	if prev.valid && b.valid {
		prev.links[1] = prev.links[0]
		prev.links[0] = blockLink{eip: eip, b: b}
	}
	return b
}

// insert adds a translated block to the cache, first emptying the cache
// if the block would take it past its bounds.
func (c *CPU) insert(b *block) {
	bc := c.cache
	if b.start >= c.ramTop {
		return // code outside RAM is never cached (it cannot run anyway)
	}
	n := len(b.insts)
	if len(b.fast) > 0 && &b.fast[0] != &b.insts[0] {
		n += len(b.fast)
	}
	if bc.insts+n > maxCacheInsts || bc.npages+2+2*len(b.more) > maxCachePages {
		c.flushAll()
	}
	bc.insts += n
	for i, r := range b.ranges() {
		first, last := r.start>>pageShift, (r.end-1)>>pageShift
		for pg := first; pg <= last && pg < uint32(len(bc.pages)); pg++ {
			p := bc.pages[pg]
			if p == nil {
				p = new(codePage)
				bc.pages[pg] = p
				bc.npages++
			}
			if i == 0 && pg == first {
				if old := p.entry[b.start&(pageSize-1)]; old != nil {
					c.remove(old)
				}
				p.entry[b.start&(pageSize-1)] = b
			}
			if len(p.blocks) == 0 || p.blocks[len(p.blocks)-1] != b {
				p.blocks = append(p.blocks, b)
			}
		}
		for l := r.start >> lineShift; l <= (r.end-1)>>lineShift && l < uint32(len(bc.line)); l++ {
			if bc.line[l] != 0xFFFF {
				bc.line[l]++
			}
		}
	}
	b.valid = true
}

// remove drops a block from the cache.
func (c *CPU) remove(b *block) {
	bc := c.cache
	c.drop(b)
	for i, r := range b.ranges() {
		first, last := r.start>>pageShift, (r.end-1)>>pageShift
		for pg := first; pg <= last && pg < uint32(len(bc.pages)); pg++ {
			p := bc.pages[pg]
			if p == nil {
				continue
			}
			if i == 0 && pg == first && p.entry[b.start&(pageSize-1)] == b {
				p.entry[b.start&(pageSize-1)] = nil
			}
			for i, x := range p.blocks {
				if x == b {
					p.blocks[i] = p.blocks[len(p.blocks)-1]
					p.blocks[len(p.blocks)-1] = nil
					p.blocks = p.blocks[:len(p.blocks)-1]
					break
				}
			}
		}
		for l := r.start >> lineShift; l <= (r.end-1)>>lineShift && l < uint32(len(bc.line)); l++ {
			if n := bc.line[l]; n != 0 && n != 0xFFFF {
				bc.line[l] = n - 1
			}
		}
	}
	n := len(b.insts)
	if len(b.fast) > 0 && &b.fast[0] != &b.insts[0] {
		n += len(b.fast)
	}
	bc.insts -= n
}

// drop marks b invalid and forgets its links, so that neither it nor the
// blocks it led to stay reachable through it.
func (c *CPU) drop(b *block) {
	b.valid = false
	b.links = [2]blockLink{}
	for k := range b.fast {
		b.fast[k].link = nil
	}
}

// flushAll drops every block: the cache's bound on memory is reached.
// Blocks still referenced (the one running, a link, a resume point) are
// invalid from here on and are never entered again.
func (c *CPU) flushAll() {
	bc := c.cache
	for _, p := range bc.pages {
		if p == nil {
			continue
		}
		for _, b := range p.blocks {
			if b.valid {
				c.drop(b)
			}
		}
	}
	clear(bc.pages)
	clear(bc.line)
	bc.insts, bc.npages = 0, 0
	bc.flushes++
}

// codeWritten invalidates the blocks that cover any of the size bytes
// written at linear address a. If the running block is among them, the
// block loop stops after the current instruction.
func (c *CPU) codeWritten(a uint32, size int) {
	bc := c.cache
	end := a + uint32(size)
	for pg := a >> pageShift; pg <= (end-1)>>pageShift && pg < uint32(len(bc.pages)); pg++ {
		p := bc.pages[pg]
		if p == nil {
			continue
		}
		for i := 0; i < len(p.blocks); {
			b := p.blocks[i]
			if b.overlaps(a, end) {
				if c.current() != nil && c.inBlock(b) {
					c.brk = true
				}
				c.remove(b)
				continue // remove swapped another block into i
			}
			i++
		}
	}
}

// overlaps reports whether any of the block's code lies in [a, end).
func (b *block) overlaps(a, end uint32) bool {
	if b.start < end && a < b.end {
		return true
	}
	for _, r := range b.more {
		if r.start < end && a < r.end {
			return true
		}
	}
	return false
}

// inBlock reports whether the current instruction belongs to block b.
func (c *CPU) inBlock(b *block) bool {
	cur := c.current()
	for _, insts := range [2][]inst{b.insts, b.fast} {
		for k := range insts {
			if &insts[k] == cur {
				return true
			}
		}
	}
	return false
}

// FlushCache drops every translated block.
func (c *CPU) FlushCache() {
	c.ensureCache()
	c.flushAll()
}
