"""Shared fixtures."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def world_data_dir(tmp_path_factory: pytest.TempPathFactory):
    """A data directory holding the bundled world gazetteer, built once per test session."""
    from frontwatch.gazetteer import open_gazetteer

    d = tmp_path_factory.mktemp("frontwatch-data")
    open_gazetteer(data_dir=d).close()  # builds and caches the world index
    return d
