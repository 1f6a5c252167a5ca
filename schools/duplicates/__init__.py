"""Duplicate pupils (issue 21): find likely duplicates, dismiss them, merge two records and undo a merge."""
