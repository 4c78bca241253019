"""The published pages, one module each (``front_page``, ``report_card``, ``methodology``,
``data_dictionary``) and what they share (``common``); ``plugins/lo_audit.py`` registers them
with Datasette."""
