"""Proxima: the internal enterprise social network with adoption built in."""
