"""Helpers shared by the test folders (a loopback HTTP server)."""
