"""Exchange formats: kb's state and feeds in and out of other tools.

exchange: `kb export`/`kb import` (JSON lines); opml: feeds.yaml to and from OPML; digest: the Markdown/HTML
digest; bib: BibTeX entries for papers.
"""
