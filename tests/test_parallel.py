"""parallel.py: local processes and Dask give the serial pipeline's results, in order, in
bounded memory; Parquet shards round-trip documents with their events."""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import json
import os
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest

from frontwatch import parallel
from frontwatch.errors import ConfigError
from frontwatch.model import (
    ActorMention,
    DateSource,
    Document,
    Event,
    Evidence,
    Location,
    Page,
    PlaceMention,
    RelativePosition,
    Segment,
    SegmentKind,
    Sentence,
    Span,
)

REPO = Path(__file__).resolve().parents[1]


# --- stand-in per-page work (module-level so worker processes can unpickle it) -----------------

def standin_load() -> dict:
    """A 'resource' whose identity shows how often it was loaded, and where."""
    return {"load_id": uuid.uuid4().hex, "pid": os.getpid()}


def standin_process(page: Page, res: dict) -> list[Document]:
    # Uneven work so that batches finish out of order on two workers.
    if page.text.endswith("slow"):
        time.sleep(0.05)
    page.warnings.append(f"seen by {res['load_id']}")
    doc = Document(id=page.id, page_id=page.id, text=page.text.upper(),
                   warnings=[f"{res['pid']}:{res['load_id']}"])
    return [doc]


def standin_fail(page: Page, res: dict) -> list[Document]:
    if page.id == "p7":
        raise ValueError("stage bug on p7")
    return []


STANDIN = parallel.PageWork(load=standin_load, process=standin_process)


def serial_standin(pages):
    res = standin_load()
    for p in pages:
        yield p, standin_process(p, res)


def tiny_pages(n: int, counter: list[int] | None = None):
    for i in range(n):
        if counter is not None:
            counter[0] += 1
        yield Page(id=f"p{i}", source="gen", format="txt", text=f"page {i}" + (" slow" if _slow(i) else ""))


def _slow(i: int) -> bool:
    # A few slow pages early on (enough to reorder batches), none in the long tail.
    return i < 150 and i % 7 == 0


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
                                  silence_logs=40) as c:
        yield c


# --- ordering, load-once, bounded memory ------------------------------------------------------

def _check_standin_results(results, n):
    assert [p.id for p, _ in results] == [f"p{i}" for i in range(n)]
    assert [d.text for _, docs in results for d in docs] == [f"PAGE {i}" + (" SLOW" if _slow(i) else "")
                                                              for i in range(n)]
    # The page that comes back is the worker's: the warning a stage put on it is kept.
    assert all(p.warnings and p.warnings[0].startswith("seen by ") for p, _ in results)
    # Resources were loaded once per worker process: one load id per pid, at most two pids.
    loads: dict[str, set[str]] = {}
    for _, docs in results:
        pid, load_id = docs[0].warnings[0].split(":")
        loads.setdefault(pid, set()).add(load_id)
    assert 1 <= len(loads) <= 2
    assert all(len(ids) == 1 for ids in loads.values()), loads
    return loads


def test_local_mapper_ordered_and_loads_once_per_worker():
    mapper = parallel.local_mapper(STANDIN, 2, batch_pages=4)
    results = list(mapper(tiny_pages(120)))
    loads = _check_standin_results(results, 120)
    assert str(os.getpid()) not in loads  # the work ran in worker processes, not here


def test_local_mapper_bounded_in_flight_on_a_long_stream():
    pulled = [0]
    batch, per_worker, workers = 16, 2, 2
    bound = batch * (workers * per_worker + 1)
    mapper = parallel.local_mapper(STANDIN, workers, batch_pages=batch, in_flight_per_worker=per_worker)
    gen = mapper(tiny_pages(10_000, pulled))
    yielded = 0
    worst = 0
    for page, _docs in gen:
        assert page.id == f"p{yielded}"
        yielded += 1
        worst = max(worst, pulled[0] - yielded)
        if yielded == 300:
            break
    gen.close()  # stopping early must not drain the input
    assert worst <= bound
    assert pulled[0] <= 300 + bound < 10_000


def test_local_mapper_whole_long_stream_in_order():
    pulled = [0]
    n = 10_000
    mapper = parallel.local_mapper(STANDIN, 2)
    worst = 0
    for i, (page, _docs) in enumerate(mapper(tiny_pages(n, pulled))):
        assert page.id == f"p{i}"
        worst = max(worst, pulled[0] - (i + 1))
    assert pulled[0] == n
    assert worst <= parallel.BATCH_PAGES * (2 * parallel.IN_FLIGHT_PER_WORKER + 1)


def test_local_mapper_stage_error_reaches_the_caller():
    mapper = parallel.local_mapper(parallel.PageWork(standin_load, standin_fail), 2, batch_pages=3)
    with pytest.raises(ValueError, match="stage bug on p7"):
        list(mapper(tiny_pages(20)))


def test_bad_worker_count_and_scheduler_are_config_errors():
    with pytest.raises(ConfigError, match="--workers"):
        parallel.local_mapper(STANDIN, 0)
    with pytest.raises(ConfigError, match="--scheduler"):
        parallel.dask_mapper(STANDIN, " ")


def test_empty_input_gives_nothing():
    assert list(parallel.local_mapper(STANDIN, 2)(iter([]))) == []


def test_dask_mapper_ordered_and_loads_once_per_worker(cluster):
    mapper = parallel.dask_mapper(STANDIN, cluster.scheduler_address, batch_pages=4)
    results = list(mapper(tiny_pages(60)))
    loads = _check_standin_results(results, 60)
    assert str(os.getpid()) not in loads


def test_dask_mapper_bounded_in_flight(cluster):
    pulled = [0]
    batch, per_worker = 8, 2
    bound = batch * (2 * per_worker + 1)  # the cluster has two workers
    mapper = parallel.dask_mapper(STANDIN, cluster.scheduler_address, batch_pages=batch,
                                  in_flight_per_worker=per_worker)
    gen = mapper(tiny_pages(10_000, pulled))
    for i, (page, _docs) in enumerate(gen):
        assert page.id == f"p{i}"
        assert pulled[0] - (i + 1) <= bound
        if i == 100:
            break
    gen.close()
    assert pulled[0] <= 101 + bound


# --- Parquet shards -----------------------------------------------------------------------------

def _rich_document(i: int) -> Document:
    text = f"Government troops took the village of Qasr {i} on Monday.\n\nTwo soldiers died."
    place = PlaceMention(start=32, end=38 + len(str(i)), text=f"Qasr {i}", name=f"Qasr {i}", descriptor="village",
                         relative=RelativePosition("offset", "Hit", bearing_deg=225.0, distance_km=10.0))
    ev = Event(doc_id=f"d{i}", event_type="Strategic developments",
               sub_event_type="Non-violent transfer of territory",
               evidence=Evidence(sentence=Span(0, 56), trigger=Span(17, 21), actors=[Span(0, 16)], place=Span(32, 40)),
               event_date=date(2017, 10, 30), time_precision=1, actor1="Military Forces of Iraq", inter1=1,
               place=place, location=Location("Qasr", 33.9, 42.1, geo_precision=2, country="Iraq", iso=368),
               fatalities=2, tags=["t"], fatalities_by_source={"Outlet A": 2}, confidence=0.75)
    return Document(id=f"d{i}", page_id=f"p{i}", text=text, title="Village retaken", outlet="Outlet A",
                    published=date(2017, 10, 31), published_source=DateSource.METADATA,
                    segments=[Segment(SegmentKind.BODY, 0, 60, rule="r")], page_text=text, content_hash=f"h{i}",
                    country="IQ", sentences=[Sentence(0, 56)],
                    actors=[ActorMention(0, 16, "Government troops", "Military Forces of Iraq", 1, "IQ", True)],
                    places=[place], events=[ev], warnings=["w"])


def test_shard_round_trip(tmp_path):
    docs = [_rich_document(i) for i in range(5)]
    p0 = parallel.write_shard(docs[:3], tmp_path, 0)
    p1 = parallel.write_shard(docs[3:], tmp_path, 1)
    assert p0.name == "part-000000.parquet" and p1.exists()
    back = list(parallel.read_shards(tmp_path))
    assert [dataclasses.asdict(d) for d in back] == [dataclasses.asdict(d) for d in docs]
    assert isinstance(back[0].events[0].evidence.sentence, Span)
    assert back[0].events[0].place.relative.distance_km == 10.0
    assert back[0].published_source is DateSource.METADATA


def test_shards_are_read_in_number_order_and_bad_shards_are_clear_errors(tmp_path):
    parallel.write_shard([_rich_document(2)], tmp_path, 10)
    parallel.write_shard([_rich_document(1)], tmp_path, 9)
    assert [d.id for d in parallel.read_shards(tmp_path)] == ["d1", "d2"]
    (tmp_path / "part-000011.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(ConfigError, match="cannot read shard"):
        list(parallel.read_shards(tmp_path))
    with pytest.raises(ConfigError, match="no such shard directory"):
        list(parallel.read_shards(tmp_path / "missing"))


def test_sharded_mapper_passes_results_through_and_numbers_on(tmp_path):
    out = tmp_path / "shards"
    wrapped = parallel.sharded(serial_standin, out, shard_docs=10)
    results = list(wrapped(tiny_pages(25)))
    assert [p.id for p, _ in results] == [f"p{i}" for i in range(25)]
    assert sorted(x.name for x in out.iterdir()) == [f"part-00000{i}.parquet" for i in range(3)]
    assert [d.id for d in parallel.read_shards(out)] == [f"p{i}" for i in range(25)]
    list(parallel.sharded(serial_standin, out, shard_docs=10)(tiny_pages(3)))  # a rerun adds a shard
    assert (out / "part-000003.parquet").exists()
    assert len(list(parallel.read_shards(out))) == 28


# --- the real pipeline: serial, two processes and Dask give the same documents and events --------

def _have_pipeline() -> str | None:
    try:
        importlib.import_module("frontwatch.pipeline")
    except ImportError as exc:  # the stage modules are written by others and may not all exist yet
        return str(exc)
    return None


def _make_corpus_module():
    spec = importlib.util.spec_from_file_location("make_corpus", REPO / "bench" / "make_corpus.py")
    mc = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_corpus", mc)  # dataclasses look their module up there
    spec.loader.exec_module(mc)
    return mc


def _write_corpus(root: Path, n: int) -> Path:
    """``n`` generated pages, every third as HTML, the rest as text files."""
    mc = _make_corpus_module()
    root.mkdir(parents=True, exist_ok=True)
    for p in mc.iter_corpus(n, seed=11):
        if p.number % 3 == 0:
            (root / f"page{p.number:03d}.html").write_text(mc.to_html(p), encoding="utf-8")
        else:
            (root / f"page{p.number:03d}.txt").write_text(mc.to_text(p), encoding="utf-8")
    return root


def _stored(db: Path) -> list:
    """What a run stored: document ids, texts and serialised events, in storage order."""
    from frontwatch.store import Codec, Store

    codec = Codec()
    with Store(db) as store:
        return [(d.id, d.text, [json.loads(codec.dumps(e)) for e in d.events]) for d in store.iter_documents()]


@pytest.fixture(scope="module")
def pipeline_mod():
    missing = _have_pipeline()
    if missing:
        pytest.skip(f"the per-page stages are not all written: {missing}")
    return importlib.import_module("frontwatch.pipeline")


def _ingest(pipeline_mod, corpus: Path, out: Path, make_mapper):
    from frontwatch.store import Store

    options = pipeline_mod.RunOptions(inputs=(str(corpus),), out_dir=out)
    out.mkdir(parents=True, exist_ok=True)
    summary = pipeline_mod.RunSummary()
    with Store(out / pipeline_mod.DB_NAME) as store:
        pipeline_mod.ingest(options.inputs, store, lambda: pipeline_mod.load_resources(options), summary,
                            mapper=make_mapper(options))
    return summary


def test_real_pipeline_same_results_serial_processes_dask(pipeline_mod, cluster, tmp_path):
    n = 12
    corpus = _write_corpus(tmp_path / "corpus", n)
    runs = {
        "serial": lambda options: None,
        "local": lambda options: parallel.process_map(options, 2),
        "dask": lambda options: parallel.dask_map(options, cluster.scheduler_address),
    }
    stored = {}
    for name, make in runs.items():
        summary = _ingest(pipeline_mod, corpus, tmp_path / name, make)
        assert summary.pages_read == n, name
        stored[name] = _stored(tmp_path / name / pipeline_mod.DB_NAME)
    assert len(stored["serial"]) >= n
    assert sum(len(evs) for _, _, evs in stored["serial"]) > 0, "the corpus should yield events"
    assert stored["local"] == stored["serial"]
    assert stored["dask"] == stored["serial"]
    # A rerun skips every page by content hash before it reaches the workers.
    again = _ingest(pipeline_mod, corpus, tmp_path / "local", runs["local"])
    assert (again.pages_read, again.pages_already_stored) == (0, n)
    assert _stored(tmp_path / "local" / pipeline_mod.DB_NAME) == stored["serial"]


def test_unreachable_scheduler_is_a_config_error(monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(parallel, "DASK_CONNECT_TIMEOUT_S", 1)
    mapper = parallel.dask_mapper(STANDIN, "tcp://127.0.0.1:9")
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        list(mapper(tiny_pages(3)))


def standin_bad_load() -> dict:
    raise ConfigError("extra.yaml: not valid YAML")


def test_resource_load_error_reaches_the_caller_with_its_message(cluster):
    bad = parallel.PageWork(load=standin_bad_load, process=standin_process)
    with pytest.raises(ConfigError, match="extra.yaml: not valid YAML"):
        list(parallel.local_mapper(bad, 2)(tiny_pages(5)))
    with pytest.raises(ConfigError, match="extra.yaml: not valid YAML"):
        list(parallel.dask_mapper(bad, cluster.scheduler_address)(tiny_pages(5)))
