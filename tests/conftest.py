import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

# integration tests import require() from helpers: tests/fuzz has a conftest of its own, and whichever
# conftest is imported first owns the name "conftest"
from helpers import require  # noqa: E402,F401

# the estate render's cache (ergen.cache) stays out of the tests: each test renders for itself, and
# nothing lands in the user's ~/.cache; tests/unit/test_cache.py turns it on in a folder of its own
import os  # noqa: E402
os.environ.setdefault("ERGEN_NO_CACHE", "1")
