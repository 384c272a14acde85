"""The run, its nodes and its discovery lock, kept in Redis.

Keys (all under ``PREFIX:SPIDER:``):

- ``nodes``: sorted set, node name -> the instant (ms, Redis' clock) its heartbeat lapses;
  ``node-info``: hash, node name -> JSON (host, pid, start time, local run id).
- ``run``: hash with the run's ``id``, ``discovery`` (``pending``, ``running``, ``done``)
  and the ``discoverer``. A node that starts while no node is alive opens a new run: it
  empties the queue and the duplicate filter of the previous one, so requests that a dead
  or stopped node took from the queue are discovered and fetched again (a run's dupefilter
  would otherwise keep them out forever). Nodes that start while others are alive join
  their run.
- ``discovery-lock``: the node doing discovery, with a time to live its heartbeat renews.
  If that node dies mid-discovery, the lock lapses and an idle node takes discovery over.
- ``requests`` and ``dupefilter``: scrapy-redis' priority queue and fingerprint set.
- ``run-nodes``: hash, node name -> JSON summary of each node's part once it left (the
  cluster section of the run manifests).

Every change that reads and writes several keys is one Lua script, so two nodes starting
at the same instant cannot both open a run. Times come from Redis' own clock (``TIME``),
never from the nodes', whose clocks may disagree.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timezone

logger = logging.getLogger(__name__)

# A node that has not renewed its heartbeat for this many periods is taken for dead.
HEARTBEAT_LIVES = 6

_NOW_MS = "local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"

# KEYS: nodes, node-info, run, requests, dupefilter, discovery-lock, run-nodes
# ARGV: name, info JSON, ttl ms, new run id
_JOIN = _NOW_MS + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
    return {'taken', redis.call('HGET', KEYS[2], ARGV[1]) or ''}
end
local new_run = 0
if redis.call('ZCARD', KEYS[1]) == 0 then
    redis.call('DEL', KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[2])
    redis.call('HSET', KEYS[3], 'id', ARGV[4], 'discovery', 'pending', 'opened_by', ARGV[1])
    new_run = 1
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return {'joined', redis.call('HGET', KEYS[3], 'id'), tostring(new_run)}
"""

# KEYS: nodes, discovery-lock; ARGV: name, ttl ms. Returns 0 when this node was dropped.
_HEARTBEAT = _NOW_MS + """
local renewed = redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[2]), ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false then return 0 end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return 1
"""

# KEYS: run, discovery-lock; ARGV: name, ttl ms. 1 when this node now does discovery.
_CLAIM_DISCOVERY = """
if redis.call('HGET', KEYS[1], 'discovery') == 'done' then return 0 end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
    redis.call('HSET', KEYS[1], 'discovery', 'running', 'discoverer', ARGV[1])
    return 1
end
return 0
"""

# KEYS: run, discovery-lock; ARGV: name, final state ('done' or 'pending')
_END_DISCOVERY = """
if redis.call('GET', KEYS[2]) == ARGV[1] then
    redis.call('DEL', KEYS[2])
    redis.call('HSET', KEYS[1], 'discovery', ARGV[2])
    return 1
end
return 0
"""

# KEYS: nodes, node-info, run-nodes; ARGV: name, summary JSON. Returns the nodes left alive.
_LEAVE = _NOW_MS + """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
return redis.call('ZCOUNT', KEYS[1], now, '+inf')
"""


class NodeNameTaken(RuntimeError):
    """Another live node already uses this node's name."""


@dataclass(frozen=True)
class Membership:
    run_id: str
    opened_run: bool


def process_is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Coordinator:
    """One node's handle on the run in Redis (see the module docstring for the keys)."""

    def __init__(self, client, prefix: str, node: str, heartbeat_seconds: float, local_run_id: str):
        self.client = client
        self.node = node
        self.base = f"{prefix}:"
        self.heartbeat_seconds = heartbeat_seconds
        self.ttl_ms = int(heartbeat_seconds * HEARTBEAT_LIVES * 1000)
        self.local_run_id = local_run_id
        self.host = socket.gethostname()
        self.membership: Membership | None = None
        self.discovering = False
        self._scripts = {
            name: client.register_script(source)
            for name, source in (
                ("join", _JOIN), ("heartbeat", _HEARTBEAT), ("claim", _CLAIM_DISCOVERY),
                ("end", _END_DISCOVERY), ("leave", _LEAVE),
            )
        }

    def key(self, name: str) -> str:
        return self.base + name

    # --- membership ---------------------------------------------------------------

    def join(self) -> Membership:
        """Join the running run, or open a new one when no node is alive."""
        if self.membership is not None:
            return self.membership
        info = json.dumps({
            "host": self.host,
            "pid": os.getpid(),
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "run_id": self.local_run_id,
        })
        keys = [self.key(name) for name in ("nodes", "node-info", "run", "requests", "dupefilter", "discovery-lock", "run-nodes")]
        for _attempt in range(2):
            self.forget_dead_local_nodes()
            answer = [_text(part) for part in self._scripts["join"](keys=keys, args=[self.node, info, self.ttl_ms, self.local_run_id])]
            if answer[0] == "joined":
                self.membership = Membership(run_id=answer[1], opened_run=answer[2] == "1")
                logger.info(
                    "Node %s %s cluster run %s", self.node, "opened" if self.membership.opened_run else "joined", answer[1]
                )
                return self.membership
        holder = json.loads(answer[1] or "{}")
        raise NodeNameTaken(
            f"CLUSTER_NODE_NAME={self.node!r} is in use by a live node (host {holder.get('host')}, pid {holder.get('pid')}); "
            "give every node its own name"
        )

    def forget_dead_local_nodes(self) -> int:
        """Drop nodes of this host whose process is gone (killed) without waiting for their
        heartbeat to lapse; nodes of other hosts lapse by themselves."""
        forgotten = 0
        for name, raw in self.client.hgetall(self.key("node-info")).items():
            info = json.loads(raw)
            if info.get("host") == self.host and not process_is_alive(int(info.get("pid", 0))):
                if self.client.zrem(self.key("nodes"), name):
                    forgotten += 1
                    logger.info("Node %s (pid %s on this host) is gone; dropped from the cluster", _text(name), info.get("pid"))
                self.client.hdel(self.key("node-info"), name)
        return forgotten

    def name_in_use(self) -> dict | None:
        """The info of the live node that uses this node's name, if any (checked before starting)."""
        self.forget_dead_local_nodes()
        expiry = self.client.zscore(self.key("nodes"), self.node)
        if expiry is None or expiry <= self._now_ms():
            return None
        raw = self.client.hget(self.key("node-info"), self.node)
        return json.loads(raw) if raw else {}

    def heartbeat(self) -> bool:
        """Renew this node's lease (and the discovery lock it holds); False if it was dropped."""
        return bool(self._scripts["heartbeat"](keys=[self.key("nodes"), self.key("discovery-lock")], args=[self.node, self.ttl_ms]))

    def leave(self, summary: dict) -> int:
        """Leave the run, leaving *summary* for the run manifests; returns the nodes still alive."""
        if self.discovering:
            self.end_discovery(done=False)
        keys = [self.key("nodes"), self.key("node-info"), self.key("run-nodes")]
        remaining = int(self._scripts["leave"](keys=keys, args=[self.node, json.dumps(summary, ensure_ascii=False)]))
        self.membership = None
        return remaining

    def live_nodes(self) -> dict[str, dict]:
        """The nodes whose heartbeat has not lapsed, with their info."""
        now_ms = self._now_ms()
        alive = {_text(name) for name in self.client.zrangebyscore(self.key("nodes"), now_ms, "+inf")}
        info = {_text(name): json.loads(raw) for name, raw in self.client.hgetall(self.key("node-info")).items()}
        return {name: info.get(name, {}) for name in sorted(alive)}

    def node_summaries(self) -> dict[str, dict]:
        """The summaries left by the nodes of this run that have finished."""
        return {_text(name): json.loads(raw) for name, raw in self.client.hgetall(self.key("run-nodes")).items()}

    def run_info(self) -> dict[str, str]:
        return {_text(key): _text(value) for key, value in self.client.hgetall(self.key("run")).items()}

    # --- discovery ----------------------------------------------------------------

    def claim_discovery(self) -> bool:
        """Take the discovery lock unless discovery is done or another live node holds it."""
        won = bool(self._scripts["claim"](keys=[self.key("run"), self.key("discovery-lock")], args=[self.node, self.ttl_ms]))
        self.discovering = self.discovering or won
        return won

    def end_discovery(self, done: bool) -> None:
        """Release the discovery lock: *done*, or given up (another node may take it over)."""
        self._scripts["end"](keys=[self.key("run"), self.key("discovery-lock")], args=[self.node, "done" if done else "pending"])
        self.discovering = False

    def discovery_state(self) -> tuple[str, str | None]:
        """(``pending``/``running``/``done``, the live node holding the lock or None)."""
        state = _text(self.client.hget(self.key("run"), "discovery")) or "pending"
        holder = self.client.get(self.key("discovery-lock"))
        return state, _text(holder) if holder else None

    def queue_length(self) -> int:
        return int(self.client.zcard(self.key("requests")))

    def _now_ms(self) -> int:
        seconds, microseconds = self.client.time()
        return int(seconds) * 1000 + int(microseconds) // 1000


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else ("" if value is None else str(value))
