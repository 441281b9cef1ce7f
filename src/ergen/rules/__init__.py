"""ExpressRoute's rules, checked against the circuits and the inventory before anything is rendered.

Each rule has a stable code (``ER102``), a name, a severity and a one-line summary, all
listed in :data:`ergen.rules.codes.RULES`. ``validate(circuits, inventory)`` returns a
:class:`Report` of :class:`Problem` objects, each naming the file and the JSON path or
YAML key it is about. Any error-severity problem stops rendering.
"""

from ergen.rules.engine import Context, Problem, Report, validate
from ergen.rules.codes import RULES, Severity

__all__ = ["Context", "Problem", "Report", "RULES", "Severity", "validate"]
