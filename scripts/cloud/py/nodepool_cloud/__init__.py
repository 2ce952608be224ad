"""Helpers for the project's local OpenStack (scripts/cloud). Run with /usr/bin/python3."""
