package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// profiles are the --cpuprofile and --memprofile of one run, so that
// anyone can see where a long command spends its time and memory
// (`go tool pprof FILE`).
type profiles struct {
	cpu, mem string
	cpuFile  *os.File
}

// start begins the CPU profile, if one was asked for.
func (p *profiles) start() error {
	if p.cpu == "" {
		return nil
	}
	f, err := os.Create(p.cpu)
	if err != nil {
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("--cpuprofile %s: %w", p.cpu, err)
	}
	p.cpuFile = f
	return nil
}

// stop ends the CPU profile and writes the heap profile, whatever the
// command's outcome.
func (p *profiles) stop() error {
	var errs []error
	if p.cpuFile != nil {
		pprof.StopCPUProfile()
		errs = append(errs, p.cpuFile.Close())
		p.cpuFile = nil
	}
	if p.mem != "" {
		f, err := os.Create(p.mem)
		if err != nil {
			return errors.Join(append(errs, fmt.Errorf("--memprofile: %w", err))...)
		}
		runtime.GC() // the heap as it is now, not as of the last collection
		errs = append(errs, pprof.Lookup("heap").WriteTo(f, 0), f.Close())
	}
	return errors.Join(errs...)
}
