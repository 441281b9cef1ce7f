"""Intent: everything each router needs, decided in Python; templates only print it."""
