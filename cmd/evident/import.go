package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/engine"
	"github.com/evident/evident/web"
)

func (a *app) importCmd() *cobra.Command {
	var mapName, cells, by string
	var asJSON bool
	var workers int
	cmd := &cobra.Command{
		Use:   "import FILE.qdpx [--map NAME] [--cells CODE=CELL,...] [--json]",
		Short: "Bring in a REFI-QDA project from QualCoder, ATLAS.ti, MAXQDA, NVivo or Evident",
		Long: `import reads a REFI-QDA project (.qdpx) and brings it in:

  - each text source becomes a document, ingested through the same queue as
    the inbox (as a .txt named after the source, so that speaker turns are
    recognised as in any transcript); a PDF's text representation too;
  - codings whose code, or a parent code, is named like a cell (SEE, HEAR,
    SAY, DO, PAINS, GAINS) become quotes in that cell of the map NAME
    (default: the project's name; created when missing), with their notes,
    in the order they were coded; --cells maps other codes to cells:
    --cells "pricing=PAINS,word of mouth=HEAR";
  - other codes become the codes of the passages that hold the coded text:
    "evident show" lists them, and "evident search code:pricing" finds them;
  - cases with a role (or title, company, interviewer) variable become the
    speakers of the documents they are in; a source's title, kind, url,
    author, date and role variables become the document's.

Whatever is not imported (pictures, audio, video, regions of a PDF page,
whole-document codings, sets, other variables) is listed, never dropped
silently. It waits until the documents are indexed. A project written by
"evident map export --format qdpx" comes back as the same map.`,
		Args: needs("FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			data, err := os.ReadFile(args[0])
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], errors.Unwrap(err))
			}
			opts := api.ImportOptions{File: filepath.Base(args[0]), Map: mapName, By: by}
			if opts.Cells, err = engine.ParseCells(cells); err != nil {
				return err
			}
			rep, err := a.importProject(ctx, data, opts, workers)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if asJSON {
				return writeJSON(a.stdout, rep)
			}
			a.printImport(rep)
			for _, d := range rep.Documents {
				if d.State != evident.Indexed {
					return &exitError{code: 1}
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&mapName, "map", "", "the map that codings of cells go on (default: the project's name)")
	cmd.Flags().StringVar(&cells, "cells", "", "codes to cells, CODE=CELL separated by commas")
	cmd.Flags().StringVar(&by, "by", defaultUser(), "who imports, for the map's history, where a coding names nobody")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cmd.Flags().IntVar(&workers, "workers", runtime.NumCPU(), "workers to run when no server holds the data folder")
	a.keepFlag(cmd.Flags())
	return cmd
}

// importProject imports through the server that holds the data folder,
// else with an engine of its own, running until the documents are indexed.
func (a *app) importProject(ctx context.Context, data []byte, opts api.ImportOptions, workers int) (*api.ImportReport, error) {
	log := a.logger(slog.LevelWarn)
	e, err := engine.Open(ctx, engine.Options{Data: a.data, Rules: a.rules, Workers: workers, Log: log, KeepFiles: a.keepFiles, Connect: true})
	if errors.Is(err, engine.ErrLocked) {
		h, herr := engine.FindHolder(a.data)
		if herr != nil || h.HTTP == "" {
			return nil, fmt.Errorf("%w and serves no API; try again when it has finished", err)
		}
		return (&web.Client{Base: h.HTTP, Token: h.Token}).ImportQDA(ctx, data, opts)
	}
	if err != nil {
		return nil, err
	}
	defer e.Close()
	if err := e.Connect(ctx); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if err := e.Announce(engine.Holder{HTTP: "http://" + ln.Addr().String()}); err != nil {
		ln.Close()
		return nil, err
	}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var runErr error
	wg.Go(func() { runErr = runTogether(runCtx, e, ln, a.data, "", log) })
	rep, err := e.ImportQDA(ctx, data, opts)
	stop()
	wg.Wait()
	if err == nil && runErr != nil {
		err = runErr
	}
	return rep, err
}

func (a *app) printImport(rep *api.ImportReport) {
	w := plain(a.stdout)
	origin := ""
	if rep.Origin != "" {
		origin = " (written by " + rep.Origin + ")"
	}
	fmt.Fprintf(w, "imported %q%s: %s", rep.Project, origin, plural(len(rep.Documents), "document"))
	if rep.Map != "" {
		fmt.Fprintf(w, ", %s on map %q", plural(rep.Quotes, "quote"), rep.Map)
	}
	fmt.Fprintf(w, ", %s coded", plural(rep.Coded, "passage"))
	if len(rep.Codes) > 0 {
		fmt.Fprintf(w, " (codes: %s)", strings.Join(rep.Codes, ", "))
	}
	fmt.Fprintln(w)
	for _, d := range rep.Documents {
		fmt.Fprintf(w, "  %-8s %s: %s, %s", d.State, d.File, plural(d.Passages, "passage"), plural(d.Selections, "coded selection"))
		if d.Error != "" {
			fmt.Fprintf(w, " (%s)", d.Error)
		}
		fmt.Fprintln(w)
	}
	if len(rep.Skipped) > 0 {
		fmt.Fprintln(w, "not imported:")
		for _, s := range rep.Skipped {
			fmt.Fprintf(w, "  - %s\n", s)
		}
	}
}
