"""The quality gate: every stage's score on the project's own gold stays above its pinned floor.

Runs ``eval/run.py --check eval/floors.yaml`` exactly as a developer would, so that a change that
silently lowers accuracy fails CI.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_scores_stay_above_pinned_floors() -> None:
    r = subprocess.run([sys.executable, str(ROOT / "eval" / "run.py"), "--check", str(ROOT / "eval" / "floors.yaml")],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"quality gate failed:\n{r.stdout}\n{r.stderr}"
    assert "extract.events_f1" in r.stdout
