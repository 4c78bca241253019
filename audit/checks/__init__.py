"""The audit checks, in the order they run: the one list to edit when adding a check.

Every page is handed to each check in this order during the single walk of a council's
pages, then each check's ``finish`` runs in this order, so a check may read the
``council_scores`` columns of the checks above it (the axe sample reads ``pfa_url``; the
distinct accessibility issues read both engines' results, so they come last). The
order of the checks with a dimension is the order the dimensions are published in.

Checks from installed plugins (``audit.plugins``) run after these.
"""

from __future__ import annotations

from audit.checks.a11y_issues import A11yIssues
from audit.checks.accessibility import Accessibility
from audit.checks.assessment import Assessment
from audit.checks.axe_sample import AxeSample
from audit.checks.directory import Directory
from audit.checks.documents import Documents
from audit.checks.features import Features
from audit.checks.legal import LegallyCurrent
from audit.checks.links import Links
from audit.checks.pfa import Pfa
from audit.checks.send_space import SendSpaceCheck
from audit.checks.staleness import Staleness
from audit.checks.statutory import Statutory

CHECKS = (
    Assessment,
    Staleness,
    Links,
    Documents,
    Accessibility,
    Statutory,
    Directory,
    LegallyCurrent,
    Pfa,
    SendSpaceCheck,
    Features,
    AxeSample,
    A11yIssues,
)

assert sum(check.dimension.weight for check in CHECKS if check.dimension) == 100, "built-in weights must add up to 100"
