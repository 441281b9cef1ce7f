"""Change: offline review diffs between renders, and (with NAPALM) diffs, pushes and rollbacks on routers."""
