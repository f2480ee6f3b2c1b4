"""Crawl: a breadth-first frontier of in-scope URLs visited like a person in real Chromium."""
