module preemptlab

go 1.26.8

require (
	github.com/StackExchange/wmi v0.0.0-20190523213315-cbe66965904d // indirect
	github.com/go-ole/go-ole v1.2.4 // indirect
	github.com/google/gops v0.3.14 // indirect
	github.com/keybase/go-ps v0.0.0-20190827175125-91aafc93ba19 // indirect
	github.com/shirou/gopsutil v2.20.4+incompatible // indirect
	github.com/xlab/treeprint v1.0.0 // indirect
	golang.org/x/arch v0.32.0 // indirect
	golang.org/x/sys v0.0.0-20201207223542-d4d67f95c62d // indirect
	rsc.io/goversion v1.2.0 // indirect
)
