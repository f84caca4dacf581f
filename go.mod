module preemptlab

go 1.26.8

require (
	github.com/HdrHistogram/hdrhistogram-go v1.4.0
	github.com/google/gops v0.3.14
	golang.org/x/arch v0.32.0
)

require golang.org/x/sys v0.0.0-20210119212857-b64e53b001e4 // indirect
