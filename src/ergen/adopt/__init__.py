"""Brownfield adoption: read what a router already runs, compare it with ergen's intent, and plan the
migration from hand-built objects to ergen's.

    parsers.parse_running(platform, text)   running config -> RunningConfig (ergen.adopt.running)
"""
