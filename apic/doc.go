// Package apic emulates the interrupt controllers of an SMP PC: one xAPIC
// local APIC per processor, one 82093AA IO-APIC, and the interrupt
// messages between them (the "APIC bus", which on an xAPIC machine is the
// system bus). It follows the Intel SDM volume 3, chapter 11 ("Advanced
// Programmable Interrupt Controller"), and the 82093AA datasheet; where
// the hardware leaves a choice open it does what QEMU does, unless noted.
//
// Everything is exact and deterministic: there is no goroutine and no host
// clock. Time comes from the machine's Clock, actions on the processors go
// through CPUControl, and every walk over the processors is in increasing
// CPU number. The package imports no other preemptlab package.
//
// # Files
//
//	system.go      the System, the interfaces it consumes, message routing
//	lapic.go       local APIC registers, MSRs, priority, the processor side
//	lapic_timer.go the local APIC timer (one-shot, periodic, TSC-deadline)
//	ioapic.go      the IO-APIC
//
// # Concurrency
//
// None: a System and everything in it is owned by the machine's one run
// goroutine. Clock callbacks, MMIO, MSR and processor-side calls must all
// come from that goroutine.
//
// # Documented choices
//
// Time. The timer's input is an APIC bus clock of exactly 1 GHz (BusHz),
// derived from global time without drift: after t CPU cycles at
// cyclesPerSecond, floor(t·10⁹ / cyclesPerSecond) bus ticks have elapsed
// (128-bit arithmetic, math/bits). At the default 1000 MHz a bus tick is a
// cycle, as a QEMU nanosecond is. The divide configuration register divides
// that clock by 1, 2, 4, … 128; the counter's first decrement comes a whole
// divided period after the initial count is written (the divider restarts
// with the count, as in QEMU). The count goes initial, initial−1, … 1 and
// expires when it reaches 0: a one-shot timer then reads 0 and stops, a
// periodic one reloads, so its period is exactly initial·divisor bus ticks
// (QEMU's is (initial+1)·divisor; the SDM's is the one followed here).
// The current count is computed from time, never ticked, and one Clock
// event is scheduled per expiry, none while the timer is masked, so an idle
// machine fast-forwards. TSC-deadline compares with global time (the TSC
// of every processor reads global time).
//
// Lowest-priority delivery goes to the processor in the destination set
// whose task priority (TPR) is lowest, ties to the lowest CPU number; only
// software-enabled local APICs take part. There is no focus-processor
// check. Broadcast lowest-priority messages, which the SDM forbids, are
// arbitrated the same way.
//
// Interprocessor interrupts are edge-triggered, as on every xAPIC (the
// ICR's level and trigger bits are stored and read back but only select the
// INIT level de-assert message, which is ignored as on the Pentium 4). An
// IPI whose destination names no present, hardware-enabled local APIC is
// dropped and sets the sender's ESR send-accept error (bit 2), as a P6
// APIC-bus message that no APIC accepted does. A fixed or lowest-priority
// IPI with a vector below 16 sets the sender's send-illegal-vector error
// (bit 5) and is not sent; a fixed interrupt with a vector below 16 that
// reaches a local APIC from anywhere else (IO-APIC, LVT) sets its
// receive-illegal-vector error (bit 6) and is dropped. Combinations of
// shorthand and delivery mode that the SDM calls invalid (NMI to self, …)
// are delivered as written, as QEMU does. SMI is not emulated: SMI messages
// are dropped. ExtINT messages on the APIC bus (from the IO-APIC or an IPI)
// are dropped too: the machine's 8259 pair reaches processor 0 through its
// LINT0 pin in ExtINT mode, and the machine (emu) answers that acknowledge
// cycle itself, outside this package.
//
// A software-disabled local APIC (SVR bit 8 clear) still takes NMI, INIT
// and start-up messages, keeps what IRR and ISR hold, and does not accept
// new fixed or lowest-priority interrupts (they are dropped, as KVM does);
// it presents none of its held interrupts to the processor until it is
// enabled again (as QEMU). All its LVT entries are masked and stay masked.
// A hardware-disabled local APIC (IA32_APIC_BASE bit 11 clear) takes no
// messages at all and its registers read 0; setting bit 11 again brings it
// back in its power-up state.
//
// The IO-APIC forgets an edge that arrives while its pin is masked (the
// 82093AA datasheet's reading; QEMU remembers it). A level-triggered pin
// is sent while asserted, unmasked and its remote IRR clear; remote IRR is
// set when a local APIC accepts the message, and cleared by the EOI
// broadcast of a local APIC for that vector, after which a still-asserted
// line is sent again. Only fixed and lowest-priority pins are level
// triggered; the datasheet makes every other delivery mode edge triggered
// whatever the trigger bit says.
//
// Not emulated: x2APIC, the LINT0/LINT1 input pins and the thermal and
// performance-counter sources (their LVT entries are registers that
// nothing raises), SMI, ExtINT, MSI, the P6 APIC bus arbitration (APR
// reads 0) and focus-processor checking.
//
// Register quirks (unimplemented registers, sub-dword access, reserved
// bits) are documented on LAPIC.Read, LAPIC.Write, IOAPIC.Read and
// IOAPIC.Write. Nothing a guest can do makes this package panic.
package apic
