import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

# integration tests import require() from helpers: tests/fuzz has a conftest of its own, and whichever
# conftest is imported first owns the name "conftest"
from helpers import require  # noqa: E402,F401
