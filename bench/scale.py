"""The size of the benchmark's data set (bench/dataset.py writes it, bench/seed.py runs that)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    bounties: int = 10_000
    users: int = 2_000
    participations: int = 50_000
    # Unused (bounty, user) pairs the join runs take, each joinable once: open, no deadline, no cap.
    join_pairs: int = 20_000
    # Users signed in for the create runs, and users the login runs sign in with.
    signed_in: int = 200
