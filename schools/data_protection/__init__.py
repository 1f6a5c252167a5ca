"""Data protection: subject access exports and the retention schedule (anonymising pupils past retention)."""
