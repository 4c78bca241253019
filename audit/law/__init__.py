"""Legally current: superseded SEND law and terms (``terms``), where a page or document still
presents them as current, its own overdue review date and the age of published feedback
(``outdated``). Pure functions over text; the check that runs them lives elsewhere."""
