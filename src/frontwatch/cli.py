"""Command line: a thin shell over the library.

Each command calls one library function; every ``FrontwatchError`` (and any other failure)
becomes one clear line on stderr, never a traceback (set FRONTWATCH_DEBUG=1 to see one).
Exit codes: 0 when anything was processed, 1 when nothing was, 2 for usage errors.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from importlib import resources as importlib_resources
from pathlib import Path

import click

from .errors import FrontwatchError

EXIT_NOTHING = 1


def _console():
    from rich.console import Console

    return Console(stderr=True)


def _run_with_progress(options, quiet: bool):
    """Run the pipeline with a progress bar (pages, pages/s) on stderr."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from .pipeline import run

    if quiet:
        return run(options)
    console = _console()
    if options.geocode:
        from .gazetteer import world_is_cached

        if not world_is_cached(options.data_dir):
            console.print("first run: building the bundled world gazetteer once "
                          "(about half a minute; it is cached for later runs)", highlight=False)
    with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
                  MofNCompleteColumn(), TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        task = progress.add_task("reading pages", total=None, rate="")

        def on_page(_page_id: str) -> None:
            progress.advance(task)
            t = progress.tasks[0]
            if t.elapsed:
                progress.update(task, rate=f"{t.completed / t.elapsed:.1f} pages/s")

        def on_stage(stage: str) -> None:
            progress.update(task, description={"corpus": "dating, geocoding, merging",
                                               "exports": "writing exports and the map"}.get(stage, stage))

        return run(options, on_page=on_page, on_stage=on_stage)


def _print_summary(summary) -> None:
    console = _console()
    for issue in summary.issues:
        style = "yellow" if not issue.skipped else "red"
        console.print(f"[{style}]{'skipped' if issue.skipped else 'warning'}:[/] {issue.message}",
                      highlight=False, markup=True)
    console.print(
        f"pages read: {summary.pages_read}, already in the database: {summary.pages_already_stored}, "
        f"articles kept: {summary.articles_kept}, events: {summary.events}",
        highlight=False,
    )
    if summary.skipped_reasons:
        reasons = ", ".join(f"{n} {r}" for r, n in summary.skipped_reasons.most_common())
        console.print(f"skipped: {reasons}", highlight=False)
    for name, path in summary.outputs.items():
        console.print(f"  {name:<16} {path}", highlight=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="frontwatch")
def cli() -> None:
    """frontwatch: turn war reporting into event data (ACLED-style), offline."""


def _run_options(inputs, out, gazetteer, lexicon, furniture, no_geocode=False, no_report=False,
                 workers=1, scheduler=None, shards=None):
    from .pipeline import RunOptions

    return RunOptions(inputs=tuple(inputs), out_dir=Path(out), gazetteers=tuple(Path(g) for g in gazetteer),
                      lexicons=tuple(Path(x) for x in lexicon), furniture=tuple(Path(x) for x in furniture),
                      geocode=not no_geocode, report=not no_report, workers=workers, scheduler=scheduler,
                      shards=Path(shards) if shards else None)


_common = [
    click.option("--gazetteer", multiple=True, type=click.Path(exists=True, dir_okay=False),
                 help="Extra GeoNames-format file or places CSV for this run (repeatable)."),
    click.option("--lexicon", multiple=True, type=click.Path(exists=True, dir_okay=False),
                 help="Extra actor lexicon YAML (repeatable)."),
    click.option("--furniture", multiple=True, type=click.Path(exists=True, dir_okay=False),
                 help="Extra page-furniture vocabulary YAML (repeatable)."),
]


def _with_common(f):
    for opt in reversed(_common):
        f = opt(f)
    return f


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False), help="Output directory.")
@_with_common
@click.option("--no-geocode", is_flag=True, help="Skip geocoding.")
@click.option("--no-report", is_flag=True, help="Do not write report.html.")
@click.option("--workers", "-j", default=1, show_default=True, type=click.IntRange(1, 512),
              help="Local worker processes for the per-page stages.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Run the per-page stages on an existing Dask distributed scheduler (tcp://host:8786).")
@click.option("--shards", default=None, type=click.Path(file_okay=False),
              help="Also write per-document results as Parquet shards into this directory.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
def run(inputs, out, gazetteer, lexicon, furniture, no_geocode, no_report, workers, scheduler, shards,
        quiet) -> None:
    """Read INPUTS (files, directories, '-' for stdin: .txt .html .jsonl .warc[.gz]), extract events,
    and write OUT/frontwatch.db, documents.jsonl, events.csv and the other exports."""
    summary = _run_with_progress(_run_options(inputs, out, gazetteer, lexicon, furniture, no_geocode,
                                              no_report, workers, scheduler, shards), quiet)
    if not quiet:
        _print_summary(summary)
    if not summary.processed_anything:
        raise SystemExit(EXIT_NOTHING)


@cli.command()
@click.option("--out", "-o", default="frontwatch-demo", show_default=True, type=click.Path(file_okay=False))
def demo(out) -> None:
    """Run the whole pipeline on the bundled sample pages and say where the outputs are."""
    sample = importlib_resources.files("frontwatch") / "data" / "demo"
    with importlib_resources.as_file(sample) as path:
        summary = _run_with_progress(_run_options([str(path)], out, (), (), ()), quiet=False)
    _print_summary(summary)
    click.echo(f"Demo done: open {Path(out) / 'report.html'} in a browser; events are in "
               f"{Path(out) / 'events.csv'}.")


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False),
              help="Directory of the database (created if missing).")
@_with_common
def ingest(inputs, out, gazetteer, lexicon, furniture) -> None:
    """Add pages to the database (clean, annotate, extract) without the corpus stages or exports."""
    from .pipeline import DB_NAME, RunSummary, load_resources
    from .pipeline import ingest as ingest_pages
    from .store import Store

    options = _run_options(inputs, out, gazetteer, lexicon, furniture)
    options.out_dir.mkdir(parents=True, exist_ok=True)
    summary = RunSummary()
    with Store(options.out_dir / DB_NAME) as store:
        ingest_pages(options.inputs, store, load_resources(options), summary)
    _print_summary(summary)
    if not summary.processed_anything:
        raise SystemExit(EXIT_NOTHING)


def _db_option(f):
    return click.option("--db", required=True, type=click.Path(exists=True, dir_okay=False),
                        help="A frontwatch.db written by 'frontwatch run'.")(f)


@cli.command()
@_db_option
@click.option("--format", "fmt", required=True,
              type=click.Choice(["documents-jsonl", "acled-csv", "geojson", "parquet"]))
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help="File to write.")
def export(db, fmt, output) -> None:
    """Export documents or events from an existing database."""
    from . import export as exp
    from . import export_geo
    from .store import Store

    # Streamed from the database: memory does not grow with the corpus.
    with Store(Path(db)) as store:
        if fmt == "documents-jsonl":
            n = exp.write_stored_documents_jsonl(store.iter_document_fields(exp.STORED_DOCUMENT_FIELDS), Path(output))
        else:
            events = store.iter_corpus_events()
            if fmt == "acled-csv":
                n = exp.write_acled_csv(events, Path(output), evidence_text=exp.DocumentLookup(store.documents_by_id))
            elif fmt == "geojson":
                n = export_geo.write_events_geojson(events, Path(output))
            else:
                n = export_geo.write_events_parquet(events, Path(output))
    click.echo(f"wrote {n} records to {output}", err=True)


@cli.command()
@_db_option
@click.option("--explain", is_flag=True, help="Show the evidence sentence and the rule of each event.")
@click.option("--limit", default=200, show_default=True, help="At most this many events.")
def events(db, explain, limit) -> None:
    """Print the events of a database as a table."""
    from itertools import islice

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from .export import location_name
    from .store import Store

    with Store(Path(db)) as store:
        evs = list(islice(store.iter_corpus_events(), limit))
        texts = {}
        if explain:
            found = store.documents_by_id({e.doc_id for e in evs})
            texts = {i: d.text for i, d in found.items()}
    table = Table(show_lines=explain)
    for col in ("date", "type", "place", "actor 1", "actor 2", "fat.", "sources"):
        table.add_column(col)
    for e in evs:
        row = [e.event_date.isoformat() if e.event_date else "—", e.sub_event_type, location_name(e),
               e.actor1, e.actor2, str(e.fatalities or 0), ", ".join(dict.fromkeys(e.sources)) or e.doc_id]
        cells = [Text(c) for c in row]
        if explain and e.evidence:
            sent = " ".join(e.evidence.sentence.of(texts.get(e.doc_id, "")).split())
            cells[1].append(f"\nrule: {e.evidence.rule}", style="dim")
            cells[2].append(f"\n“{sent}”", style="italic")
        table.add_row(*cells)
    Console().print(table)


@cli.command()
@_db_option
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date (YYYY-MM-DD); default: the latest evidence.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "geojson"]), default="table",
              show_default=True)
@click.option("--gazetteer", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Extra GeoNames-format file or places CSV to locate places (repeatable).")
def control(db, as_of, fmt, gazetteer) -> None:
    """Who held which place as of a date, since when, and on what evidence."""
    from . import control as ctl
    from .pipeline import control_states

    day: date | None = as_of.date() if as_of else None
    states = control_states(Path(db), day, tuple(Path(g) for g in gazetteer))
    if fmt == "json":
        click.echo(json.dumps([ctl.state_record(s) for s in states], ensure_ascii=False, indent=2))
    elif fmt == "geojson":
        click.echo(json.dumps(ctl.control_geojson(states), ensure_ascii=False))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"control as of {day or 'latest evidence'}")
        for col in ("place", "controller", "since", "evidence"):
            table.add_column(col)
        for s in states:
            rec = ctl.state_record(s)
            table.add_row(rec["place"], rec["controller"], rec["since"] or "", str(rec["evidence"])[:160])
        Console().print(table)


@cli.group()
def gazetteer() -> None:
    """Manage the gazetteer (GeoNames index kept in the user's data directory)."""


@gazetteer.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def gazetteer_add_cmd(files) -> None:
    """Load GeoNames dumps (IQ.zip, allCountries.zip, alternateNamesV2.zip or their .txt) or a places CSV."""
    from .gazetteer import gazetteer_add

    summary = gazetteer_add([Path(f) for f in files])
    click.echo(str(summary), err=True)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the CLI and turn every failure into one line."""
    try:
        cli.main(args=argv, prog_name="frontwatch", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("frontwatch: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except FrontwatchError as e:
        click.echo(f"frontwatch: error: {e}", err=True)
        sys.exit(EXIT_NOTHING)
    except KeyboardInterrupt:
        click.echo("frontwatch: interrupted; finished pages are kept, rerun to complete", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as e:  # noqa: BLE001 — the promise is: never a traceback
        if os.environ.get("FRONTWATCH_DEBUG"):
            raise
        click.echo(f"frontwatch: internal error: {type(e).__name__}: {e} "
                   "(set FRONTWATCH_DEBUG=1 for details)", err=True)
        sys.exit(EXIT_NOTHING)


if __name__ == "__main__":
    main()
