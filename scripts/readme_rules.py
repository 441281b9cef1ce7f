"""Rewrite the rules table in README.md from ergen.rules.codes (run after adding a rule)."""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from ergen.rules.codes import RULES  # noqa: E402

readme = Path(__file__).resolve().parents[1] / "README.md"
rows = "\n".join(f"| {r.code} | {r.severity.value} | `{r.name}` | {r.summary} |" for r in RULES.values())
table = f"| code | severity | name | rule |\n|---|---|---|---|\n{rows}\n"
text = readme.read_text()
new = re.sub(r"\| code \| severity \| name \| rule \|\n\|---\|---\|---\|---\|\n(\|.*\|\n)+", table, text)
readme.write_text(new)
print("README rules table:", "updated" if new != text else "unchanged")
