"""Corpus scale: the per-page stages on local worker processes or on a Dask cluster, and
per-document results as Parquet shards.

The per-page stages (``pipeline.process_page``) are pure functions of one page and the loaded
resources, so they can run anywhere; the store is still written by the main process alone, in
input order (``pipeline.ingest`` does that with whatever ``mapper`` it is given).  A mapper here:

* loads the resources ONCE per worker (an initializer for local processes, a ``WorkerPlugin``
  on Dask), never per page: compiling the vocabularies and matchers costs seconds;
* sends pages in batches of ``BATCH_PAGES`` so the per-task overhead (pickling, IPC, scheduler
  round trips) is spread over many pages;
* keeps at most ``workers * IN_FLIGHT_PER_WORKER`` batches submitted-but-not-yet-yielded, and
  pulls pages from its input only to refill that window, so an endless input stream (a WARC
  crawl, stdin) runs in bounded memory;
* yields ``(page, documents)`` in input order, exactly like ``pipeline.serial_map``.  The page
  comes back from the worker (not the caller's copy) because the stages may record warnings on
  it, and ``ingest`` reads those.

Ordering and the window: results are taken from the head of a FIFO of futures.  A batch that
finished ahead of a slower head waits in the window, and counts against it, which is what bounds
memory; an unordered ``as_completed`` loop would need the same bound on its reorder buffer, so it
would keep the workers no busier.

What is hand-written and why: ``concurrent.futures`` and ``distributed`` give us the pools; what
they lack is a *bounded, ordered, lazy* map over an unbounded iterator (``Executor.map`` and
``Client.map`` both consume their whole input first).  That is the sixty lines of ``_windowed``.
The shard format is pyarrow Parquet with the store's own JSON codec for the records, so there is
one serialiser of the model in the project, not two.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import itertools
import pickle
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .errors import ConfigError, FrontwatchError
from .model import Document, Page

if TYPE_CHECKING:  # pipeline imports every stage module; parallel only needs it when running
    from .pipeline import RunOptions

# Pages per task.  A text page takes a few milliseconds through the stages; a batch of 32 makes
# the per-task overhead (a pickle round trip, a scheduler message on Dask) a small fraction.
BATCH_PAGES = 32
# Batches in the window per worker: two keeps every worker busy while the main process stores
# the previous results, a few more absorbs uneven page sizes without letting memory grow.
IN_FLIGHT_PER_WORKER = 4
# Seconds to wait for a Dask scheduler to answer before telling the user it is unreachable.
DASK_CONNECT_TIMEOUT_S = 20
# Documents per Parquet shard when results are written as they come (``sharded``).
SHARD_DOCS = 1000
SHARD_PATTERN = "part-{:06d}.parquet"

Mapper = Callable[[Iterable[Page]], Iterator[tuple[Page, list[Document]]]]


class PageFunction(Protocol):
    def __call__(self, page: Page, res: Any, /) -> list[Document]: ...


@dataclass(frozen=True)
class PageWork:
    """What a worker runs: ``process(page, load())``, with ``load`` called once per worker.

    Both must be picklable (module-level functions, ``functools.partial`` of them) because they
    travel to the worker processes.  ``pipeline_work(options)`` is the real pipeline; tests pass
    stand-ins.
    """

    load: Callable[[], Any]
    process: PageFunction


def pipeline_work(options: RunOptions) -> PageWork:
    """The per-page stages of ``pipeline`` with the resources ``options`` asks for."""
    from . import pipeline

    return PageWork(load=functools.partial(pipeline.load_resources, options), process=pipeline.process_page)


def _run_batch_with(work: PageWork, res: Any, pages: list[Page]) -> list[tuple[Page, list[Document]]]:
    return [(page, work.process(page, res)) for page in pages]


# --------------------------------------------------------------------------------------------
# ordered, bounded, lazy map over any executor


def _batches(pages: Iterable[Page], size: int) -> Iterator[list[Page]]:
    it = iter(pages)
    while batch := list(itertools.islice(it, size)):
        yield batch


def _windowed(
    batches: Iterator[list[Page]], submit: Callable[[list[Page]], Any], result: Callable[[Any], Any], window: int
) -> Iterator[tuple[Page, list[Document]]]:
    """Submit batches keeping at most ``window`` outstanding; yield their results in order.

    A batch is pulled from ``batches`` (and so pages from the caller's iterator) only when a slot
    in the window is free, which is what keeps an endless input in bounded memory.
    """
    pending: deque[Any] = deque()
    for batch in itertools.islice(batches, window):
        pending.append(submit(batch))
    while pending:
        done = result(pending.popleft())
        # Refill before yielding: the workers keep going while the caller stores these results.
        nxt = next(batches, None)
        if nxt is not None:
            pending.append(submit(nxt))
        yield from done


def _check_workers(workers: int) -> None:
    if not isinstance(workers, int) or workers < 1:
        raise ConfigError(f"--workers must be a whole number of at least 1, not {workers!r}")


# --------------------------------------------------------------------------------------------
# local processes

# The one process-global in frontwatch, and why: a ProcessPoolExecutor task is a plain function
# call in a worker process, with no object of ours to hang state on; the initializer runs once
# per worker process and this slot is how it hands the loaded resources to the tasks that follow.
# It is only ever set inside a pool worker (never in the main process), once, by ``_init_worker``.
_WORKER_STATE: tuple[PageWork, Any] | None = None


class _LoadFailed:
    """Why a worker could not load its resources (a bad lexicon file...), kept to be raised by its
    first task: an exception in a pool initializer only says "the pool is broken"."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def _init_worker(work: PageWork) -> None:
    global _WORKER_STATE
    # Ctrl-C is the main process's to handle: it stops submitting and shuts the pool down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _WORKER_STATE = (work, work.load())
        # Kept for the worker's life: out of the cycle collector's sight (see gcpause.long_lived).
        gc.freeze()
    except Exception as exc:  # noqa: BLE001 — re-raised, with its own message, by the first task
        _WORKER_STATE = (work, _LoadFailed(exc))


def _local_batch(pages: list[Page]) -> list[tuple[Page, list[Document]]]:
    if _WORKER_STATE is None:  # pragma: no cover — the initializer always runs first
        raise RuntimeError("frontwatch worker used before its resources were loaded")
    work, res = _WORKER_STATE
    if isinstance(res, _LoadFailed):
        raise res.exc
    return _run_batch_with(work, res, pages)


def local_mapper(work: PageWork, workers: int, *, batch_pages: int = BATCH_PAGES,
                 in_flight_per_worker: int = IN_FLIGHT_PER_WORKER) -> Mapper:
    """A mapper running ``work`` on ``workers`` local processes (see the module docstring)."""
    _check_workers(workers)

    def mapper(pages: Iterable[Page]) -> Iterator[tuple[Page, list[Document]]]:
        import multiprocessing

        # Not "fork": the main process may hold threads (Dask, progress bars) and an open SQLite
        # connection, neither of which survives a fork safely.  forkserver starts workers fast.
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                                   initargs=(work,))
        try:
            yield from _windowed(_batches(pages, batch_pages), functools.partial(pool.submit, _local_batch),
                                 _local_result, workers * in_flight_per_worker)
        finally:
            # Also when the caller stops early (an error while storing, Ctrl-C): drop queued
            # batches instead of finishing them.
            pool.shutdown(wait=True, cancel_futures=True)

    return mapper


def _local_result(future: Any) -> Any:
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise FrontwatchError(
            "a worker process died (out of memory, or killed); the pages stored so far are kept, "
            "rerun to complete the rest"
        ) from exc


def process_map(options: RunOptions, workers: int) -> Mapper:
    """A mapper for ``pipeline.ingest``: the per-page stages on ``workers`` local processes,
    resources loaded once per process, results in input order, memory bounded."""
    return local_mapper(pipeline_work(options), workers)


# --------------------------------------------------------------------------------------------
# Dask distributed


def _plugin_name(work: PageWork) -> str:
    # Two runs with different options on one cluster must not share resources: name the plugin
    # after what it loads.
    return "frontwatch-" + hashlib.sha256(pickle.dumps(work)).hexdigest()[:16]


def _make_plugin(work: PageWork):
    from distributed.diagnostics.plugin import WorkerPlugin

    class FrontwatchResources(WorkerPlugin):
        """Loads the resources once per Dask worker, when the plugin is registered (and on
        every worker that joins later); tasks find them through ``get_worker().plugins``."""

        def __init__(self, work: PageWork) -> None:
            self.work = work
            self.resources: Any = None

        def setup(self, worker: Any) -> None:
            self.resources = self.work.load()

        def teardown(self, worker: Any) -> None:
            self.resources = None

    return FrontwatchResources(work)


def _dask_batch(pages: list[Page], plugin: str) -> list[tuple[Page, list[Document]]]:
    from distributed import get_worker

    state = get_worker().plugins[plugin]
    return _run_batch_with(state.work, state.resources, pages)


def dask_mapper(work: PageWork, scheduler: str, *, batch_pages: int = BATCH_PAGES,
                in_flight_per_worker: int = IN_FLIGHT_PER_WORKER) -> Mapper:
    """A mapper running ``work`` on the Dask cluster at ``scheduler`` (an address such as
    ``tcp://10.0.0.5:8786``).  The workers must have the same frontwatch installed."""
    if not isinstance(scheduler, str) or not scheduler.strip():
        raise ConfigError("--scheduler needs a Dask scheduler address, e.g. tcp://host:8786")

    def mapper(pages: Iterable[Page]) -> Iterator[tuple[Page, list[Document]]]:
        client = _connect(scheduler)
        name = _plugin_name(work)
        try:
            client.register_plugin(_make_plugin(work), name=name)
            workers = max(1, len(client.scheduler_info().get("workers", {})))
            submit = functools.partial(_dask_submit, client, name)
            yield from _windowed(_batches(pages, batch_pages), submit, _dask_result,
                                 workers * in_flight_per_worker)
        finally:
            try:
                client.unregister_worker_plugin(name)
            except Exception:  # noqa: BLE001 — best effort: the cluster may already be gone
                pass
            client.close()

    return mapper


def _dask_submit(client: Any, plugin: str, batch: list[Page]) -> Any:
    # pure=False: no hashing of the pages to build a task key (costly, and nothing to share).
    return client.submit(_dask_batch, batch, plugin, pure=False)


def _dask_result(future: Any) -> Any:
    return future.result()


def _connect(scheduler: str) -> Any:
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover — a declared dependency
        raise ConfigError("--scheduler needs the 'distributed' package (pip install distributed)") from exc
    try:
        return Client(scheduler, timeout=DASK_CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc


def dask_map(options: RunOptions, scheduler: str) -> Mapper:
    """A mapper for ``pipeline.ingest``: the per-page stages on the Dask cluster at ``scheduler``,
    resources loaded once per worker, results in input order, memory bounded."""
    return dask_mapper(pipeline_work(options), scheduler)


# --------------------------------------------------------------------------------------------
# Parquet shards


def _codec():
    # The store's codec: one JSON serialisation of the model in the project.
    from .codec import Codec

    return Codec()


_SHARD_COLUMNS = ("id", "page_id", "content_hash", "data")


def write_shard(docs: list[Document], dir: Path, shard_no: int) -> Path:
    """Write ``docs`` (with their events) as ``dir/part-NNNNNN.parquet``: one row per document,
    the record as JSON in ``data`` beside its id, page id and content hash.  Returns the path."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    codec = _codec()
    dir = Path(dir)
    dir.mkdir(parents=True, exist_ok=True)
    table = pa.table({
        "id": pa.array([d.id for d in docs], pa.string()),
        "page_id": pa.array([d.page_id for d in docs], pa.string()),
        "content_hash": pa.array([d.content_hash for d in docs], pa.string()),
        "data": pa.array([codec.dumps(d) for d in docs], pa.large_string()),
    })
    path = dir / SHARD_PATTERN.format(shard_no)
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(table, tmp, compression="zstd")
    tmp.replace(path)  # a shard is complete or absent, never half-written
    return path


def read_shards(dir: Path) -> Iterator[Document]:
    """Every document of the shards in ``dir``, shard by shard in number order, streaming."""
    import pyarrow.parquet as pq

    dir = Path(dir)
    if not dir.is_dir():
        raise ConfigError(f"{dir}: no such shard directory")
    codec = _codec()
    for path in sorted(dir.glob("part-*.parquet")):
        try:
            pf = pq.ParquetFile(path)
            if not set(_SHARD_COLUMNS) <= set(pf.schema_arrow.names):
                raise ConfigError(f"{path}: not a frontwatch shard (columns {pf.schema_arrow.names})")
            for batch in pf.iter_batches(columns=["data"]):
                for data in batch.column(0).to_pylist():
                    yield codec.load(Document, data)
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise ConfigError(f"{path}: cannot read shard ({exc})") from exc


def sharded(mapper: Mapper, dir: Path, *, shard_docs: int = SHARD_DOCS) -> Mapper:
    """Wrap a mapper so that every document it yields is also written to Parquet shards in
    ``dir`` (``shard_docs`` documents per shard, numbering on from the shards already there, so
    a rerun adds shards rather than overwriting them).  Results pass through unchanged."""
    dir = Path(dir)

    def wrapped(pages: Iterable[Page]) -> Iterator[tuple[Page, list[Document]]]:
        existing = sorted(dir.glob("part-*.parquet")) if dir.is_dir() else []
        shard_no = (int(existing[-1].stem.split("-")[1]) + 1) if existing else 0
        buffer: list[Document] = []
        try:
            for page, docs in mapper(pages):
                buffer.extend(d for d in docs if d.text.strip())
                yield page, docs
                if len(buffer) >= shard_docs:
                    write_shard(buffer, dir, shard_no)
                    shard_no += 1
                    buffer = []
        finally:
            if buffer:
                write_shard(buffer, dir, shard_no)

    return wrapped
