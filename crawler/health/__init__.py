"""Source health: is each outlet still giving us what it gave before?

- ``item_checks``: within a run, every written item is validated against the JSON Schema and
  its field coverage counted per source; the counts go into the run manifest.
- ``probe``: ``python -m crawler sources check --online`` fetches each registry endpoint the
  way a crawl would and gives each a verdict.
- ``runs``, ``history``, ``flags``: ``python -m crawler report`` reads the manifests of the
  last N days, sums them up per source and flags the sources that went wrong.
- ``render_text``, ``render_html``: the report's terminal summary and its self-contained HTML
  page (matplotlib and Jinja2 are imported there only, never by the crawl).

Nothing is imported here, so the crawl's extension pulls in only what it uses.
"""
