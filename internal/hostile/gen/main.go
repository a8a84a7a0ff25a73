// Command gen writes the hostile files into a folder:
//
//	go run ./internal/hostile/gen DIR [NAME...]
//
// With names, only those files. It prints one line per file: path, size.
package main

import (
	"fmt"
	"os"

	"github.com/evident/evident/internal/hostile"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gen DIR [NAME...]")
		os.Exit(2)
	}
	dir := os.Args[1]
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	files := hostile.Files()
	if names := os.Args[2:]; len(names) > 0 {
		files = files[:0]
		for _, n := range names {
			f, ok := hostile.Find(n)
			if !ok {
				fmt.Fprintf(os.Stderr, "gen: no hostile file named %s\n", n)
				os.Exit(2)
			}
			files = append(files, f)
		}
	}
	for _, f := range files {
		path, err := f.Write(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		info, _ := os.Stat(path)
		fmt.Printf("%s\t%d\n", path, info.Size())
	}
}
