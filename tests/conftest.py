"""Shared fixtures."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def _session_data_dir(tmp_path_factory: pytest.TempPathFactory):
    return tmp_path_factory.mktemp("frontwatch-data")


@pytest.fixture(scope="session", autouse=True)
def _isolated_data_dir(_session_data_dir):
    """Every test (and every `frontwatch` subprocess a test starts) keeps its gazetteer cache in
    one session directory, never in the user's own data directory; the world index is built
    there at most once, by whichever test needs it first."""
    old = os.environ.get("FRONTWATCH_DATA_DIR")
    os.environ["FRONTWATCH_DATA_DIR"] = str(_session_data_dir)
    yield
    if old is None:
        os.environ.pop("FRONTWATCH_DATA_DIR", None)
    else:
        os.environ["FRONTWATCH_DATA_DIR"] = old


@pytest.fixture(scope="session")
def world_data_dir(_session_data_dir):
    """A data directory holding the bundled world gazetteer, built once per test session."""
    from frontwatch.gazetteer import open_gazetteer

    open_gazetteer(data_dir=_session_data_dir).close()  # builds and caches the world index
    return _session_data_dir
