module preemptlab

go 1.26.8

require (
	github.com/google/gops v0.3.14
	golang.org/x/arch v0.32.0
)

require golang.org/x/sys v0.0.0-20201207223542-d4d67f95c62d // indirect
