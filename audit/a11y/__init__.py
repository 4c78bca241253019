"""The accessibility engine: a static engine reporting axe-core rule ids (names, ARIA tables,
language tags, rules), axe-core itself in headless Chromium, the page sample axe runs on, the
agreement between the two engines, PDF accessibility and the accessibility aids a site offers.
"""
