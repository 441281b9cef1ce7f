import os
import pathlib
import shutil
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))


def require(binary: str) -> str:
    """The path of a binary an integration test needs. Missing: skip locally, fail in CI (CI=true)."""
    path = shutil.which(binary) or (binary if os.path.exists(binary) else None)
    if path:
        return path
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{binary} is required in CI (install it in .ci/run)")
    pytest.skip(f"{binary} not installed")
