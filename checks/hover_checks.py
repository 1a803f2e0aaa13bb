"""(being written) klartjek's own browser checks: see checks/__init__.py FAMILY_INFO."""
