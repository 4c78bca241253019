"""The shared model and plumbing every part of lo-audit uses: the database, the parsed page,
the WARC evidence reader, URLs, dates, scope and the council registry. No check logic lives here.
"""
