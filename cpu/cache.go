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
	// maxBlockInsts bounds a block's length.
	maxBlockInsts = 64
)

// block is a run of translated instructions that ends at the first one
// that transfers control or changes machine state.
type block struct {
	start, end uint32 // linear byte range [start, end)
	csBase     uint32 // CS base, limit and code size it was translated for
	csLimit    uint32
	mode32     bool
	realMode   bool
	cycles     uint64 // the sum of its instructions' costs
	insts      []inst // one entry per guest instruction, for stepping
	// fast is insts with compare-and-branch pairs fused into one entry,
	// for running the whole block (it is insts when nothing fused).
	fast   []inst
	ninsts uint64 // guest instructions in the block
	// valid is cleared when the block is dropped from the cache, so links
	// to it from other blocks go stale safely.
	valid bool
	// links remember the blocks that followed this one (the branch taken
	// and not taken), so the next block is found without a cache lookup.
	links [2]blockLink
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
		c.cur = nil
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

// insert adds a translated block to the cache.
func (c *CPU) insert(b *block) {
	bc := c.cache
	if b.start >= c.ramTop {
		return // code outside RAM is never cached (it cannot run anyway)
	}
	first, last := b.start>>pageShift, (b.end-1)>>pageShift
	for pg := first; pg <= last && pg < uint32(len(bc.pages)); pg++ {
		p := bc.pages[pg]
		if p == nil {
			p = new(codePage)
			bc.pages[pg] = p
		}
		if pg == first {
			if old := p.entry[b.start&(pageSize-1)]; old != nil {
				c.remove(old)
			}
			p.entry[b.start&(pageSize-1)] = b
		}
		p.blocks = append(p.blocks, b)
	}
	b.valid = true
	for l := b.start >> lineShift; l <= (b.end-1)>>lineShift && l < uint32(len(bc.line)); l++ {
		if bc.line[l] != 0xFFFF {
			bc.line[l]++
		}
	}
}

// remove drops a block from the cache.
func (c *CPU) remove(b *block) {
	bc := c.cache
	b.valid = false
	b.links = [2]blockLink{}
	first, last := b.start>>pageShift, (b.end-1)>>pageShift
	for pg := first; pg <= last && pg < uint32(len(bc.pages)); pg++ {
		p := bc.pages[pg]
		if p == nil {
			continue
		}
		if pg == first && p.entry[b.start&(pageSize-1)] == b {
			p.entry[b.start&(pageSize-1)] = nil
		}
		for i, x := range p.blocks {
			if x == b {
				p.blocks[i] = p.blocks[len(p.blocks)-1]
				p.blocks = p.blocks[:len(p.blocks)-1]
				break
			}
		}
	}
	for l := b.start >> lineShift; l <= (b.end-1)>>lineShift && l < uint32(len(bc.line)); l++ {
		if n := bc.line[l]; n != 0 && n != 0xFFFF {
			bc.line[l] = n - 1
		}
	}
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
			if b.start < end && a < b.end {
				if c.cur != nil && c.inBlock(b) {
					c.brk = true
				}
				c.remove(b)
				continue // remove swapped another block into i
			}
			i++
		}
	}
}

// inBlock reports whether the current instruction belongs to block b.
func (c *CPU) inBlock(b *block) bool {
	for _, insts := range [2][]inst{b.insts, b.fast} {
		for k := range insts {
			if &insts[k] == c.cur {
				return true
			}
		}
	}
	return false
}

// FlushCache drops every translated block.
func (c *CPU) FlushCache() {
	c.ensureCache()
	c.cache.init(int(c.ramTop))
}
