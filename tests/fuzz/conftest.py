"""Hypothesis settings for the fuzz tests: CI-sized and reproducible by default.

``HYPOTHESIS_PROFILE=dev`` explores new inputs on every run (random seed, the example database kept in
.hypothesis/); ``ERGEN_FUZZ_EXAMPLES=N`` changes the number of inputs per reader. The long run is
``bench/fuzz.py`` (>= 10,000 inputs per reader)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from fuzzkit import EXAMPLES

_common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                     HealthCheck.function_scoped_fixture])
settings.register_profile("ci", max_examples=EXAMPLES, derandomize=True, database=None, **_common)
settings.register_profile("dev", max_examples=EXAMPLES, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="module")
def workdir():
    from fuzzkit import Workdir
    wd = Workdir()
    yield wd
    wd.close()
