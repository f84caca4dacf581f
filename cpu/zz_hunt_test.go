package cpu

import (
	"math/rand"
	"os"
	"strconv"
	"testing"
	"time"
)

func TestZZHunt(t *testing.T) {
	seed, _ := strconv.Atoi(os.Getenv("HUNT_SEED"))
	n, _ := strconv.Atoi(os.Getenv("HUNT_N"))
	rng := rand.New(rand.NewSource(int64(seed)))
	for i := 0; i < n; i++ {
		mode := uint8(rng.Intn(16))
		code := make([]byte, rng.Intn(64))
		for j := range code {
			code[j] = byte(rng.Intn(256))
			if rng.Intn(4) == 0 {
				code[j] = []byte{0xf3, 0xf2, 0x66, 0x67, 0xa4, 0xa5, 0xaa, 0xab, 0x6c, 0x6f, 0xcf, 0xcd, 0xea, 0x0f, 0x8e, 0x22, 0xc8, 0x61}[rng.Intn(18)]
			}
		}
		real := rng.Intn(2) == 0
		start := time.Now()
		done := make(chan bool)
		go func() {
			select {
			case <-done:
			case <-time.After(3 * time.Second):
				println("SLOW", real, mode, hexs(code))
				os.Exit(3)
			}
		}()
		func() {
			defer func() {
				if p := recover(); p != nil {
					println("PANIC", real, mode, hexs(code))
					panic(p)
				}
			}()
			c, bus := newTestCPU(t, nil)
			if real {
				toRealMode(c)
				c.R[ESP] = 0xFFFE
			} else if mode&fuzzNoIDT == 0 {
				withHaltIDT(c)
			}
			loadFuzzCode(c, mode, code)
			runFuzz(t, c, bus, mode, code)
		}()
		close(done)
		if d := time.Since(start); d > 500*time.Millisecond {
			println("slowish", d.String(), real, mode, hexs(code))
		}
	}
}

func hexs(b []byte) string {
	const h = "0123456789abcdef"
	s := ""
	for _, x := range b {
		s += string([]byte{h[x>>4], h[x&15]})
	}
	return s
}
