"""Recruiting data in the Decision datathon format: import, export, search, edit and pipeline stats."""
