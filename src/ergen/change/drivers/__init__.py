"""NAPALM drivers ergen ships (FRR); the others are NAPALM's own."""
