"""Erlang C: how many advisers a queue of calls or visitors needs (issue 22, item 3).

The M/M/N queue (Poisson arrivals, exponential handling times, callers who wait): with traffic
A = arrivals x handling time / interval length (in Erlangs) offered to N advisers,

    probability of waiting   C(N, A) = N B(N, A) / (N - A (1 - B(N, A)))
    service level            SL(t)   = 1 - C(N, A) exp(-(N - A) t / handling time)
    average wait             ASA     = C(N, A) handling time / (N - A)

where B is Erlang's loss formula, computed by its recursion B(0) = 1,
B(n) = A B(n-1) / (n + A B(n-1)), which needs no factorials and does not overflow. With N <= A the
queue grows without end: every arrival waits and no service level is met.

Why our own few lines rather than pyworkforce: pyworkforce has had no release since July 2023,
installs Google OR-Tools and joblib for these formulas, refuses an interval with no calls (an
exception, where a plan needs 0 advisers) and starts its search at round(A + 1), which can skip
the smallest number that meets the target. These functions are checked against published Erlang C
tables in tests/planning/test_erlang.py.
"""

import math

INTERVAL_SECONDS = 1800  # plans are made by the half hour


def traffic(arrivals: float, handling_seconds: float, interval_seconds: float = INTERVAL_SECONDS) -> float:
    """Offered traffic in Erlangs: the advisers that would be busy all the time."""
    return arrivals * handling_seconds / interval_seconds


def erlang_b(agents: int, traffic: float) -> float:
    """Erlang's loss formula: the share of arrivals that would find every adviser busy."""
    blocked = 1.0
    for n in range(1, agents + 1):
        blocked = traffic * blocked / (n + traffic * blocked)
    return blocked


def _erlang_c_from_b(agents: int, traffic: float, blocked: float) -> float:
    return agents * blocked / (agents - traffic * (1 - blocked))


def erlang_c(agents: int, traffic: float) -> float:
    """The probability that an arrival waits: 1 when the advisers cannot keep up (N <= A)."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    return _erlang_c_from_b(agents, traffic, erlang_b(agents, traffic))


def _service_level(agents: int, traffic: float, waits: float, handling_seconds: float,
                   target_seconds: float) -> float:
    if agents <= traffic:
        return 0.0
    return 1 - waits * math.exp(-(agents - traffic) * target_seconds / handling_seconds)


def service_level(agents: int, traffic: float, handling_seconds: float, target_seconds: float) -> float:
    """The share of arrivals answered within `target_seconds` (0 when N <= A)."""
    if traffic <= 0:
        return 1.0
    return _service_level(agents, traffic, erlang_c(agents, traffic), handling_seconds, target_seconds)


def average_wait_seconds(agents: int, traffic: float, handling_seconds: float) -> float:
    """The average wait of all arrivals (ASA); infinite when N <= A."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return erlang_c(agents, traffic) * handling_seconds / (agents - traffic)


def agents_needed(traffic: float, handling_seconds: float, *, service_level_target: float,
                  target_seconds: float, max_occupancy: float = 1.0) -> int:
    """The fewest advisers that answer `service_level_target` (a share, below 1) of arrivals
    within `target_seconds` while each is busy at most `max_occupancy` of the time.

    0 when nothing arrives. Searches upwards from the smallest N above both A and A / max
    occupancy, carrying Erlang B's recursion along, so each further adviser costs one step.
    """
    if traffic <= 0:
        return 0
    if not 0 < service_level_target < 1 or not 0 < max_occupancy <= 1 or handling_seconds <= 0:
        raise ValueError("service level target in (0, 1), max occupancy in (0, 1], handling time > 0")
    agents = max(math.floor(traffic) + 1, math.ceil(traffic / max_occupancy - 1e-9))
    blocked = erlang_b(agents, traffic)
    while True:
        waits = _erlang_c_from_b(agents, traffic, blocked)
        if _service_level(agents, traffic, waits, handling_seconds, target_seconds) >= service_level_target:
            return agents
        agents += 1
        blocked = traffic * blocked / (agents + traffic * blocked)


def with_shrinkage(agents: int, shrinkage: float) -> int:
    """Advisers to roster so that `agents` are available when a share `shrinkage` of paid time
    goes on breaks, training, meetings, leave and sickness. Rounded to nine places first: 14 /
    0.7 is 20.000000000000004 in floating point, and needs 20 advisers, not 21."""
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage in [0, 1)")
    return math.ceil(round(agents / (1 - shrinkage), 9))
