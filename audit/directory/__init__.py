"""Directory entries and site search (SPEC "Second edition": "Directory entries", "Searchable").

Families use a Local Offer's directory of services more than anything else on it, and it is
what goes stale first. This package holds the pure logic the directory and search checks
run on pages already fetched and parsed:

- ``records``: is a page one directory record (a service, group, club, provider or
  setting)? A cheap per-page signature while the page's tree is held, then a site-level
  decision that uses the repeated template of a council's record pages.
- ``reading``: what a record says: its own last-updated date with evidence, the five
  SPEC fields (eligibility, access, contact, location, cost) and the provider's website.
- ``openreferral``: the same record shape read from an Open Referral UK (or HSDS 3, or
  Outpost) ``/services`` feed, joined to record pages where the data names them.
- ``search``: the Local Offer's own GET search form, the query URL, and a judgement of
  each answer page, then the council's ``site_search`` verdict.

Nothing here fetches: the crawler and check runner hand pages and bodies in.
"""

