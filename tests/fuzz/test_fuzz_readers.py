"""Every reader and the inventory loader, on mutated real files: either read, or one line naming the file
and the field (an ErgenError). Anything else (a traceback, two lines, no file) fails the test and prints
the input. CI-sized (ERGEN_FUZZ_EXAMPLES, default 200 per reader); the long run is bench/fuzz.py."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzzkit import EXAMPLES
from fuzzkit import KNOWN_BUGS, READERS

# the inventory and the whole pipeline are slower per input (YAML, pydantic, rules, six templates)
SIZE = {"inventory (hosts/groups/circuits/defaults.yaml)": max(20, EXAMPLES // 4),
        "pipeline (validate, plan, render)": max(20, EXAMPLES // 5),
        "CLI (validate, render --out)": max(15, EXAMPLES // 10)}


@pytest.mark.parametrize("reader", list(READERS))
def test_reader_never_crashes(reader, workdir):
    @settings(max_examples=SIZE.get(reader, EXAMPLES))
    @given(rng=st.randoms(use_true_random=False))
    def one(rng):
        out = READERS[reader](rng, workdir)
        assert out.kind != "bug", f"{out.where}: {out.detail}\ninput: {({k: v[:2000] for k, v in out.files.items()})}"
    one()


def test_known_bugs_are_described():
    for where, _, what in KNOWN_BUGS:
        assert ":" in where and what.startswith("src/ergen/")
