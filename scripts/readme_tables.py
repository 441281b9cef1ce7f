"""Rewrite the generated tables in README.md: the rule codes and the platform feature matrix.

Run after adding a rule or changing src/ergen/platforms/capabilities.yaml; a test checks they agree.
"""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from ergen.platforms import features, platforms  # noqa: E402
from ergen.rules.codes import RULES  # noqa: E402


def rules_table() -> str:
    rows = "\n".join(f"| {r.code} | {r.severity.value} | `{r.name}` | {r.summary} |" for r in RULES.values())
    return f"| code | severity | name | rule |\n|---|---|---|---|\n{rows}\n"


def matrix_table() -> str:
    plats = platforms()
    head = "| feature | " + " | ".join(plats) + " |\n|---|" + "---|" * len(plats) + "\n"
    rows = "".join(f"| {title} | " + " | ".join("yes" if p.supports(f) else "no" for p in plats.values()) + " |\n"
                   for f, title in features().items())
    why = "".join(f"- **{p.id}**, {features()[f]}: {reason}\n" for p in plats.values()
                  for f, reason in p.unsupported.items())
    return head + rows + "\n" + why


def replace(text: str, name: str, body: str) -> str:
    start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
    pattern = re.escape(start) + r".*?" + re.escape(end)
    if not re.search(pattern, text, flags=re.S):
        raise SystemExit(f"README.md has no {start.strip()} ... {end} markers")
    return re.sub(pattern, lambda m: start + body + end, text, flags=re.S)


if __name__ == "__main__":
    readme = Path(__file__).resolve().parents[1] / "README.md"
    text = readme.read_text()
    new = replace(replace(text, "rules", rules_table()), "matrix", matrix_table())
    readme.write_text(new)
    print("README tables:", "updated" if new != text else "unchanged")
