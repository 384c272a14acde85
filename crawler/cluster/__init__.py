"""Cluster mode: many ``scrapy crawl`` processes, on one machine or many, as one crawl.

Switched on by two settings, and by nothing else::

    scrapy crawl news -s CLUSTER_REDIS_URL=redis://host:6379/0 -s STATE_URL=postgresql://user@host/news

Without them nothing here is imported. What runs where:

- **Redis** (``coordinator``): the nodes of the run and their heartbeats, the run itself
  (one per crawl: the first node to start opens it, the last one to leave ends it), the
  discovery lock, the shared request queue and duplicate filter of scrapy-redis, and the
  per-site politeness leases.
- **PostgreSQL** (``crawler.state.postgres``): the incremental state every node reads and
  writes, and the claims that make an article, a text or a near-copy judged by two nodes at
  once come out once.
- **Each node**: discovery if it wins the lock (``discovery``), article downloads from the
  shared queue (``scheduler``) through the cluster-wide politeness gate (``politeness``),
  extraction in its own workers, and its own data files, named after it.

``settings.apply_cluster_settings`` installs the components; ``outage`` stops a node that
loses Redis or PostgreSQL cleanly.
"""
