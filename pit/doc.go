// Package pit emulates the Intel 8254 programmable interval timer as wired
// on a PC: three counters clocked at 1,193,182 Hz behind ports 0x40–0x43,
// channel 0's OUT driving ISA IRQ 0, channel 1 (DRAM refresh) free, and
// channel 2 gated and read back through system control port 0x61.
//
// # Time
//
// The PIT keeps no clock of its own. PIT input tick n (a CLK pulse) happens
// at global cycle ceil(n·cyclesPerSecond/1193182), and at cycle t the
// last pulse that has happened is tick(t) = floor(t·1193182/cyclesPerSecond),
// both computed exactly in 128-bit arithmetic from absolute time, so no
// rounding accumulates over a run. Everything a counter does is a pure
// function of the ticks elapsed since it was last loaded: reads compute the
// count when they happen, and the only events put on the Clock are the OUT
// edges of channel 0 that IRQ 0 reports. An idle machine therefore skips
// from one IRQ 0 edge to the next; a channel with no further edge (mode 0
// after terminal count, an unprogrammed channel) schedules nothing.
//
// A port access made at a cycle on which a CLK pulse falls is taken to
// happen after that pulse.
//
// # Counting, per the 8254 datasheet
//
// A count written to a counter reaches the counting element on the next CLK
// pulse (modes 0, 2, 3 and 4, and modes 1 and 5 one pulse after a gate
// trigger); that pulse does not decrement it. A count of 0 means 65536, or
// 10000 in BCD. With N the count and d the pulses since the load:
//
//   - Mode 0: OUT goes low on the control word and on every count write,
//     and high at d = N, so N+1 pulses after the write. The counter goes on
//     counting (wrapping) afterwards. Writing the first byte of a two-byte
//     count stops counting.
//   - Mode 1: a gate rising edge loads the count on the next pulse and drives
//     OUT low until d = N. Retriggerable. Channels 0 and 1 have their gates
//     tied high on a PC, so they never trigger in modes 1 and 5.
//   - Mode 2: OUT is low during the last pulse of each period (d mod N =
//     N−1), the count reloading at the period's end. A new count takes
//     effect at the end of the current period.
//   - Mode 3: OUT is high for (N+1)/2 pulses and low for (N−1)/2 (N/2 and
//     N/2 when N is even). The counting element holds N, or N−1 for odd N,
//     and drops by 2 a pulse, so it reads even values; for odd N the high
//     half ends one pulse after it reads 0. A new count takes effect at the
//     end of the current half-cycle, as the datasheet says.
//   - Modes 4 and 5: OUT strobes low for one pulse at d = N (mode 4 started
//     by the count write, mode 5 by a gate trigger).
//   - Modes 6 and 7 are modes 2 and 3; the status byte reports the mode bits
//     as written.
//
// Gate low stops counting in modes 0, 2, 3 and 4 and forces OUT high in
// modes 2 and 3; a gate rising edge reloads the count on the next pulse in
// modes 1, 2, 3 and 5. Only channel 2's gate can change (port 0x61 bit 0).
//
// # Choices where the hardware is undefined or the input is bad
//
//   - After reset no channel is programmed: OUT is low (IRQ 0 is low), the
//     counting element reads 0, the status byte reads 0x40 (null count), and
//     count writes are ignored until a control word arrives. Reads then
//     behave as in lobyte/hibyte access.
//   - A control word freezes the counting element at its current value (its
//     content is undefined on the chip), resets both byte flip-flops and
//     drops any latched count or status.
//   - The read and write flip-flops are independent. A latched count stays
//     until as many bytes as the access mode reads (two for lobyte/hibyte)
//     have been read, each read taking the byte the read flip-flop points
//     at; latching again before that is ignored, as is latching the status
//     twice. A latched status is read first and does not move the flip-flop.
//   - In lobyte/hibyte access the count register changes only when the
//     second byte arrives.
//   - Mode 2 with a count of 1 keeps OUT low once loaded; mode 3 with a
//     count of 1 keeps it high (both counts are illegal on the chip).
//   - In mode 4, a gate that falls during the strobe pulse holds OUT low
//     until counting resumes.
//   - BCD digits above 9 count down from their value to 0 and then wrap
//     to 9, as a decade counter's digit does.
//   - Reading port 0x43 returns 0xFF (the 8254 leaves the bus floating).
//     Port 0x61 bit 4 toggles every 18 PIT ticks (15.085 µs, the DRAM
//     refresh period), whatever channel 1 is programmed to; its bits other
//     than 0, 1, 4 and 5 read 0.
//   - With cyclesPerSecond below 1,193,182 several ticks fall within one
//     cycle, and an OUT pulse shorter than a cycle may not reach IRQ 0.
//     A cyclesPerSecond of 0 is taken as 1,193,182.
package pit
